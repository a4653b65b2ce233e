"""The one table of operators (engine/core/ruleset/operators.py): every executor reads it, and
the python executor's generated predicate means exactly what the reference `holds` means."""

from __future__ import annotations

import itertools

from exportsim.engine.core.executors.durable import atom_to_durable
from exportsim.engine.core.ruleset.compiler import Atom
from exportsim.engine.core.ruleset.factschema import OPERATORS_BY_KIND
from exportsim.engine.core.ruleset.operators import ATOM_OPERATORS, CONDITION_OPERATORS, holds, python_source
from exportsim.engine.core.ruleset.ruledefs import OPERATORS, Condition

VALUES = [0, 1, 2.5, 4800, "CN", "a", "", True, False]
SEEN = [*VALUES, ["*"], ["*", "CN"], ["*", "a", 1]]


def test_generated_predicates_mean_what_holds_means():
    for op in ATOM_OPERATORS:
        for value in VALUES if op not in ("ex", "nex") else [None]:
            code = python_source(op, "x", value)
            predicate = eval(f"lambda f: {code}", {"_NUM": (int, float)})  # noqa: S307 - our own generated code
            for fact in [{}, *({"x": s} for s in SEEN)]:
                assert predicate(fact) == holds(op, "x", value, fact), (op, value, fact, code)


def test_every_atom_operator_has_a_durable_form_and_words():
    for op, a in ATOM_OPERATORS.items():
        assert a.words
        assert isinstance(atom_to_durable(Atom("x", op, 1)), dict)


def test_condition_operators_are_the_rule_files_and_compile_to_known_atoms():
    assert set(OPERATORS) == set(CONDITION_OPERATORS)
    assert set(itertools.chain(*OPERATORS_BY_KIND.values())) == set(CONDITION_OPERATORS)
    for name, c in CONDITION_OPERATORS.items():
        listed = name in ("in", "not_in", "contains_any", "contains_none")
        operand = ["a", "b"] if listed else True if name == "exists" else "a"
        for alt in c.compile("field", operand):
            for _, op, _ in alt:
                assert op in ATOM_OPERATORS, (name, op)
        key = "in" if name == "in" else name
        cond = Condition.model_validate({"field": "field", key: operand})
        assert cond.describe().startswith(f"field {c.words}")
