"""The built-in case library runs as tests, on both executors; every JSON result fits the schema."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest
from exportsim.cli.main import builtin_case_paths
from exportsim.engine.evaluate import load_transaction
from exportsim.engine.expectations import mismatches

CASES = builtin_case_paths()
SCHEMA = json.loads(files("exportsim.engine").joinpath("result.schema.json").read_text())


def test_library_is_not_empty():
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
@pytest.mark.parametrize("engine", ["durable", "python_engine"])
def test_case(path, engine, request):
    evaluator = request.getfixturevalue(engine)
    t = load_transaction(path)
    assert t.expected is not None, f"{path.name} has no 'expected' block"
    assert t.narrative and t.difficulty and t.title, f"{path.name} needs title, narrative and difficulty"
    result = evaluator.evaluate(t)
    jsonschema.validate(result, SCHEMA)
    assert mismatches(result, t.expected) == []
