"""The plain-Python executor: evaluates the compiled conditions one by one.

It serves three purposes: a second executor that cross-checks durable-rules in tests, the source
of why-not explanations (which condition failed, on which fact, with which value), and a fast
path for batch runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from exportsim.engine.core.executors.firing import Deriver, Firing
from exportsim.engine.core.ruleset.compiler import Atom, CompiledPattern, CompiledRule, atom_holds
from exportsim.engine.core.ruleset.operators import python_source


def condition_holds(alternatives, fact: dict) -> bool:
    return any(all(atom_holds(a, fact) for a in alt) for alt in alternatives)


def pattern_holds(pattern: CompiledPattern, fact: dict) -> bool:
    if fact.get("t") != pattern.type:
        return False
    if not all(atom_holds(a, fact) for a in pattern.window):
        return False
    return all(condition_holds(c.alternatives, fact) for c in pattern.conditions)


class PythonBackend:
    """Forward-chains derive rules, then evaluates deciding rules, with generated predicates.

    Every date falls in an *epoch*: a span between consecutive dates on which some rule window
    or parameter value starts or ends. Within an epoch the set of rules in force and the value
    of every parameter are fixed, so the patterns of the rules in force become, per fact type,
    one generated Python function that tests a fact against all of them at once and files it
    under each pattern it satisfies (the same atoms durable-rules gets, same semantics as
    `atom_holds`), compiled once per epoch and cached. Each fact passes that test once; rules
    then join the facts their patterns collected. Derive rules run in dependency order, so one
    pass reaches the fixed point (the loader rejects cyclic derivations); a derived fact is
    tested when it is asserted, like any other.
    """

    name = "python"

    def __init__(self, compiled: list[CompiledRule]) -> None:
        self.rules = _dependency_order(compiled)
        cuts: set[str] = set()
        for rule in compiled:
            for p in rule.patterns:
                for atom in p.window:
                    cuts.add(_cut(atom))
                for c in p.conditions:
                    for alt in c.alternatives:
                        cuts.update(_cut(a) for a in alt if a.field == "date")
        self.cuts = sorted(cuts)
        self._epochs: dict[int, _Epoch] = {}

    def _epoch(self, day: str) -> _Epoch:
        n = bisect.bisect_right(self.cuts, day)
        epoch = self._epochs.get(n)
        if epoch is None:
            epoch = self._epochs[n] = _Epoch.build(self.rules, day)
        return epoch

    def run(self, facts: list[dict], sid: str = "py") -> tuple[list[Firing], list[dict]]:
        epoch = self._epoch(facts[0]["date"])
        memory: dict[int, list[dict]] = {}  # pattern slot -> the facts satisfying it
        tests, plans = epoch.tests, epoch.plans
        for f in facts:
            test = tests.get(f["t"])
            if test is not None:
                test(f, memory)
        firings: dict[tuple, Firing] = {}
        derived: dict[str, dict] = {}
        for plan in plans:  # in dependency order: derived facts exist before a rule binds them
            slots = plan.slots
            first = memory.get(slots[0])
            if first is None:
                continue  # the common case: no fact satisfies the rule's first pattern
            if len(slots) == 1:
                combos: Iterable[tuple[dict, ...]] = [(f,) for f in first]
            else:
                candidates = [memory.get(slot) for slot in slots]
                if not all(candidates):
                    continue
                combos = itertools.product(*candidates)  # type: ignore[arg-type]
            rule_id, derive = plan.rule.rule.id, plan.derive
            for combo in combos:
                # aliases are in sorted order, so this is the binding sorted by alias
                binding = tuple(zip(plan.aliases, [f["id"] for f in combo], strict=True))
                if derive is None:
                    firings.setdefault((rule_id, binding), Firing(rule_id, binding))
                    continue
                fact = derive(dict(zip(plan.aliases, combo, strict=True)), binding, sid)
                firings.setdefault((rule_id, binding), Firing(rule_id, binding, fact["id"]))
                if fact["id"] not in derived:
                    derived[fact["id"]] = fact
                    test = tests.get(fact["t"])
                    if test is not None:
                        test(fact, memory)
        return list(firings.values()), list(derived.values())


def _cut(atom: Atom) -> str:
    """The first day on which a date atom's truth changes."""
    day = dt.date.fromisoformat(str(atom.value))
    return (day + dt.timedelta(days=1)).isoformat() if atom.op in ("lte", "gt") else day.isoformat()


