"""The built-in case library runs as tests, on both executors; every JSON result fits the schema."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pytest
from exportsim.cli.main import builtin_case_paths
from exportsim.engine.evaluate import load_transaction

CASES = builtin_case_paths()
SCHEMA = json.loads(files("exportsim.engine").joinpath("result.schema.json").read_text())


def check(result: dict, expected) -> list[str]:
    problems = []
    if result["outcome"] != expected.outcome:
        problems.append(f"outcome: expected {expected.outcome}, got {result['outcome']}")
    by_regime = {r["regime"]: r for r in result["regimes"]}
    for name, exp in expected.regimes.items():
        got = by_regime.get(name)
        if got is None:
            problems.append(f"regimes.{name}: no such regime in the rule set")
            continue
        if got["outcome"] != exp.outcome:
            problems.append(f"regimes.{name}.outcome: expected {exp.outcome}, got {got['outcome']}")
        if exp.rules and sorted(exp.rules) != got["rules"]:
            problems.append(f"regimes.{name}.rules: expected {sorted(exp.rules)}, got {got['rules']}")
    return problems


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
    assert check(result, t.expected) == []
