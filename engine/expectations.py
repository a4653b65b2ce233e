"""Compare an evaluation result with a case's `expected` block: one function, shared by
`exportsim test` and the test suite, so both judge a case the same way."""

from __future__ import annotations

from typing import Any

from .model import Expectation


def mismatches(result: dict[str, Any], expected: Expectation) -> list[str]:
    """Each difference as 'where: expected X, got Y'; empty when the case passes."""
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
