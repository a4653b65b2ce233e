"""The plain-Python executor: evaluates the compiled conditions one by one.

It serves three purposes: a second executor that cross-checks durable-rules in tests, the source
of why-not explanations (which condition failed, on which fact, with which value), and a fast
path for batch runs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .compiler import CompiledPattern, CompiledRule, atom_holds
from .firing import Firing, derived_fact


def condition_holds(alternatives, fact: dict) -> bool:
    return any(all(atom_holds(a, fact) for a in alt) for alt in alternatives)


def pattern_holds(pattern: CompiledPattern, fact: dict) -> bool:
    if fact.get("t") != pattern.type:
        return False
    if not all(atom_holds(a, fact) for a in pattern.window):
        return False
    return all(condition_holds(c.alternatives, fact) for c in pattern.conditions)


def _bindings(rule: CompiledRule, by_type: dict[str, list[dict]]):
    candidates = [[f for f in by_type.get(p.type, []) if pattern_holds(p, f)] for p in rule.patterns]
    for combo in itertools.product(*candidates):
        yield {p.alias: f for p, f in zip(rule.patterns, combo, strict=True)}


class PythonBackend:
    """Forward-chains derive rules to a fixed point, then evaluates deciding rules."""

    name = "python"

    def __init__(self, compiled: list[CompiledRule]) -> None:
        self.rules = compiled
        self.derivers = [r for r in compiled if r.rule.derive is not None]
        self.deciders = [r for r in compiled if r.rule.derive is None]

    def run(self, facts: list[dict], sid: str = "py") -> tuple[list[Firing], list[dict]]:
        by_type: dict[str, list[dict]] = {}
        for f in facts:
            by_type.setdefault(f["t"], []).append(f)
        firings: dict[tuple, Firing] = {}
        derived: dict[str, dict] = {}
        changed = True
        while changed:
            changed = False
            for rule in self.derivers:
                for bound in _bindings(rule, by_type):
                    fact = derived_fact(rule, bound, sid)
                    binding = tuple(sorted((a, f["id"]) for a, f in bound.items()))
                    firings.setdefault((rule.rule.id, binding), Firing(rule.rule.id, binding, fact["id"]))
                    if fact["id"] not in derived:
                        derived[fact["id"]] = fact
                        by_type.setdefault(fact["t"], []).append(fact)
                        changed = True
        for rule in self.deciders:
            for bound in _bindings(rule, by_type):
                binding = tuple(sorted((a, f["id"]) for a, f in bound.items()))
                firings.setdefault((rule.rule.id, binding), Firing(rule.rule.id, binding))
        return list(firings.values()), list(derived.values())


@dataclass(frozen=True)
class Miss:
    """Why one rule in force did not fire: the first failing condition on the closest fact."""

    rule_id: str
    alias: str
    fact_type: str
    fact_id: str | None
    condition: str | None
    note: str | None
    seen: object
    reason: str


def why_not(rule: CompiledRule, facts: list[dict]) -> Miss:
    """Explain a rule that did not fire by the first pattern no fact satisfies."""
    by_type: dict[str, list[dict]] = {}
    for f in facts:
        by_type.setdefault(f["t"], []).append(f)
    for pattern in rule.patterns:
        candidates = by_type.get(pattern.type, [])
        if any(pattern_holds(pattern, f) for f in candidates):
            continue
        if not candidates:
            return Miss(
                rule.rule.id,
                pattern.alias,
                pattern.type,
                None,
                None,
                None,
                None,
                f"no '{pattern.type}' fact exists in this transaction",
            )
        best: tuple[int, dict, object] | None = None
        for fact in candidates:
            passed = 0
            for cond in pattern.conditions:
                if not condition_holds(cond.alternatives, fact):
                    break
                passed += 1
            if best is None or passed > best[0]:
                best = (passed, fact, None)
        assert best is not None
        passed, fact, _ = best
        cond = pattern.conditions[passed]
        field = cond.condition.field
        seen = fact.get(field, fact.get(f"{field}_groups") if cond.condition.operator.endswith("group") else None)
        if cond.condition.operator.endswith("group"):
            seen = {
                "value": fact.get(field),
                "groups": [g for g in fact.get(f"{field}_groups", []) if g != "*"],
            }
        elif isinstance(seen, list):
            seen = [v for v in seen if v != "*"]
        return Miss(
            rule.rule.id,
            pattern.alias,
            pattern.type,
            fact["id"],
            cond.condition.describe(),
            cond.condition.note,
            seen if field in fact or isinstance(seen, dict) else "(not given)",
            "condition not met",
        )
    return Miss(rule.rule.id, "", "", None, None, None, None, "every pattern matches some fact on its own")
