"""Possible firings: the same compiled atoms, evaluated in three values over facts with unknowns.

Why: a fact the transaction does not state is unknown, not false (rules/facts.yaml). The default
executor fires what is certain on the known facts; this evaluator also finds what *could* fire if
the unknown facts were answered, so the decision can say "insufficient facts" instead of a false
clearance, and name each missing fact with what its answers would give.

Semantics (Kleene's strong three-valued logic over the atoms both executors share):
- an atom on a field listed as unknown in its fact (`fact["?"]`) is unknown; `x_groups` is unknown
  when the country `x` is; "is the field given" (`ex`, `nex`) is always known;
- a conjunction is false if an atom is false, else unknown if one is unknown, else true; a
  condition (alternatives) is true if an alternative is true, else unknown if one is unknown;
- a rule fires *certainly* when all its patterns hold on certain facts, *possibly* when none is
  false and some condition or bound fact is unknown/possible. A fact derived by a possible firing
  is a possible fact, carrying the open conditions it rests on, and is forward-chained like any
  other (derive rules run in dependency order, as in the python executor).
Certain firings computed here equal the executors' firings on the same facts (a property test).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from exportsim.engine.core.executors.firing import Deriver, Firing
from exportsim.engine.core.executors.python import _dependency_order
from exportsim.engine.core.ruleset.compiler import Atom, CompiledCondition, CompiledPattern, CompiledRule, atom_holds
from exportsim.engine.core.ruleset.operators import ATOM_OPERATORS

UNKNOWN_KEY = "?"
_WORDS = {op: a.words for op, a in ATOM_OPERATORS.items()}


@dataclass(frozen=True, order=True)
class Open:
    """One condition a possible firing rests on: an unknown field of one fact and the test it must pass."""

    fact_id: str
    field: str  # the unknown input field (a country's groups are asked as the country)
    test: str  # the test in words, with the values in force on the date, e.g. "us_controlled_content is more than 0.25"
    rule_id: str  # the rule whose condition it is


@dataclass(frozen=True)
class PossibleFiring:
    rule_id: str
    binding: tuple[tuple[str, str], ...]
    opens: frozenset[Open]
    derived_id: str | None = None


def _unknown_field(atom: Atom, fact: dict) -> str | None:
    """The unknown field an atom depends on, or None when the atom's value is known."""
    unknown = fact.get(UNKNOWN_KEY)
    if not unknown or atom.op in ("ex", "nex"):  # whether a field is given is always known
        return None
    if atom.field in unknown:
        return atom.field
    if atom.field.endswith("_groups") and atom.field[: -len("_groups")] in unknown:
        return atom.field[: -len("_groups")]
    return None


def atom_truth(atom: Atom, fact: dict) -> bool | None:
    """True, False, or None (unknown)."""
    if _unknown_field(atom, fact) is not None:
        return None
    return atom_holds(atom, fact)


def _atom_words(atom: Atom) -> str:
    if atom.field.endswith("_groups"):
        name = atom.field[: -len("_groups")]
        return f"{name} {'is in' if atom.op == 'has' else 'is not in'} group {atom.value}"
    value = str(atom.value).lower() if isinstance(atom.value, bool) else atom.value
    return f"{atom.field} {_WORDS.get(atom.op, atom.op)} {value}"


def condition_truth(cond: CompiledCondition, fact: dict, rule_id: str) -> tuple[bool | None, frozenset[Open]]:
    """A condition's truth value and, when unknown, the open tests that would make it true."""
    opens: set[Open] = set()
    result: bool | None = False
    for alt in cond.alternatives:
        truths = [atom_truth(a, fact) for a in alt]
        if all(t is True for t in truths):
            return True, frozenset()
        if any(t is False for t in truths):
            continue
        result = None
        for atom, truth in zip(alt, truths, strict=True):
            if truth is None:
                name = _unknown_field(atom, fact) or atom.field
                # a derived fact's unknown field is asked where the transaction states it
                origin, asked = fact.get("?src", {}).get(name, (fact.get("id", ""), name))
                opens.add(Open(origin, asked, _atom_words(atom), rule_id))
    return result, frozenset(opens)


def pattern_truth(pattern: CompiledPattern, fact: dict, rule_id: str) -> tuple[bool | None, frozenset[Open]]:
    if fact.get("t") != pattern.type or not all(atom_holds(a, fact) for a in pattern.window):
        return False, frozenset()
    opens: set[Open] = set()
    for cond in pattern.conditions:
        truth, why = condition_truth(cond, fact, rule_id)
        if truth is False:
            return False, frozenset()
        opens |= why
    return (None if opens else True), frozenset(opens)


