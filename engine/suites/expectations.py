"""Compare an evaluation result with a case's `expected` block: one function, shared by
`exportsim test`, the pytest plugin and the test suite, so all three judge a case the same way.

Each difference names the field of the case file that states the expectation (and its line when
the file's line map is known), so an author goes straight to what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exportsim.engine.core.transaction.model import Expectation
from exportsim.engine.core.transaction.source import LineMap


@dataclass(frozen=True)
class Mismatch:
    """One expectation the result did not meet."""

    field: str  # e.g. "expected.regimes.bis_entity_list.outcome"
    expected: Any
    actual: Any
    line: int | None = None

    def render(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}{self.field}: expected {self.expected}, got {self.actual}"

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "line": self.line, "expected": self.expected, "actual": self.actual}


def mismatches(result: dict[str, Any], expected: Expectation, lines: LineMap | None = None) -> list[Mismatch]:
    """Each unmet expectation; empty when the case passes."""

    def at(*path: str | int) -> int | None:
        return lines.line_for(("expected", *path)) if lines else None

    problems = []
    if result["outcome"] != expected.outcome:
        problems.append(Mismatch("expected.outcome", str(expected.outcome), result["outcome"], at("outcome")))
    if expected.certain_outcome is not None and result.get("certain_outcome") != expected.certain_outcome:
        problems.append(
            Mismatch(
                "expected.certain_outcome",
                str(expected.certain_outcome),
                result.get("certain_outcome"),
                at("certain_outcome"),
            )
        )
    named = {m if isinstance(m, str) else m["input"] for m in result.get("missing_facts", [])}
    for n, path in enumerate(expected.missing_facts):
        if path not in named:
            problems.append(
                Mismatch(f"expected.missing_facts[{n}]", path, sorted(named) or "none", at("missing_facts", n))
            )
    by_regime = result["regimes"]
    for name, exp in expected.regimes.items():
        got = by_regime.get(name)
        if got is None:
            known = ", ".join(sorted(by_regime))
            problems.append(
                Mismatch(f"expected.regimes.{name}", "a regime of the rule set", known, at("regimes", name))
            )
            continue
        if got["outcome"] != exp.outcome:
            problems.append(
                Mismatch(
                    f"expected.regimes.{name}.outcome",
                    str(exp.outcome),
                    got["outcome"],
                    at("regimes", name, "outcome"),
                )
            )
        if exp.certain_outcome is not None and got.get("certain_outcome") != exp.certain_outcome:
            problems.append(
                Mismatch(
                    f"expected.regimes.{name}.certain_outcome",
                    str(exp.certain_outcome),
                    got.get("certain_outcome"),
                    at("regimes", name, "certain_outcome"),
                )
            )
        if exp.rules and sorted(exp.rules) != got["rules"]:
            problems.append(
                Mismatch(
                    f"expected.regimes.{name}.rules", sorted(exp.rules), got["rules"], at("regimes", name, "rules")
                )
            )
    return problems
