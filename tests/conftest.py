"""Shared fixtures. CI loads the derandomized hypothesis profile so a green run stays green;
run `HYPOTHESIS_PROFILE=long pytest` locally for a deeper search."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.ruleset.loader import load_rules
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=1500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
# The rules cache, list store and progress database of the tests stay out of the user's data
# directory (subprocesses inherit it).
os.environ.setdefault("EXPORTSIM_DATA_DIR", tempfile.mkdtemp(prefix="exportsim-tests-"))


@pytest.fixture(scope="session")
def ruleset():
    return load_rules()


@pytest.fixture(scope="session")
def durable(ruleset):
    return Evaluator(ruleset, engine="durable")


@pytest.fixture(scope="session")
def python_engine(ruleset):
    return Evaluator(ruleset, engine="python")
