"""Regime variants: dated changes to a rule set by id, overlaid like OpenFisca reforms.

A variant file names itself (`variant: {id, title, description}`) and lists `changes`, each one
action on one id:

    add_rule: {...}  + regime: ID        a new rule in an existing regime (`from`/`to` may give its
                                         window; the citation defaults to the variant)
    remove_rule: ID  [+ from: DATE]      repealed from DATE (deleted outright without a date)
    modify_rule: ID  + set: {...}        fields patched (mappings merge, lists and values replace);
                     [+ from: DATE]      with a date: the old text runs to the day before, the
                                         patched text (id `ID:VARIANT`) from DATE
    set_parameter: ID + from: DATE + value: V [+ to: DATE]
    add_to_group: ID + country: CC [+ from, to]
    remove_from_group: ID + country: CC [+ from: DATE]
    add_entry: {...} [+ from, to]        a list entry (Entity List or SDN); `from` = its listing date
    remove_entry: ID [+ from: DATE]      delisted from DATE

The variant is applied to the parsed rule files, and the result is assembled by the same loader
that checks the base rules, so a change that breaks a reference is reported like a bad rule file,
pointed back at the variant's change. Variants stack: each applies to the result of the last.
"""

from __future__ import annotations

import copy
import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import Any

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.ruleset.loader import RuleSet, assemble
from exportsim.engine.core.ruleset.ruledefs import Group, Id, ListEntry, Parameter, Rule, RuleFile
from exportsim.engine.core.ruleset.window import Window, end_before
from exportsim.engine.core.transaction.source import LineMap, load_file
from exportsim.engine.core.transaction.validation import problems_from, validate
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ACTIONS = (
    "add_rule",
    "remove_rule",
    "modify_rule",
    "set_parameter",
    "add_to_group",
    "remove_from_group",
    "add_entry",
    "remove_entry",
)
_NEEDS = {
    "add_rule": ("regime",),
    "modify_rule": ("set",),
    "set_parameter": ("start", "value"),
    "add_to_group": ("country",),
    "remove_from_group": ("country",),
}
_SECTION = {"rule": "rules", "parameter": "parameters", "group": "groups", "entry": "entries"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class VariantInfo(_Strict):
    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    source: str | None = Field(default=None, description="Where the scenario comes from (reference, news, memo).")


class Change(_Strict):
    """One dated change; exactly one action key."""

    add_rule: dict[str, Any] | None = None
    remove_rule: Id | None = None
    modify_rule: Id | None = None
    set_parameter: Id | None = None
    add_to_group: Id | None = None
    remove_from_group: Id | None = None
    add_entry: dict[str, Any] | None = None
    remove_entry: Id | None = None
    regime: Id | None = None
    set: dict[str, Any] | None = None
    value: int | float | str | None = None
    country: str | None = None
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    note: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        used = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(used) != 1:
            raise ValueError(
                f"A change needs exactly one action, found {len(used)} ({', '.join(used) or 'none'}). "
                f"Fix: use one of {', '.join(ACTIONS)}."
            )
        for need in _NEEDS.get(used[0], ()):
            if getattr(self, need) is None:
                key = {"start": "from"}.get(need, need)
                raise ValueError(f"'{used[0]}' needs '{key}'. Fix: add '{key}:' to this change.")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"The change ends ({self.end}) before it starts ({self.start}). Fix: correct the dates.")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ACTIONS if getattr(self, a) is not None)


class VariantFile(_Strict):
    variant: VariantInfo
    changes: list[Change] = Field(min_length=1)


def builtin_variants_dir() -> Path:
    return Path(str(files("exportsim.rules"))) / "variants"


def builtin_variants() -> list[Path]:
    return sorted(builtin_variants_dir().glob("*.yaml"))


def resolve_variant(arg: str) -> Path:
    """A path, or the id of a built-in variant (its file name without .yaml)."""
    path = Path(arg)
    if path.is_file():
        return path
    candidate = builtin_variants_dir() / f"{arg.removesuffix('.yaml')}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in builtin_variants())
    raise InputError.one(
        arg, "No such variant file, and no built-in variant of that name.", f"Give a path or one of: {known}."
    )


