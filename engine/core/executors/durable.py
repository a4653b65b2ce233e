"""The default executor: durable-rules does the matching, joining and forward chaining.

The rule set is compiled once into durable-rules' C network (`durable_rules_engine`, the matcher
the durable-rules package ships) and driven through that module's own calls, without the
package's Python `Host` layer: per action that layer re-encodes the session state, builds closure
objects and reads the clock, which cost more than the matching itself (profiled in issue 8).

Written around the hazards reproduced in `shared/engineering/durable-rules.md`:
- only the safe subset is emitted: every pattern starts with a type tag, conjunctions only (each
  disjunct becomes its own durable rule), no field-to-field comparison across facts;
- a never-completing sink rule per fact type keeps any fact from being "not handled";
- each fact has a unique id within an evaluation;
- one session per backend, reused: creating a session allocates and clears state for every node
  of the network (about 0.2 ms on this rule set, more than the matching itself), so after
  each evaluation every fact it asserted, derived ones included, is retracted by id and the session
  is checked to be empty of pending actions. No session is ever deleted in normal use (deleting a
  session in which no action ran aborts the process), and the 1024-session cap is never near;
- an error in an action is not swallowed: the remaining actions are drained, the facts retracted,
  and the error raised with the rule's id;
- numbers reach the C parser without exponents: it rejects `1e+25` and `5e-05` (error 204 when
  the ruleset is created, a parse failure when a fact is asserted) and clamps integers beyond 64
  bits, so every such number is written as plain decimal text (see `encode`);
- facts are sent projected on the fields some rule tests (plus type, id and date): fewer bytes to
  encode and parse, and actions map the fact ids durable-rules returns back to the full facts;
- one ruleset is created per rule set, never per transaction or date (rulesets cannot be freed).

Importing this module imports durable-rules' C extension, so nothing imports it at module level:
`engine/core/evaluate.py` does, only when an evaluator for the durable engine is built (see
`load_durable_backend` there), and turns an ImportError into `EngineUnavailable`. `EngineFailure`
lives in `engine/core/errors.py` (re-exported here for old imports).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from decimal import Decimal

import durable_rules_engine as _c
import orjson
from exportsim.engine.core.errors import EngineFailure
from exportsim.engine.core.executors.firing import Deriver, Firing
from exportsim.engine.core.ruleset.compiler import Atom, CompiledRule
from exportsim.engine.core.ruleset.operators import ATOM_OPERATORS

_NEVER = {"z__never": {"t": "__exportsim_never__"}}
_ALWAYS_SENT = ("date", "id", "t")
_counter = itertools.count()
# Result codes of durable_rules_engine's assert calls (rules.h): 1 not handled, 2 already observed.
_OK_CODES = (0, 3)
_ERROR_CODES = {1: "a fact matched no pattern (not handled)", 2: "a fact with the same id was already asserted"}


_NUMBER_TOKEN = "\x00num" + secrets.token_hex(6) + ":"
_MARKED_NUMBER = re.compile(re.escape(json.dumps(_NUMBER_TOKEN)[:-1]) + r'(-?[0-9.]+)"')


def plain_decimal(value: float) -> str:
    """The shortest round-tripping decimal of `value`, without an exponent, always with a point."""
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else text + ".0"


_BIG = 2**53


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


def encode(obj: object) -> str:
    """JSON that durable-rules' parser reads as meant: every number as plain decimal text.

    Troublesome numbers are first replaced by a per-process random token plus their decimal
    text, then the quoted tokens are unquoted in the encoded text; user strings cannot forge it.
    """
    marked = _mark_numbers(obj)
    text = json.dumps(marked, ensure_ascii=False)
    return text if marked is obj else _MARKED_NUMBER.sub(r"\1", text)


def _plain(value: object) -> bool:
    """True when json (and orjson, checked in the tests) writes `value` as durable-rules reads
    it: text, booleans, None, integers a double holds, floats Python's repr writes without an
    exponent (from 1e-4 up to 1e16), lists of text. Checked by type and range, not by encoding."""
    t = type(value)
    if t is str or t is bool or value is None:
        return True
    if t is float:
        return value == 0.0 or 1e-4 <= abs(value) < 1e16  # type: ignore[operator]  # false for inf, nan
    if t is int:
        return -_BIG < value < _BIG  # type: ignore[operator]
    if t is list:
        return all(type(x) is str for x in value)  # type: ignore[attr-defined]
    return False


def encode_facts(facts: list[dict], checked: dict[str, tuple[str, ...]] | None = None) -> str:
    """`encode` for a list of flat facts. When no number needs rewriting (the common case),
    orjson writes them, several times faster than the json module and with the same text.
    `checked` names, per fact type, the only fields that can hold a number (the others are
    text, booleans, dates or lists of text by the fact schema); without it every field is
    checked."""
    if checked is None:
        plain = all(_plain(v) for f in facts for v in f.values())
    else:
        plain = all(_plain(f.get(k)) for f in facts for k in checked.get(f["t"], ()))
    if plain:
        try:
            return orjson.dumps(facts).decode()
        except TypeError:
            pass
    return encode(facts)


def atom_to_durable(atom: Atom) -> dict:
    """The durable-rules JSON of an atom (operators.ATOM_OPERATORS)."""
    found = ATOM_OPERATORS.get(atom.op)
    if found is None:
        raise ValueError(f"unknown atom operator {atom.op}")
    return found.durable(atom.field, atom.value)


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
    for t in fact_types:
        definition[f"sink_{t}"] = {"all": [{"m": {"t": t}}, _NEVER], "run": "__sink__"}
    return definition, names


def tested_fields(compiled: list[CompiledRule]) -> dict[str, tuple[str, ...]]:
    """Per fact type, the fields some rule tests, plus what every fact carries (type, id, date)."""
    fields: dict[str, set[str]] = {}
    for rule in compiled:
        for p in rule.patterns:
            seen = fields.setdefault(p.type, set(_ALWAYS_SENT))
            seen.update(a.field for a in p.window)
            seen.update(a.field for c in p.conditions for alt in c.alternatives for a in alt)
    return {t: tuple(sorted(f)) for t, f in fields.items()}


class DurableBackend:
    """Compiles once per rule set; `run` evaluates one transaction's facts in the reused session."""

    name = "durable"

    def __init__(self, compiled: list[CompiledRule], schema: dict[str, dict[str, str]]) -> None:
        """`schema`: per fact type, each field's kind (the loader's fact schema)."""
        self.by_id = {r.rule.id: r for r in compiled}
        self.definition, self.names = ruleset_definition(compiled, sorted(schema))
        self.fields = tested_fields(compiled)
        # The sent fields that may hold a number: kind "num", or a field the schema does not name.
        textual = {"str", "bool", "date", "country", "set"}
        self.numeric = {
            t: tuple(
                f
                for f in fields
                if f not in ("id", "t")
                and schema.get(t, {}).get(f, schema.get(t, {}).get(f.removesuffix("_groups"))) not in textual
            )
            for t, fields in self.fields.items()
        }
        self.ruleset = f"exportsim_{next(_counter)}"
        # What each durable rule's action does: nothing (sinks), or record a firing of a rule.
        # Aliases sorted, so the binding built in that order is sorted by alias as in `Firing`.
        self._actions: dict[str, tuple[CompiledRule, tuple[str, ...], Deriver | None] | None] = {}
        for name in self.definition:
            rule = self.by_id[self.names[name]] if name in self.names else None
            if rule is None:
                self._actions[name] = None
                continue
            aliases = tuple(sorted(p.alias for p in rule.patterns))
            self._actions[name] = (rule, aliases, Deriver(rule) if rule.rule.derive else None)
        network = {name: {k: v for k, v in r.items() if k != "run"} for name, r in self.definition.items()}
        self._handle = _c.create_ruleset(self.ruleset, encode(network))
        self._sid = f"{self.ruleset}_s{next(_counter)}"

    def _project(self, fact: dict) -> dict:
        keep = self.fields.get(fact["t"], _ALWAYS_SENT)
        out = {k: fact[k] for k in keep if k in fact}
        out["sid"] = self._sid
        return out

    def run(self, facts: list[dict]) -> tuple[list[Firing], list[dict]]:
        """The firings (each rule and binding once) and the derived facts of one transaction."""
        known = {f["id"]: f for f in facts}
        derived: dict[str, dict] = {}
        firings: dict[tuple, Firing] = {}
        errors: list[str] = []
        broken = False  # a failed call to the C module leaves the session in an unknown state
        try:
            code, state = _c.assert_facts(self._handle, encode_facts([self._project(f) for f in facts], self.numeric))
            if code not in _OK_CODES:
                errors.append(_ERROR_CODES.get(code, f"durable-rules returned code {code}"))
            started = _c.start_action_for_state(self._handle, state)
            message = started[1] if started else None
            while message is not None:
                if not errors:
                    self._act(message, known, derived, firings, errors)
                message = _c.complete_and_start_action(self._handle, state)
        except Exception as exc:  # the C module raises its own error type for failed calls
            errors.append(f"durable-rules failed: {type(exc).__name__}: {exc}")
            broken = True
        finally:
            self._clear(known, broken)
        if errors:
            raise EngineFailure("; ".join(errors))
        return list(firings.values()), list(derived.values())

    def _act(self, message: str, known: dict, derived: dict, firings: dict, errors: list[str]) -> None:
        """One action: record the firing; a derive rule asserts its fact (forward chaining)."""
        ((name, matched),) = orjson.loads(message).items()
        action = self._actions[name]
        if action is None:
            return
        rule, aliases, derive = action
        rule_id = rule.rule.id
        try:
            bound = {a: known[matched[f"a_{a}"]["id"]] for a in aliases}
            binding = tuple((a, bound[a]["id"]) for a in aliases)
            if derive is None:
                firings.setdefault((rule_id, binding), Firing(rule_id, binding))
                return
            fact = derive(bound, binding, "py")
            firings.setdefault((rule_id, binding), Firing(rule_id, binding, fact["id"]))
            if fact["id"] not in known:
                known[fact["id"]] = derived[fact["id"]] = fact
                code, _ = _c.assert_fact(self._handle, encode_facts([self._project(fact)], self.numeric)[1:-1])
                if code not in _OK_CODES:
                    errors.append(f"rule {rule_id}: " + _ERROR_CODES.get(code, f"code {code}"))
        except Exception as exc:
            errors.append(f"rule {rule_id}: {type(exc).__name__}: {exc}")

    def _clear(self, known: dict, broken: bool) -> None:
        """Retract every fact of the evaluation so the session is empty for the next one.

        A session is left behind for a new one when a call failed mid-evaluation (an action
        started and never completed locks a session for up to a minute, during which it would
        report no actions: silent false negatives), when retraction fails, or when an action
        still waits afterwards. Never observed; each such session counts towards the cap of 1024.
        """
        clean = not broken
        if clean:
            try:
                ids = json.dumps([{"id": i, "sid": self._sid} for i in known])
                _, state = _c.retract_facts(self._handle, ids)
                clean = _c.start_action_for_state(self._handle, state) is None  # nothing may wait now
            except Exception:
                clean = False
        if not clean:
            self._sid = f"{self.ruleset}_s{next(_counter)}"

    def definition_json(self) -> str:
        return json.dumps(self.definition, sort_keys=True)