@dataclass
class PossibleRun:
    certain: list[Firing]
    possible: list[PossibleFiring]


class PossibleEvaluator:
    """Built once per compiled rule set; `run` per transaction (only needed when some fact has unknowns)."""

    name = "possible"

    def __init__(self, compiled: list[CompiledRule]) -> None:
        self.rules = _dependency_order(compiled)
        self.derivers = {r.rule.id: Deriver(r) for r in compiled if r.rule.derive}
        # per rule, per pattern: (fact type, fields its atoms read, a country's groups read as the country)
        self.reads: dict[str, list[tuple[str, frozenset[str]]]] = {
            r.rule.id: [
                (
                    p.type,
                    frozenset(
                        a.field[: -len("_groups")] if a.field.endswith("_groups") else a.field
                        for c in p.conditions
                        for alt in c.alternatives
                        for a in alt
                        if a.op not in ("ex", "nex")
                    ),
                )
                for p in r.patterns
            ]
            for r in compiled
        }

    def run_open(self, facts: list[dict], certain_derived: list[dict], sid: str = "possible") -> list[PossibleFiring]:
        """Only the possible firings, given the executor's certain derived facts. A rule none of
        whose patterns reads an unknown field or binds a fact type that may exist only possibly
        has no possible firing (all its atoms are known on certain facts), so it is not re-run:
        the same answer as `run` at a fraction of the cost (a property test compares them)."""
        unknown: dict[str, set[str]] = {}
        for f in [*facts, *certain_derived]:
            if UNKNOWN_KEY in f:
                unknown.setdefault(f["t"], set()).update(f[UNKNOWN_KEY])
        if not unknown:
            return []
        open_types: set[str] = set()
        touched: list[CompiledRule] = []
        for rule in self.rules:
            if any(t in open_types or fields & unknown.get(t, set()) for t, fields in self.reads[rule.rule.id]):
                touched.append(rule)
                if rule.rule.derive:
                    open_types.add(rule.rule.derive.type)
        if not touched:
            return []
        return self._evaluate(touched, [*facts, *certain_derived], sid).possible

    def run(self, facts: list[dict], sid: str = "possible") -> PossibleRun:
        return self._evaluate(self.rules, facts, sid)

    def _evaluate(self, rules: list[CompiledRule], facts: list[dict], sid: str) -> PossibleRun:
        pool: dict[str, list[tuple[dict, frozenset[Open]]]] = {}
        for f in facts:
            pool.setdefault(f["t"], []).append((f, frozenset()))
        known_ids = {f["id"] for f in facts}
        day = {"date": facts[0]["date"]} if facts else {"date": ""}
        certain: dict[tuple, Firing] = {}
        possible: dict[tuple, PossibleFiring] = {}
        derived: set[str] = set()  # ids of the facts derived in this pass
        for rule in rules:
            if not all(atom_holds(a, day) for a in rule.patterns[0].window):
                continue  # not in force on the date
            rid = rule.rule.id
            per_alias: list[tuple[str, list[tuple[dict, frozenset[Open]]]]] = []
            for pattern in sorted(rule.patterns, key=lambda p: p.alias):
                cands = []
                for fact, fact_opens in pool.get(pattern.type, []):
                    truth, opens = pattern_truth(pattern, fact, rid)
                    if truth is not False:
                        cands.append((fact, fact_opens | opens))
                if not cands:
                    break
                per_alias.append((pattern.alias, cands))
            else:
                aliases = [a for a, _ in per_alias]
                for combo in itertools.product(*(c for _, c in per_alias)):
                    binding = tuple(zip(aliases, [f["id"] for f, _ in combo], strict=True))
                    opens = frozenset().union(*(o for _, o in combo))
                    key = (rid, binding)
                    derived_id = None
                    deriver = self.derivers.get(rid)
                    if deriver is not None:
                        fact = deriver(dict(zip(aliases, [f for f, _ in combo], strict=True)), binding, sid)
                        derived_id = fact["id"]
                        if derived_id not in derived and derived_id not in known_ids:
                            derived.add(derived_id)
                            pool.setdefault(fact["t"], []).append((fact, opens))
                    if opens:
                        possible.setdefault(key, PossibleFiring(rid, binding, opens, derived_id))
                    else:
                        certain.setdefault(key, Firing(rid, binding, derived_id))
        return PossibleRun(list(certain.values()), list(possible.values()))


def has_unknowns(facts: list[dict]) -> bool:
    return any(UNKNOWN_KEY in f for f in facts)
