"""The default executor: durable-rules does the matching, joining and forward chaining.

Written around the hazards reproduced in `shared/engineering/durable-rules.md`:
- only the safe subset is emitted: every pattern starts with a type tag, conjunctions only (each
  disjunct becomes its own durable rule), no field-to-field comparison across facts;
- a never-completing sink rule per fact type keeps any fact from being "not handled";
- each fact has a unique id; each evaluation has its own session id, deleted afterwards, so
  evaluations are isolated and the 1024-session cap is never reached;
- actions never raise: errors are recorded and re-raised after the call;
- every session fires at least one action: `delete_state` on a session in which no action ran
  aborts the process (`free(): invalid pointer`; reproduced in session 2 with one rule and one
  non-matching fact), so each run asserts a session-opening fact that a no-op rule always takes;
- numbers reach the C parser without exponents: it rejects `1e+25` and `5e-05` (error 204 when
  the ruleset is created, a parse failure when a fact is asserted) and clamps integers beyond 64
  bits, so durable's JSON encoder is given a shim that writes every float, and every very large
  integer, as plain decimal text (see `_PlainNumberJson`);
- the timer threads are disabled (`_run` is a no-op) for deterministic single-threaded use;
- one ruleset is created per rule set, never per transaction or date (rulesets cannot be freed).
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import secrets
from collections.abc import Callable
from decimal import Decimal

import durable.engine as durable_engine
from durable.engine import Host

from .compiler import Atom, CompiledRule
from .firing import Firing, derived_fact

_NEVER = {"z__never": {"t": "__exportsim_never__"}}
_SESSION_TYPE = "__exportsim_session__"
_counter = itertools.count()


_NUMBER_TOKEN = "\x00num" + secrets.token_hex(6) + ":"
_MARKED_NUMBER = re.compile(re.escape(json.dumps(_NUMBER_TOKEN)[:-1]) + r'(-?[0-9.]+)"')


def plain_decimal(value: float) -> str:
    """The shortest round-tripping decimal of `value`, without an exponent, always with a point."""
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else text + ".0"


_BIG = 2**53
# Text a troublesome number produces: Python writes exponents as e+NN / e-NN; a double loses
# integers of 16 digits or more. A match inside a string only costs the slow path.
_LONG_DIGITS = re.compile(r"[0-9]{16}")


def _needs_mark(value: object) -> bool:
    """A float whose repr would have an exponent (or is not finite), or an int too big for a double."""
    t = type(value)
    if t is float:
        text = repr(value)
        return "e" in text or "n" in text  # 1e+25, 5e-05, inf, nan
    return t is int and not -_BIG < value < _BIG  # type: ignore[operator]


def _mark_numbers(obj: object) -> object:
    """`obj` with the numbers durable's parser cannot read replaced by marked decimal text.
    Containers are copied only when something inside them changes (the common case is none)."""
    t = type(obj)
    if t is dict:
        out = None
        for k, v in obj.items():  # type: ignore[attr-defined]
            new = (
                _mark_numbers(v)
                if type(v) in (dict, list, tuple)
                else (_NUMBER_TOKEN + plain_decimal(v) if _needs_mark(v) else v)
            )
            if new is not v:
                if out is None:
                    out = dict(obj)  # type: ignore[call-overload]
                out[k] = new
        return obj if out is None else out
    if t is list or t is tuple:
        items = [_mark_numbers(v) for v in obj]  # type: ignore[attr-defined]
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items  # type: ignore[call-overload]
    if _needs_mark(obj):
        return _NUMBER_TOKEN + plain_decimal(obj)  # type: ignore[arg-type]
    return obj


class _PlainNumberJson:
    """Stands in for the `json` module inside durable.engine: numbers are written as plain decimals.

    Floats are first replaced by a per-process random token plus their decimal text, then the
    quoted tokens are unquoted in the encoded text; user strings cannot forge the token.
    """

    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(obj: object, **kwargs) -> str:
        text = json.dumps(obj, **kwargs)
        suspect = "e+" in text or "e-" in text or "Infinity" in text or "NaN" in text
        if not suspect and _LONG_DIGITS.search(text) is None:
            return text  # no exponent, no long integer, no inf/nan anywhere: already plain
        return _MARKED_NUMBER.sub(r"\1", json.dumps(_mark_numbers(obj), **kwargs))


durable_engine.json = _PlainNumberJson  # type: ignore[attr-defined]


class EngineFailure(RuntimeError):
    """durable-rules failed or an action raised; the message says which rule."""


def atom_to_durable(atom: Atom) -> dict:
    f, v = atom.field, atom.value
    match atom.op:
        case "eq":
            return {f: v}
        case "neq":
            return {"$neq": {f: v}}
        case "gte" | "gt" | "lte" | "lt":
            return {f"${atom.op}": {f: v}}
        case "ex":
            return {"$ex": {f: 1}}
        case "nex":
            return {"$nex": {f: 1}}
        case "has":
            return {"$iany": {f: {"$i": v}}}
        case "lacks":
            return {"$iall": {f: {"$neq": {"$i": v}}}}
    raise ValueError(f"unknown atom operator {atom.op}")


def ruleset_definition(compiled: list[CompiledRule], fact_types: list[str]) -> tuple[dict, dict[str, str]]:
    """The pure-JSON ruleset and the map from durable rule names to rule ids."""
    definition: dict[str, dict] = {}
    names: dict[str, str] = {}
    for n, rule in enumerate(compiled):
        for k, branch in enumerate(rule.branches()):
            name = f"r{n}_{k}"
            names[name] = rule.rule.id
            patterns = []
            for alias, atoms in branch.items():
                pattern_type = next(p.type for p in rule.patterns if p.alias == alias)
                terms = [{"t": pattern_type}, *(atom_to_durable(a) for a in atoms)]
                patterns.append({f"a_{alias}": {"$and": terms} if len(terms) > 1 else terms[0]})
            definition[name] = {"all": patterns, "run": name}
    definition["__session__"] = {"all": [{"s": {"t": _SESSION_TYPE}}], "run": "__noop__"}
    for t in fact_types:
        definition[f"sink_{t}"] = {"all": [{"m": {"t": t}}, _NEVER], "run": "__sink__"}
    return definition, names


class _QuietHost(Host):
    """A Host without timer threads, resolving actions through a callback."""

    def __init__(self, resolve: Callable[[str], Callable]) -> None:
        self._resolve = resolve
        super().__init__()

    def _run(self) -> None:  # no perpetual timer threads
        return None

    def get_action(self, action_name: str) -> Callable:
        return self._resolve(action_name)


class DurableBackend:
    """Compiles once per rule set; `run` evaluates one transaction's facts in its own session."""

    name = "durable"

    def __init__(self, compiled: list[CompiledRule], fact_types: list[str]) -> None:
        self.by_id = {r.rule.id: r for r in compiled}
        self.definition, self.names = ruleset_definition(compiled, fact_types)
        self.ruleset = f"exportsim_{next(_counter)}"
        self._firings: list[Firing] = []
        self._derived: dict[str, dict] = {}
        self._errors: list[str] = []
        self.host = _QuietHost(self._action)
        # set_rulesets mutates what it is given: pass a copy, keep the JSON for hashing/inspection.
        self.host.set_rulesets({self.ruleset: copy.deepcopy(self.definition)})

    def _action(self, name: str) -> Callable:
        if name in ("__sink__", "__noop__"):
            return lambda c: None
        rule = self.by_id[self.names[name]]
        aliases = [p.alias for p in rule.patterns]

        def act(c) -> None:  # exactly one parameter: two would make durable treat it as async
            try:
                bound = {a: dict(getattr(c, f"a_{a}")._d) for a in aliases}
                binding = tuple(sorted((a, f["id"]) for a, f in bound.items()))
                if rule.rule.derive is None:
                    self._firings.append(Firing(rule.rule.id, binding))
                    return
                fact = derived_fact(rule, bound, bound[aliases[0]]["sid"])
                self._firings.append(Firing(rule.rule.id, binding, fact["id"]))
                if fact["id"] not in self._derived:
                    self._derived[fact["id"]] = fact
                    c.assert_fact(fact)
            except Exception as exc:  # durable swallows exceptions; keep them to raise later
                self._errors.append(f"rule {rule.rule.id}: {type(exc).__name__}: {exc}")

        return act

    def run(self, facts: list[dict], sid: str = "0") -> tuple[list[Firing], list[dict]]:
        self._firings, self._derived, self._errors = [], {}, []
        sid = f"s{next(_counter)}"
        opening = {"id": "__session__", "t": _SESSION_TYPE, "sid": sid}
        payload = [opening, *(dict(f, sid=sid) for f in facts)]
        try:
            self.host.assert_facts(self.ruleset, payload)
            state = self.host.get_state(self.ruleset, sid)
        except Exception as exc:
            raise EngineFailure(f"durable-rules failed: {type(exc).__name__}: {exc}") from exc
        finally:
            # The session may not exist if the assertion failed early.
            with contextlib.suppress(Exception):
                self.host.delete_state(self.ruleset, sid)
        if isinstance(state, dict) and state.get("exception"):
            self._errors.append(str(state["exception"]))
        if self._errors:
            raise EngineFailure("; ".join(self._errors))
        unique = {f.key: f for f in self._firings}
        derived = [dict(d, sid="py") for d in self._derived.values()]
        return list(unique.values()), derived

    def definition_json(self) -> str:
        return json.dumps(self.definition, sort_keys=True)
