"""The one table of operators: what a rule file may write, what it compiles to, and what each
compiled atom means to every executor.

Why one table: a condition's meaning used to be written three times (durable-rules' JSON, the
python executor's generated predicates, the reference check used by why-not), each able to drift.
Now each condition operator says here how it compiles to atoms and in what words it is read, and
each atom operator says here its Python meaning (`holds`), its generated-code comparison and its
durable-rules form. `compiler.atom_holds`, the python executor's code generator, the durable
backend, the possible-firings evaluator and why-not all read this table; `tests/test_operators.py`
checks, for every atom operator, that the generated predicate and `holds` agree on a grid of
values (and the property tests check durable-rules against the python executor).

Semantics shared by all executors (facts hold no None): a missing field makes every test false
except `nex`; booleans never equal numbers; strings and numbers never compare in order; a set
field is a list that always holds the sentinel "*".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AtomOperator:
    """A primitive test of one fact field."""

    op: str
    words: str  # how the test reads: "tpp is at least 4800"
    symbol: str | None  # the Python comparison operator, for ordered and equality tests
    durable: Callable[[str, Any], dict]  # the durable-rules JSON of `field op value`


def _ordered(op: str) -> Callable[[str, Any], dict]:
    return lambda f, v: {f"${op}": {f: v}}


ATOM_OPERATORS: dict[str, AtomOperator] = {
    a.op: a
    for a in (
        AtomOperator("eq", "is", "==", lambda f, v: {f: v}),
        AtomOperator("neq", "is not", "!=", lambda f, v: {"$neq": {f: v}}),
        AtomOperator("gte", "is at least", ">=", _ordered("gte")),
        AtomOperator("gt", "is more than", ">", _ordered("gt")),
        AtomOperator("lte", "is at most", "<=", _ordered("lte")),
        AtomOperator("lt", "is less than", "<", _ordered("lt")),
        AtomOperator("has", "includes", None, lambda f, v: {"$iany": {f: {"$i": v}}}),
        AtomOperator("lacks", "does not include", None, lambda f, v: {"$iall": {f: {"$neq": {"$i": v}}}}),
        AtomOperator("ex", "is given", None, lambda f, v: {"$ex": {f: 1}}),
        AtomOperator("nex", "is not given", None, lambda f, v: {"$nex": {f: 1}}),
    )
}


def holds(op: str, field: str, value: Any, fact: dict) -> bool:
    """The meaning of an atom on a fact: the reference every executor must agree with."""
    if op == "nex":
        return field not in fact
    if field not in fact:
        return False
    seen = fact[field]
    if op == "ex":
        return True
    if op in ("has", "lacks"):
        if not isinstance(seen, list):
            return False
        return (value in seen) if op == "has" else all(v != value for v in seen)
    if isinstance(seen, bool) != isinstance(value, bool):
        return False
    if op == "eq":
        return bool(seen == value)
    if op == "neq":
        return bool(seen != value)
    if isinstance(seen, str) != isinstance(value, str) or isinstance(seen, list):
        return False  # strings and numbers never compare in order, nor do sets
    if op == "gte":
        return bool(seen >= value)
    if op == "gt":
        return bool(seen > value)
    if op == "lte":
        return bool(seen <= value)
    if op == "lt":
        return bool(seen < value)
    raise ValueError(f"unknown atom operator {op}")


def python_source(op: str, field: str, value: Any) -> str:
    """Python source with exactly the meaning of `holds(op, field, value, f)` over a fact `f`."""
    f, v = repr(field), value
    if op == "ex":
        return f"{f} in f"
    if op == "nex":
        return f"{f} not in f"
    if op in ("has", "lacks"):
        return f"(type(f.get({f})) is list and {v!r} {'in' if op == 'has' else 'not in'} f[{f}])"
    if isinstance(v, bool):
        kind = "type(f.get({f})) is bool"
    elif isinstance(v, str):
        kind = "type(f.get({f})) is str"
    else:
        kind = "type(f.get({f})) in _NUM"
    if op in ("eq", "neq") and not isinstance(v, bool):
        # numbers and strings compare for (in)equality with any non-bool value (a mismatch is unequal)
        kind = "({f} in f and type(f[{f}]) is not bool)"
    return f"({kind.format(f=f)} and f[{f}] {ATOM_OPERATORS[op].symbol} {v!r})"


# -- condition operators: what a rule file writes --------------------------------------------------

Compiled = tuple[tuple[tuple[str, str, Any], ...], ...]  # alternatives of conjunctions of (field, op, value)


@dataclass(frozen=True)
class ConditionOperator:
    """An operator a rule condition may use: its words, the field kinds it applies to, and how it
    compiles into alternatives (disjunctive normal form) of atoms."""

    name: str
    words: str
    kinds: frozenset[str]
    compile: Callable[[str, Any], Compiled]


def _one(op: str) -> Callable[[str, Any], Compiled]:
    """One atom: `field op value`."""
    return lambda f, v: (((f, op, v),),)


def _any(op: str) -> Callable[[str, Any], Compiled]:
    """One alternative per listed value: any of them."""
    return lambda f, vs: tuple(((f, op, x),) for x in vs)


def _all(op: str) -> Callable[[str, Any], Compiled]:
    """One conjunction over the listed values: all of them."""
    return lambda f, vs: (tuple((f, op, x) for x in vs),)


def _group(op: str) -> Callable[[str, Any], Compiled]:
    """A test of a country's dated groups, kept in the companion field `<name>_groups`."""
    return lambda f, g: (((f"{f}_groups", op, g),),)


_NUMERIC = frozenset({"num", "date"})
_SCALAR = frozenset({"str", "num", "date", "country"})

CONDITION_OPERATORS: dict[str, ConditionOperator] = {
    c.name: c
    for c in (
        ConditionOperator("equals", "is", _SCALAR | {"bool"}, _one("eq")),
        ConditionOperator("not_equals", "is not", _SCALAR, _one("neq")),
        ConditionOperator("in", "is one of", frozenset({"str", "country"}), _any("eq")),
        ConditionOperator("not_in", "is none of", frozenset({"str", "country"}), _all("neq")),
        ConditionOperator("in_group", "is in group", frozenset({"country"}), _group("has")),
        ConditionOperator("not_in_group", "is not in group", frozenset({"country"}), _group("lacks")),
        ConditionOperator("contains", "includes", frozenset({"set"}), _one("has")),
        ConditionOperator("not_contains", "does not include", frozenset({"set"}), _one("lacks")),
        ConditionOperator("contains_any", "includes any of", frozenset({"set"}), _any("has")),
        ConditionOperator("contains_none", "includes none of", frozenset({"set"}), _all("lacks")),
        ConditionOperator("gte", "is at least", _NUMERIC, _one("gte")),
        ConditionOperator("gt", "is more than", _NUMERIC, _one("gt")),
        ConditionOperator("lte", "is at most", _NUMERIC, _one("lte")),
        ConditionOperator("lt", "is less than", _NUMERIC, _one("lt")),
        ConditionOperator(
            "exists", "is given:", _SCALAR | {"bool"}, lambda f, v: (((f, "ex" if v else "nex", None),),)
        ),
    )
}

ORDERED = ("gte", "gt", "lte", "lt")  # the operators whose operand may be a dated parameter


def operators_by_kind() -> dict[str, set[str]]:
    """Per fact-field kind, the condition operators it admits (the loader checks conditions against it)."""
    out: dict[str, set[str]] = {}
    for c in CONDITION_OPERATORS.values():
        for kind in c.kinds:
            out.setdefault(kind, set()).add(c.name)
    return out
