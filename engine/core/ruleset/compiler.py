"""Compile rules into one representation both executors share.

A condition becomes a list of alternatives, each a conjunction of `Atom`s (disjunctive normal
form). A dated parameter becomes one alternative per dated value, guarded by the transaction date;
a rule's effective window becomes date atoms on every pattern. So one compiled rule set serves
every evaluation date, and durable-rules never sees `$or` (which it mishandles when nested).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.ruleset.factschema import SENTINEL
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.operators import CONDITION_OPERATORS, ORDERED, holds
from exportsim.engine.core.ruleset.ruledefs import Condition, ParamRef, Rule
from exportsim.engine.core.ruleset.window import Window

MAX_BRANCHES = 512


@dataclass(frozen=True)
class Atom:
    """One primitive test of one fact field: eq neq gte gt lte lt has lacks ex nex."""

    field: str
    op: str
    value: object = None


Alternatives = list[tuple[Atom, ...]]


@dataclass(frozen=True)
class CompiledCondition:
    condition: Condition
    alternatives: tuple[tuple[Atom, ...], ...]


@dataclass(frozen=True)
class CompiledPattern:
    alias: str
    type: str
    window: tuple[Atom, ...]  # the rule's effective window, as date atoms
    conditions: tuple[CompiledCondition, ...]

    def branches(self) -> list[tuple[Atom, ...]]:
        """Every conjunction that satisfies the pattern (window atoms first)."""
        choices = [c.alternatives for c in self.conditions]
        return [self.window + tuple(a for alt in combo for a in alt) for combo in itertools.product(*choices)]


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    regime: str
    patterns: tuple[CompiledPattern, ...]

    def branches(self) -> list[dict[str, tuple[Atom, ...]]]:
        per_alias = [[(p.alias, b) for b in p.branches()] for p in self.patterns]
        return [dict(combo) for combo in itertools.product(*per_alias)]


def window_atoms(window: Window) -> tuple[Atom, ...]:
    """A window as date atoms on the fact's `date` (no upper atom when it is open-ended)."""
    atoms = [Atom("date", "gte", window.start.isoformat())]
    if window.end is not None:
        atoms.append(Atom("date", "lte", window.end.isoformat()))
    return tuple(atoms)


def compile_condition(cond: Condition, rules: RuleSet) -> tuple[tuple[Atom, ...], ...]:
    """A condition as alternatives of atoms, by the table in operators.py; an ordered comparison
    with a dated parameter becomes one alternative per dated value, guarded by its window."""
    op, value, f = cond.operator, cond.operand, cond.field
    if op in ORDERED and isinstance(value, ParamRef):
        param = rules.parameters[value.param]
        return tuple(window_atoms(v) + (Atom(f, op, v.value),) for v in param.values)
    return tuple(tuple(Atom(*atom) for atom in alt) for alt in CONDITION_OPERATORS[op].compile(f, value))


def compile_rules(rules: RuleSet) -> list[CompiledRule]:
    compiled = []
    problems = []
    for rule in rules.rules.values():
        window = window_atoms(rule.effective)
        patterns = tuple(
            CompiledPattern(
                alias,
                pattern.type,
                window,
                tuple(CompiledCondition(c, compile_condition(c, rules)) for c in pattern.where),
            )
            for alias, pattern in rule.when.items()
        )
        cr = CompiledRule(rule, rules.rule_regime[rule.id], patterns)
        count = 1
        for p in patterns:
            for c in p.conditions:
                count *= len(c.alternatives)
        if count > MAX_BRANCHES:
            origin = rules.origins.get(rule.id)
            problems.append(
                Problem(
                    origin.file if origin else rules.source,
                    f"Rule '{rule.id}' expands to {count} branches (limit {MAX_BRANCHES}).",
                    "Replace long 'in' lists by a group ('in_group') or split the rule.",
                    origin.line if origin else None,
                )
            )
        compiled.append(cr)
    if problems:
        raise InputError(problems)
    return compiled


def atom_holds(atom: Atom, fact: dict) -> bool:
    """The Python meaning of an atom (operators.holds); it mirrors durable-rules' semantics."""
    return holds(atom.op, atom.field, atom.value, fact)


__all__ = ["Atom", "CompiledRule", "SENTINEL", "atom_holds", "compile_rules"]