def load_variant(path: Path) -> tuple[VariantFile, LineMap]:
    data, lines = load_file(path)
    if not isinstance(data, dict):
        raise InputError.one(str(path), "A variant file must be a mapping.", "Start with 'variant:' and 'changes:'.", 1)
    return validate(VariantFile, data, str(path), lines), lines


def apply_variants(rules: RuleSet, args: list[str]) -> RuleSet:
    """Apply variants (paths or built-in ids) in order; every problem of every file is reported."""
    for arg in args:
        path = resolve_variant(arg)
        variant, lines = load_variant(path)
        rules = _Overlay(rules, variant, str(path), lines).apply()
    return rules


def _day_before(day: dt.date) -> str:
    return (day - dt.timedelta(days=1)).isoformat()


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and values replace."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _Overlay:
    """One variant applied to one rule set, on plain dicts, then re-assembled."""

    def __init__(self, rules: RuleSet, variant: VariantFile, file: str, lines: LineMap) -> None:
        self.rules = rules
        self.variant = variant
        self.file = file
        self.lines = lines
        self.docs: list[dict[str, Any]] = [
            rf.model_dump(mode="json", by_alias=True, exclude_none=True) for _, rf, _ in rules.documents
        ]
        # Per document and section, the original index of each item (None for an added one).
        self.origin: list[dict[str, list[int | None]]] = [
            {sec: list(range(len(doc.get(sec, [])))) for sec in _SECTION.values()} for doc in self.docs
        ]
        self.problems: list[Problem] = []
        self.touched: dict[str, int] = {}  # id -> index of the change that touched it last

    # -- locating -----------------------------------------------------------------------------

    def _find(self, kind: str, obj_id: str) -> tuple[int, int] | None:
        section = _SECTION[kind]
        for d, doc in enumerate(self.docs):
            for i, obj in enumerate(doc.get(section, [])):
                if obj.get("id") == obj_id:
                    return d, i
        return None

    def _problem(self, n: int, message: str, fix: str, *sub: Any) -> None:
        self.problems.append(Problem(self.file, message, fix, self.lines.line_for(("changes", n, *sub))))

    def _target(self, n: int, kind: str, obj_id: str) -> tuple[int, int] | None:
        where = self._find(kind, obj_id)
        if where is None:
            known = sorted(o.get("id", "") for doc in self.docs for o in doc.get(_SECTION[kind], []) if o.get("id"))
            hint = ", ".join(k for k in known if k.split(".")[0] == obj_id.split(".")[0])[:200] or ", ".join(known[:6])
            self._problem(n, f"There is no {kind} '{obj_id}' to change.", f"Use an existing {kind} id, e.g. {hint}.")
        self.touched[obj_id] = n
        return where

    def _insert(self, d: int, section: str, at: int, obj: dict[str, Any]) -> None:
        self.docs[d].setdefault(section, []).insert(at, obj)
        self.origin[d][section].insert(at, None)

    def _delete(self, d: int, section: str, i: int) -> None:
        del self.docs[d][section][i]
        del self.origin[d][section][i]

    def _checked(self, n: int, model: type[BaseModel], data: dict[str, Any], *sub: Any) -> bool:
        try:
            model.model_validate(data)
            return True
        except ValidationError as exc:
            self.problems.extend(problems_from(exc, self.file, self.lines, ("changes", n, *sub)))
            return False

    # -- the actions ----------------------------------------------------------------------------

    def apply(self) -> RuleSet:
        for n, change in enumerate(self.variant.changes):
            getattr(self, f"_{change.action}")(n, change)
        if self.problems:
            raise InputError(self.problems)
        parsed = []
        for (file, _, lines), doc, origin in zip(self.rules.documents, self.docs, self.origin, strict=True):
            parsed.append((file, RuleFile.model_validate(doc), _reindex(lines, origin)))
        try:
            out = assemble(parsed, self.rules.source)
        except InputError as err:
            raise InputError([self._blame(p) for p in err.problems]) from None
        out.variants = [*self.rules.variants, self.variant.variant.id]
        return out

    def _blame(self, p: Problem) -> Problem:
        """A problem the assembly found in something this variant changed points at the change."""
        for obj_id, n in self.touched.items():
            if f"'{obj_id}'" in p.message or f"'{obj_id}:" in p.message:
                return Problem(
                    self.file,
                    f"After this change, {p.message[0].lower()}{p.message[1:]}",
                    p.fix,
                    self.lines.line_for(("changes", n)),
                )
        return p

    def _defaults(self, obj: dict[str, Any], c: Change, date_key: str) -> dict[str, Any]:
        """What a hypothetical rule or entry may leave out: its citation is the variant itself,
        and the change's `from`/`to` give its dates."""
        out = copy.deepcopy(obj)
        v = self.variant.variant
        out.setdefault("citation", {"instrument": f"Variant {v.id}: {v.title}", "source": v.source or self.file})
        if c.start and date_key == "effective":
            out.setdefault("effective", {"from": c.start.isoformat(), **({"to": c.end.isoformat()} if c.end else {})})
        elif c.start and date_key == "added":
            out.setdefault("added", c.start.isoformat())
            if c.end:
                out.setdefault("removed", c.end.isoformat())
        return out

    def _add_rule(self, n: int, c: Change) -> None:
        rule = self._defaults(c.add_rule or {}, c, "effective")
        if not self._checked(n, Rule, rule, "add_rule"):
            return
        if self._find("rule", rule["id"]):
            self._problem(n, f"A rule '{rule['id']}' already exists.", "Use modify_rule to change it, or a new id.")
            return
        home = next((d for d, doc in enumerate(self.docs) if doc.get("regime", {}).get("id") == c.regime), None)
        if home is None:
            self._problem(n, f"There is no regime '{c.regime}'.", "Name a regime of the rule set.", "regime")
            return
        self._insert(home, "rules", len(self.docs[home].get("rules", [])), copy.deepcopy(rule))
        self.touched[rule["id"]] = n

    def _remove_rule(self, n: int, c: Change) -> None:
        where = self._target(n, "rule", c.remove_rule)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        rule = self.docs[d]["rules"][i]
        if c.start is None or c.start.isoformat() <= rule["effective"]["from"]:
            self._delete(d, "rules", i)
            for doc in self.docs:
                for other in doc.get("rules", []):
                    if c.remove_rule in other.get("displaces", []):
                        other["displaces"] = [x for x in other["displaces"] if x != c.remove_rule]
        else:
            rule["effective"]["to"] = end_before(rule["effective"].get("to"), c.start)

    def _modify_rule(self, n: int, c: Change) -> None:
        where = self._target(n, "rule", c.modify_rule)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        old = self.docs[d]["rules"][i]
        new = _merge(old, c.set or {})
        if "id" in (c.set or {}):
            self._problem(n, "A modify_rule change cannot rename the rule.", "Remove 'id' from 'set'.", "set", "id")
            return
        if c.start is None or c.start.isoformat() <= old["effective"]["from"]:
            if self._checked(n, Rule, new, "set"):
                self.docs[d]["rules"][i] = new
            return
        new_id = f"{old['id']}:{self.variant.variant.id}"
        new["id"] = new_id
        if "effective" not in (c.set or {}):
            new["effective"] = {**old["effective"], "from": c.start.isoformat()}
        if not self._checked(n, Rule, new, "set"):
            return
        old["effective"]["to"] = _day_before(c.start)
        if old["effective"]["to"] < old["effective"]["from"]:
            self._delete(d, "rules", i)
            i -= 1
        self._insert(d, "rules", i + 1, new)
        self.touched[new_id] = n
        for doc in self.docs:
            for other in doc.get("rules", []):
                if old["id"] in other.get("displaces", []) and new_id not in other["displaces"]:
                    other["displaces"] = [*other["displaces"], new_id]

    def _set_parameter(self, n: int, c: Change) -> None:
        where = self._target(n, "parameter", c.set_parameter)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        param = self.docs[d]["parameters"][i]
        start, end = c.start.isoformat(), (c.end.isoformat() if c.end else None)  # type: ignore[union-attr]
        kept = []
        for v in param["values"]:
            if v["from"] < start:
                kept.append({**v, "to": end_before(v.get("to"), c.start)})  # type: ignore[arg-type]
            if end is not None and (v.get("to") is None or v["to"] > end):
                after = (dt.date.fromisoformat(end) + dt.timedelta(days=1)).isoformat()
                kept.append({**v, "from": max(v["from"], after)})
        new_value = {"from": start, "value": c.value, "note": c.note or f"variant {self.variant.variant.id}"}
        if end:
            new_value["to"] = end
        param["values"] = sorted([*kept, new_value], key=lambda v: v["from"])
        self._checked(n, Parameter, param)

    def _add_to_group(self, n: int, c: Change) -> None:
        where = self._target(n, "group", c.add_to_group)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        group = self.docs[d]["groups"][i]
        member: dict[str, Any] = {"country": c.country, "note": c.note or f"variant {self.variant.variant.id}"}
        if c.start:
            member["from"] = c.start.isoformat()
        if c.end:
            member["to"] = c.end.isoformat()
        group.setdefault("members", []).append(member)
        self._checked(n, Group, group)

    def _remove_from_group(self, n: int, c: Change) -> None:
        where = self._target(n, "group", c.remove_from_group)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        group = self.docs[d]["groups"][i]
        members = group.get("members", [])
        mine = [m for m in members if (m if isinstance(m, str) else m["country"]) == c.country]
        if not mine:
            via = ", ".join(group.get("includes", []))
            extra = f" It may belong through an included group ({via}); change that group instead." if via else ""
            self._problem(
                n,
                f"'{c.country}' is not a listed member of group '{c.remove_from_group}'.{extra}",
                "Name a member country of this group.",
                "country",
            )
            return
        rest = [m for m in members if m not in mine]
        if c.start is not None:
            for m in mine:
                m = {"country": m} if isinstance(m, str) else dict(m)
                if Window.of(_day(m.get("from"))).start < c.start:
                    m["to"] = end_before(m.get("to"), c.start)
                    rest.append(m)
        group["members"] = rest

    def _add_entry(self, n: int, c: Change) -> None:
        entry = self._defaults(c.add_entry or {}, c, "added")
        if not self._checked(n, ListEntry, entry, "add_entry"):
            return
        if self._find("entry", entry["id"]):
            self._problem(n, f"A list entry '{entry['id']}' already exists.", "Use a new id, or remove_entry first.")
            return
        home = next((d for d, doc in enumerate(self.docs) if doc.get("entries")), 0)
        self._insert(home, "entries", len(self.docs[home].get("entries", [])), copy.deepcopy(entry))
        self.touched[entry["id"]] = n

    def _remove_entry(self, n: int, c: Change) -> None:
        where = self._target(n, "entry", c.remove_entry)  # type: ignore[arg-type]
        if where is None:
            return
        d, i = where
        entry = self.docs[d]["entries"][i]
        if c.start is None or c.start.isoformat() <= entry["added"]:
            self._delete(d, "entries", i)
        else:
            entry["removed"] = end_before(entry.get("removed"), c.start)


def _reindex(lines: LineMap, origin: dict[str, list[int | None]]) -> LineMap:
    """The file's line map with section indices moved to where the items now sit."""
    moved: dict[tuple[str, int], int] = {}
    for section, olds in origin.items():
        for new, old in enumerate(olds):
            if old is not None:
                moved[(section, old)] = new
    out = LineMap()
    for path, line in lines.lines.items():
        if len(path) >= 2 and path[0] in origin and isinstance(path[1], int):
            new_index = moved.get((path[0], path[1]))
            if new_index is None:
                continue
            path = (path[0], new_index, *path[2:])
        out.lines[path] = line
    return out
