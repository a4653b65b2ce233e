"""Rule coverage of a case suite: which rules, exception branches, list entries and parameters
the suite exercised, read from the results alone (so any engine, any variant, any rule folder).

- A rule is covered when it fired in some case (a derivation or a decision, shown in the trace).
- An exception branch is one (exception rule, rule it displaces) pair; it is covered when some
  case shows a finding of that rule displaced by that exception.
- A list entry is touched when a name in some case matched it; a parameter when a rule that
  fired compared with it, or the fact builder read it (ownership thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exportsim.engine.core.ruleset.loader import RuleSet


@dataclass(frozen=True)
class Branch:
    exception: str
    displaces: str
    covered: bool


@dataclass(frozen=True)
class RegimeCoverage:
    regime: str
    fired: list[str]
    never_fired: list[str]
    branches: list[Branch]


@dataclass(frozen=True)
class Coverage:
    regimes: list[RegimeCoverage]
    entries_untouched: list[str]
    parameters_untouched: list[str]
    entries_total: int
    parameters_total: int

    @property
    def rules_total(self) -> int:
        return sum(len(r.fired) + len(r.never_fired) for r in self.regimes)

    @property
    def rules_fired(self) -> int:
        return sum(len(r.fired) for r in self.regimes)

    @property
    def percent(self) -> float:
        return 100.0 * self.rules_fired / self.rules_total if self.rules_total else 100.0

    def as_dict(self) -> dict[str, Any]:
        branches = [b for r in self.regimes for b in r.branches]
        return {
            "rules": {"total": self.rules_total, "fired": self.rules_fired, "percent": round(self.percent, 1)},
            "exception_branches": {"total": len(branches), "covered": sum(b.covered for b in branches)},
            "regimes": [
                {
                    "regime": r.regime,
                    "fired": r.fired,
                    "never_fired": r.never_fired,
                    "exception_branches": [
                        {"exception": b.exception, "displaces": b.displaces, "covered": b.covered} for b in r.branches
                    ],
                }
                for r in self.regimes
            ],
            "list_entries": {"total": self.entries_total, "untouched": self.entries_untouched},
            "parameters": {"total": self.parameters_total, "untouched": self.parameters_untouched},
        }


def measure(rules: RuleSet, results: list[dict[str, Any]]) -> Coverage:
    fired = {step["rule_id"] for r in results for step in r["trace"]}
    displaced = {(f["displaced_by"], f["rule_id"]) for r in results for f in r["displaced"]}
    entries = {e for r in results for e in r.get("list_entries", [])}
    params = {p for r in results for p in r["parameters"]}
    regimes = []
    for regime in sorted(rules.regimes):
        ids = sorted(rid for rid, reg in rules.rule_regime.items() if reg == regime)
        branches = [
            Branch(rid, target, (rid, target) in displaced) for rid in ids for target in rules.rules[rid].displaces
        ]
        regimes.append(
            RegimeCoverage(
                regime,
                [r for r in ids if r in fired],
                [r for r in ids if r not in fired],
                branches,
            )
        )
    return Coverage(
        regimes,
        sorted(set(rules.entries) - entries),
        sorted(set(rules.parameters) - params),
        len(rules.entries),
        len(rules.parameters),
    )