def _dependency_order(compiled: list[CompiledRule]) -> list[CompiledRule]:
    """Derive rules before the rules that bind what they derive; deciding rules last."""
    makers: dict[str, list[CompiledRule]] = {}
    for r in compiled:
        if r.rule.derive:
            makers.setdefault(r.rule.derive.type, []).append(r)
    level: dict[str, int] = {}

    def depth(rule: CompiledRule, seen: frozenset[str] = frozenset()) -> int:
        if rule.rule.id not in level:
            needs = [m for p in rule.patterns for m in makers.get(p.type, []) if m.rule.id not in seen]
            level[rule.rule.id] = 1 + max((depth(m, seen | {rule.rule.id}) for m in needs), default=0)
        return level[rule.rule.id]

    return sorted(compiled, key=lambda r: (r.rule.derive is None, depth(r), r.rule.id))


@dataclass(frozen=True)
class _Plan:
    """One rule in force in one epoch: its aliases and, per pattern, the slot of the memory
    where the facts satisfying that pattern are collected."""

    rule: CompiledRule
    aliases: tuple[str, ...]  # sorted
    slots: tuple[int, ...]  # one per alias, in the same order
    derive: Deriver | None


@dataclass(frozen=True)
class _Epoch:
    plans: tuple[_Plan, ...]  # in dependency order
    tests: dict[str, Callable[[dict, dict], None]]  # per fact type: file a fact under the slots it satisfies

    @staticmethod
    def build(rules: list[CompiledRule], day: str) -> _Epoch:
        probe = {"date": day}
        plans: list[_Plan] = []
        sources: dict[str, list[str]] = {}
        slot = 0
        for rule in rules:
            if not all(atom_holds(a, probe) for a in rule.patterns[0].window):
                continue  # not in force in this epoch
            exprs = [_pattern_source(p, probe) for p in rule.patterns]
            if any(e is None for e in exprs):
                continue  # a dated parameter with no value in this epoch: the rule cannot fire
            slots = []
            ordered = sorted(zip(rule.patterns, exprs, strict=True), key=lambda pe: pe[0].alias)
            for p, expr in ordered:
                sources.setdefault(p.type, []).append(
                    f"    if {expr}:\n        found = m.get({slot})\n"
                    f"        if found is None: m[{slot}] = [f]\n        else: found.append(f)"
                )
                slots.append(slot)
                slot += 1
            aliases = tuple(p.alias for p, _ in ordered)
            plans.append(_Plan(rule, aliases, tuple(slots), Deriver(rule) if rule.rule.derive else None))
        tests = {}
        for ftype, lines in sources.items():
            code = "def test(f, m):\n" + "\n".join(lines) + "\n"
            scope: dict = {"_NUM": (int, float)}
            exec(compile(code, f"<exportsim patterns: {ftype} on {day}>", "exec"), scope)  # noqa: S102
            tests[ftype] = scope["test"]
        return _Epoch(tuple(plans), tests)


def _pattern_source(p: CompiledPattern, probe: dict) -> str | None:
    """One pattern on the epoch's day as a Python expression over the fact `f`, or None when
    some condition cannot hold on that day (its dated parameter has no value then)."""
    clauses = []
    for c in p.conditions:
        alts = [
            [a for a in alt if a.field != "date"]
            for alt in c.alternatives
            if all(atom_holds(a, probe) for a in alt if a.field == "date")
        ]
        if not alts:
            return None
        clauses.append(" or ".join("(" + (" and ".join(_expr(a) for a in alt) or "True") + ")" for alt in alts))
    return " and ".join(f"({c})" for c in clauses) or "True"


def _expr(atom: Atom) -> str:
    """Python source with exactly the meaning of `atom_holds(atom, f)` (operators.python_source)."""
    return python_source(atom.op, atom.field, atom.value)


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
