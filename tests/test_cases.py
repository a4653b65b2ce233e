"""The built-in library on the plain-Python executor, with every JSON result checked against the
generated schema and the pydantic models. (The same cases run on durable-rules through the pytest
plugin: `pytest cases/`; every detail level and batch records: tests/test_result_contract.py.)"""

from __future__ import annotations

import jsonschema
import pytest
from exportsim.cli.common import builtin_case_paths
from exportsim.engine.core.evaluate import load_transaction
from exportsim.engine.core.trace.result import FullResult, json_schema
from exportsim.engine.suites.expectations import mismatches

CASES = builtin_case_paths()
SCHEMA = jsonschema.Draft202012Validator(json_schema("full"), format_checker=jsonschema.FormatChecker())


def test_library_is_not_empty():
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_on_python_executor(path, python_engine):
    t = load_transaction(path)
    assert t.expected is not None, f"{path.name} has no 'expected' block"
    assert t.narrative and t.difficulty and t.title, f"{path.name} needs title, narrative and difficulty"
    result = python_engine.evaluate(t)
    SCHEMA.validate(result)
    FullResult.model_validate(result)
    assert mismatches(result, t.expected) == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_executors_agree(path, durable, python_engine):
    """durable-rules and the plain-Python evaluator give the same decision, findings and firings."""
    t = load_transaction(path)
    a, b = durable.evaluate(t), python_engine.evaluate(t)
    SCHEMA.validate(a)
    FullResult.model_validate(a)
    assert a["outcome"] == b["outcome"]
    assert a["regimes"] == b["regimes"]
    assert [s["rule_id"] for s in a["trace"]] == [s["rule_id"] for s in b["trace"]]
