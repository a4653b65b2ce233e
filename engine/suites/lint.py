"""Rule lint: static checks of a loaded rule set for rules that cannot work as their authors meant.

The loader already rejects what is malformed (unknown ids, wrong kinds, reversed windows). Lint
finds what is well-formed but wrong in substance:

- never-in-force      a rule has no day on which its window, the values of the parameters it
                      compares with, the groups it tests and the rules deriving the facts it
                      needs are all in force together
- contradictory       two conditions on one field of one fact that no value satisfies together
- empty-group         a rule requires membership of a group that has no member on any day the
                      rule could fire
- conflict            two rules of one regime, one permitting and one restricting, that can fire
                      on the same facts on the same day, with no `displaces` between them
- unused-parameter, unused-group   defined but read by no rule (nor by the fact builder)
- citation-source     a citation with neither a `url` nor a `source` to check it against
- parameter-gap       a parameter's dated values leave days with no value between two values

Time is handled as sets of inclusive day intervals, so every check holds on every date, not
just on today's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.facts.flatten import (
    AFFILIATES_THRESHOLD,
    MATCH_THRESHOLD,
    OWNERSHIP_THRESHOLD,
    REVIEW_THRESHOLD,
)
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.ruledefs import Citation, Condition, ParamRef, Rule

KINDS = (
    "never-in-force",
    "contradictory",
    "empty-group",
    "conflict",
    "unused-parameter",
    "unused-group",
    "citation-source",
    "parameter-gap",
)
ENGINE_PARAMETERS = {
    OWNERSHIP_THRESHOLD,
    AFFILIATES_THRESHOLD,
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
}  # read by the fact builder, not by rules
_END = dt.date.max
Spans = list[tuple[dt.date, dt.date]]


@dataclass(frozen=True)
class LintFinding:
    kind: str
    subject: str  # the id of the rule, parameter or group concerned
    message: str
    fix: str
    file: str | None = None
    line: int | None = None

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "")
        return f"{where}: [{self.kind}] {self.message} Fix: {self.fix}"

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
        }


# -- day intervals ----------------------------------------------------------------------------


def _span(start: dt.date, end: dt.date | None) -> Spans:
    return [(start, end or _END)]


def _union(spans: Spans) -> Spans:
    out: Spans = []
    for s, e in sorted(spans):
        if out and s <= _next(out[-1][1]):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _intersect(a: Spans, b: Spans) -> Spans:
    out = [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b if max(s1, s2) <= min(e1, e2)]
    return _union(out)


def _next(day: dt.date) -> dt.date:
    return day if day == _END else day + dt.timedelta(days=1)


def _label(spans: Spans) -> str:
    return ", ".join(f"{s}..{'open' if e == _END else e}" for s, e in spans) or "no day"


# -- the checks -------------------------------------------------------------------------------


class _Linter:
    def __init__(self, rules: RuleSet) -> None:
        self.rs = rules
        self.out: list[LintFinding] = []
        self.live = self._live_windows()

    def add(self, kind: str, subject: str, message: str, fix: str) -> None:
        origin = self.rs.origins.get(subject)
        self.out.append(LintFinding(kind, subject, message, fix, origin.file if origin else None,
                                    origin.line if origin else None))  # fmt: skip

    # A rule's live window: its own window, narrowed to days when every parameter it compares
    # with has a value, every group it tests is in force, and each derived fact it needs can be
    # derived (some deriving rule is live). Derivations are acyclic, so a few passes settle it.
    def _live_windows(self) -> dict[str, Spans]:
        rs = self.rs
        live: dict[str, Spans] = {rid: _span(r.effective.start, r.effective.end) for rid, r in rs.rules.items()}
        for _ in range(len(rs.rules) + 1):
            derivable: dict[str, Spans] = {}
            for rid, r in rs.rules.items():
                if r.derive:
                    derivable[r.derive.type] = _union(derivable.get(r.derive.type, []) + live[rid])
            changed = False
            for rid, r in rs.rules.items():
                window = _span(r.effective.start, r.effective.end)
                for pattern in r.when.values():
                    if pattern.type in rs.derived_types:
                        window = _intersect(window, derivable.get(pattern.type, []))
                    for c in pattern.where:
                        window = _intersect(window, self._condition_days(c))
                if window != live[rid]:
                    live[rid], changed = window, True
            if not changed:
                break
        return live

    def _condition_days(self, c: Condition) -> Spans:
        operand = c.operand
        if isinstance(operand, ParamRef):
            return _union([(v.start, v.end or _END) for v in self.rs.parameters[operand.param].values])
        if c.operator == "in_group":
            g = self.rs.groups[operand]
            return _span(g.effective.start, g.effective.end)
        return [(dt.date.min, _END)]

    def never_in_force(self) -> None:
        for rid, r in self.rs.rules.items():
            if not self.live[rid]:
                self.add(
                    "never-in-force",
                    rid,
                    f"Rule '{rid}' can never fire: its window {r.effective.label()} shares no day with the "
                    "values of the parameters it compares with, the groups it tests, or the rules that "
                    "derive the facts it needs.",
                    "Align the rule's 'effective' dates with what it depends on, or date those values.",
                )

    def contradictory(self) -> None:
        for rid, r in self.rs.rules.items():
            for alias, pattern in r.when.items():
                for a, b in combinations(pattern.where, 2):
                    if a.field == b.field and self._clash(a, b):
                        self.add(
                            "contradictory",
                            rid,
                            f"Rule '{rid}': on '{alias}.{a.field}' the conditions '{a.describe()}' and "
                            f"'{b.describe()}' cannot both hold, so the rule never fires.",
                            "Remove or correct one of the two conditions.",
                        )

    def _clash(self, a: Condition, b: Condition) -> bool:
        """True when no single value satisfies both conditions on every day both could apply."""
        days = _intersect(self._condition_days(a), self._condition_days(b))
        samples = [s for s, _ in days] or [dt.date.min]
        return all(self._clash_on(a, b, day) for day in samples)

    def _resolve(self, operand, day: dt.date):
        if isinstance(operand, ParamRef):
            v = self.rs.parameters[operand.param].value_on(day)
            return None if v is None else v.value
        return operand

    def empty_groups(self) -> None:
        for rid, r in self.rs.rules.items():
            for pattern in r.when.values():
                for c in pattern.where:
                    if c.operator != "in_group":
                        continue
                    days = _intersect(self.live[rid], self._condition_days(c))
                    if days and not any(self._members(c.operand, d) for d in self._change_days(c.operand, days)):
                        self.add(
                            "empty-group",
                            rid,
                            f"Rule '{rid}' requires membership of group '{c.operand}', which has no member on "
                            f"any day the rule could fire ({_label(days)}).",
                            "Add the members to the group (or include a group that has them), or fix the dates.",
                        )

    def _members(self, gid: str, day: dt.date, seen: frozenset[str] = frozenset()) -> set[str]:
        g = self.rs.groups[gid]
        if not g.effective.contains(day):
            return set()
        out = g.members_on(day)
        for inc in g.includes:
            if inc not in seen:
                out |= self._members(inc, day, seen | {gid})
        return out

    def _change_days(self, gid: str, days: Spans) -> list[dt.date]:
        """Every day within `days` on which the group's membership can change (and each span's start)."""
        marks = {s for s, _ in days}
        stack, seen = [gid], set()
        while stack:
            g = self.rs.groups[stack.pop()]
            if g.id in seen:
                continue
            seen.add(g.id)
            stack.extend(g.includes)
            for m in g.members:
                if not isinstance(m, str):
                    marks.update(x for x in (m.start, m.end and _next(m.end)) if x)
        return sorted(d for d in marks if any(s <= d <= e for s, e in days))

    def _clash_on(self, a: Condition, b: Condition, day: dt.date) -> bool:
        """Whether no value can satisfy both conditions on `day` (False when unsure)."""
        x, y = self._resolve(a.operand, day), self._resolve(b.operand, day)
        ops = (a.operator, b.operator)
        if "exists" in ops:
            e, other = (a, b) if a.operator == "exists" else (b, a)
            return e.exists is False and other.operator != "exists" and not other.operator.startswith("not_")
        allowed_a, allowed_b = self._allowed(a.operator, x, day), self._allowed(b.operator, y, day)
        if allowed_a is not None and allowed_b is not None and not (allowed_a & allowed_b):
            return True
        for allowed, other, value in ((allowed_a, b.operator, y), (allowed_b, a.operator, x)):
            if allowed is not None and other in ("not_equals", "not_in"):
                banned = {value} if other == "not_equals" else set(value)
                if allowed <= banned:
                    return True
        if ops in (("in_group", "not_in_group"), ("not_in_group", "in_group")):
            inside, outside = (x, y) if a.operator == "in_group" else (y, x)
            if self._members(inside, day) <= self._members(outside, day):
                return True
        if ops in (("contains", "not_contains"), ("not_contains", "contains")) and x == y:
            return True
        return _empty_range(a.operator, x, b.operator, y)

    def _allowed(self, op: str, value, day: dt.date) -> set | None:
        """The values a condition admits, when it admits a known finite set."""
        if op == "equals":
            return {value}
        if op == "in":
            return set(value)
        if op == "in_group":
            return self._members(value, day)
        return None

    def conflicts(self) -> None:
        by_regime: dict[str, list[Rule]] = {}
        for rid, r in self.rs.rules.items():
            if r.outcome is not None and self.live[rid]:
                by_regime.setdefault(self.rs.rule_regime[rid], []).append(r)
        permissive = Outcome.LICENSE_EXCEPTION.strength
        for regime, rules in by_regime.items():
            for a, b in combinations(rules, 2):
                lo, hi = sorted((a, b), key=lambda r: r.outcome.strength)  # type: ignore[union-attr]
                if lo.outcome.strength > permissive or hi.outcome.strength <= permissive:  # type: ignore[union-attr]
                    continue
                if lo.displaces or hi.id in lo.displaces or lo.id in hi.displaces:
                    continue  # an exception that names what it displaces has declared its reach
                together = _intersect(self.live[lo.id], self.live[hi.id])
                if not together or self._exclusive(lo, hi, together):
                    continue
                self.add(
                    "conflict",
                    lo.id,
                    f"Rules '{lo.id}' ({lo.outcome}) and '{hi.id}' ({hi.outcome}) of regime '{regime}' can fire "
                    f"on the same facts ({_label(together)}) and neither displaces the other, so the permission "
                    "never takes effect against the requirement.",
                    f"If '{lo.id}' is an exception to '{hi.id}', add 'displaces: [{hi.id}]'; otherwise make "
                    "their conditions exclusive.",
                )

    def _exclusive(self, a: Rule, b: Rule, days: Spans) -> bool:
        """True when, on the fact types both rules bind, some pair of conditions cannot both hold."""
        by_type_b = {p.type: p for p in b.when.values()}
        for pa in a.when.values():
            pb = by_type_b.get(pa.type)
            if pb is None:
                continue
            for ca in pa.where:
                for cb in pb.where:
                    if ca.field == cb.field and all(self._clash_on(ca, cb, s) for s, _ in days):
                        return True
        return False

    def unused(self) -> None:
        params: set[str] = set(ENGINE_PARAMETERS)
        groups: set[str] = set()
        for r in self.rs.rules.values():
            for pattern in r.when.values():
                for c in pattern.where:
                    if isinstance(c.operand, ParamRef):
                        params.add(c.operand.param)
                    if c.operator in ("in_group", "not_in_group"):
                        groups.add(c.operand)
        stack = list(groups)
        while stack:
            for inc in self.rs.groups[stack.pop()].includes:
                if inc not in groups:
                    groups.add(inc)
                    stack.append(inc)
        for pid in sorted(set(self.rs.parameters) - params):
            self.add("unused-parameter", pid, f"Parameter '{pid}' is read by no rule.",
                     "Compare a rule's condition with it ({param: ...}), or delete it.")  # fmt: skip
        for gid in sorted(set(self.rs.groups) - groups):
            self.add("unused-group", gid, f"Group '{gid}' is tested by no rule and included by no group that is.",
                     "Use it in an in_group / not_in_group condition or an 'includes', or delete it.")  # fmt: skip

    def citations(self) -> None:
        cited: list[tuple[str, Citation]] = [
            *((i, o.citation) for i, o in self.rs.rules.items()),
            *((i, o.citation) for i, o in self.rs.parameters.items()),
            *((i, o.citation) for i, o in self.rs.groups.items()),
            *((i, o.citation) for i, o in self.rs.entries.items()),
        ]
        for obj_id, c in cited:
            if not (c.url or c.source):
                self.add(
                    "citation-source",
                    obj_id,
                    f"The citation of '{obj_id}' ({c.text()}) gives neither a 'url' nor a 'source', so a reader "
                    "cannot check it.",
                    "Add 'url:' (the official text) or 'source:' (where the fact was confirmed).",
                )

    def parameter_gaps(self) -> None:
        for pid, p in self.rs.parameters.items():
            ordered = sorted(p.values, key=lambda v: v.start)
            for before, after in zip(ordered, ordered[1:], strict=False):
                if before.end is not None and _next(before.end) < after.start:
                    self.add(
                        "parameter-gap",
                        pid,
                        f"Parameter '{pid}' has no value from {_next(before.end)} to "
                        f"{after.start - dt.timedelta(days=1)}: rules comparing with it cannot fire then.",
                        f"Extend the earlier value's 'to' to {after.start - dt.timedelta(days=1)}, or add a value "
                        "for the gap (a gap that is the law's should be a rule window, not a missing value).",
                    )


def _empty_range(op_a: str, x, op_b: str, y) -> bool:
    bounds = {}
    for op, v in ((op_a, x), (op_b, y)):
        if op in ("gte", "gt", "lte", "lt") and v is not None:
            bounds.setdefault(op[0], []).append((op, v))
    if "g" not in bounds or "l" not in bounds:
        return False
    try:
        for gop, lo in bounds["g"]:
            for lop, hi in bounds["l"]:
                if lo > hi or (lo == hi and (gop == "gt" or lop == "lt")):
                    return True
    except TypeError:
        return False
    return False


def lint(rules: RuleSet) -> list[LintFinding]:
    linter = _Linter(rules)
    linter.never_in_force()
    linter.contradictory()
    linter.empty_groups()
    linter.conflicts()
    linter.unused()
    linter.citations()
    linter.parameter_gaps()
    return sorted(linter.out, key=lambda f: (f.file or "", f.line or 0, f.kind, f.subject))
