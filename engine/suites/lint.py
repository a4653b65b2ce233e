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
- note-restates-parameter   a condition note or rule summary writes out a number equal to a value
                      of a parameter the rule compares with: it goes stale when the value changes
                      (a variant, a later amendment); write `{param:ID}` instead

Time is handled as sets of inclusive day intervals, so every check holds on every date, not
just on today's.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from itertools import combinations

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.notes import PLACEHOLDER
from exportsim.engine.core.ruleset.ruledefs import Citation, Condition, ParamRef, Rule
from exportsim.engine.core.ruleset.window import ALWAYS, SINCE_EVER, Window, intersect, label, union

KINDS = (
    "never-in-force",
    "contradictory",
    "empty-group",
    "conflict",
    "unused-parameter",
    "unused-group",
    "citation-source",
    "parameter-gap",
    "note-restates-parameter",
    "undeclared-fact",
)
Spans = list[Window]  # disjoint windows, in date order


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


# -- the checks -------------------------------------------------------------------------------


class _Linter:
    def __init__(self, rules: RuleSet) -> None:
        self.rs = rules
        self.out: list[LintFinding] = []
        self.live = self._live_windows()

    def add(self, kind: str, subject: str, message: str, fix: str, line: int | None = None) -> None:
        origin = self.rs.origins.get(subject)
        self.out.append(LintFinding(kind, subject, message, fix, origin.file if origin else None,
                                    line or (origin.line if origin else None)))  # fmt: skip

    def _rule_line(self, rule_id: str, *sub: object) -> int | None:
        """The line of a part of a rule (e.g. one condition's note) in the file that defines it."""
        origin = self.rs.origins.get(rule_id)
        for file, rf, lines in self.rs.documents:
            if origin and file == origin.file:
                for i, r in enumerate(rf.rules):
                    if r.id == rule_id:
                        return lines.line_for(("rules", i, *sub)) or lines.line_for(("rules", i, *sub[:-1]))
        return None

    # A rule's live window: its own window, narrowed to days when every parameter it compares
    # with has a value, every group it tests is in force, and each derived fact it needs can be
    # derived (some deriving rule is live). Derivations are acyclic, so a few passes settle it.
    def _live_windows(self) -> dict[str, Spans]:
        rs = self.rs
        live: dict[str, Spans] = {rid: [r.effective] for rid, r in rs.rules.items()}
        for _ in range(len(rs.rules) + 1):
            derivable: dict[str, Spans] = {}
            for rid, r in rs.rules.items():
                if r.derive:
                    derivable[r.derive.type] = union(derivable.get(r.derive.type, []) + live[rid])
            changed = False
            for rid, r in rs.rules.items():
                window: Spans = [r.effective]
                for pattern in r.when.values():
                    if pattern.type in rs.derived_types:
                        window = intersect(window, derivable.get(pattern.type, []))
                    for c in pattern.where:
                        window = intersect(window, self._condition_days(c))
                if window != live[rid]:
                    live[rid], changed = window, True
            if not changed:
                break
        return live

    def _condition_days(self, c: Condition) -> Spans:
        operand = c.operand
        if isinstance(operand, ParamRef):
            return union(self.rs.parameters[operand.param].values)
        if c.operator == "in_group":
            return [self.rs.groups[operand].effective]
        return [ALWAYS]

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
        days = intersect(self._condition_days(a), self._condition_days(b))
        samples = [w.start for w in days] or [SINCE_EVER]
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
                    days = intersect(self.live[rid], self._condition_days(c))
                    if days and not any(self._members(c.operand, d) for d in self._change_days(c.operand, days)):
                        self.add(
                            "empty-group",
                            rid,
                            f"Rule '{rid}' requires membership of group '{c.operand}', which has no member on "
                            f"any day the rule could fire ({label(days)}).",
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
        marks = {w.start for w in days}
        stack, seen = [gid], set()
        while stack:
            g = self.rs.groups[stack.pop()]
            if g.id in seen:
                continue
            seen.add(g.id)
            stack.extend(g.includes)
            for m in g.members:
                if not isinstance(m, str):
                    marks.update(m.window.change_days())
        return sorted(d for d in marks if any(w.contains(d) for w in days))

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
                together = intersect(self.live[lo.id], self.live[hi.id])
                if not together or self._exclusive(lo, hi, together):
                    continue
                self.add(
                    "conflict",
                    lo.id,
                    f"Rules '{lo.id}' ({lo.outcome}) and '{hi.id}' ({hi.outcome}) of regime '{regime}' can fire "
                    f"on the same facts ({label(together)}) and neither displaces the other, so the permission "
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
                    if ca.field == cb.field and all(self._clash_on(ca, cb, w.start) for w in days):
                        return True
        return False

    def unused(self) -> None:
        params: set[str] = self.rs.engine_parameters()  # aggregations and screening bands
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
                covered = union([before, after])
                if len(covered) < 2:
                    continue
                first, last = covered[0].last_day + dt.timedelta(days=1), after.start - dt.timedelta(days=1)
                self.add(
                    "parameter-gap",
                    pid,
                    f"Parameter '{pid}' has no value from {first} to {last}: rules comparing with it cannot fire then.",
                    f"Extend the earlier value's 'to' to {last}, or add a value "
                    "for the gap (a gap that is the law's should be a rule window, not a missing value).",
                )

    def restated_parameters(self) -> None:
        for rid, r in self.rs.rules.items():
            used = {c.operand.param for p in r.when.values() for c in p.where if isinstance(c.operand, ParamRef)}
            values = {pid: [v.value for v in self.rs.parameters[pid].values] for pid in sorted(used)}
            texts = [("summary", r.summary, ("summary",))] + [
                (f"note on {alias}.{c.field}", c.note, ("when", alias, "where", j, "note"))
                for alias, p in r.when.items()
                for j, c in enumerate(p.where)
                if c.note
            ]
            for where, text, path in texts:
                for literal, value in _literals(text or ""):
                    for pid, dated in values.items():
                        if any(_same(value, v) for v in dated):
                            self.add(
                                "note-restates-parameter",
                                rid,
                                f"Rule '{rid}' {where} writes '{literal}', a value of parameter '{pid}': the text "
                                "goes stale when the value changes (a variant or a later amendment).",
                                f"Write {{param:{pid}}} (with |percent, |pow10, |usd or |date as fits) instead.",
                                self._rule_line(rid, *path),
                            )


    def undeclared_facts(self) -> None:
        """A rule set that declares its facts (a `facts:` section, rules/facts.yaml) must declare
        every base fact field its rules read: the declaration is where "absent means unknown" (or a
        legal default) and the question to ask are written, so an undeclared field has neither."""
        decls = self.rs.fact_decls
        if not decls:
            return
        for rid, r in self.rs.rules.items():
            for alias, pattern in r.when.items():
                if pattern.type in self.rs.derived_types:
                    continue
                for j, c in enumerate(pattern.where):
                    if c.field not in decls.get(pattern.type, {}):
                        self.add(
                            "undeclared-fact",
                            rid,
                            f"Rule '{rid}' reads '{pattern.type}.{c.field}', which the rule set's 'facts:' does "
                            "not declare: nothing says what its absence means or what to ask.",
                            f"Declare '{c.field}' under 'facts: {pattern.type}:' (rules/facts.yaml) with its input "
                            "and question, and 'absent: unknown' unless the law supplies a default.",
                            self._rule_line(rid, "when", alias, "where", j),
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


# A number as a note may write it: 10^25, 5 x 10^24, $2,000,000, 97%, 21,000, 2.58, or a date
# (2 January 2025, 2025-01-02); placeholders are removed first.
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_LITERAL = re.compile(
    rf"(?P<date>\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b)"
    r"|(?P<pow>(?:(?P<mant>\d+(?:\.\d+)?) ?[x×*] ?)?10\^(?P<exp>-?\d+))"
    r"|(?P<usd>\$)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<pct>\s?%)?"
)


def _literals(text: str) -> list[tuple[str, object]]:
    """(as written, value) for each number or date in a text outside `{param:...}` placeholders."""
    out: list[tuple[str, object]] = []
    for m in _LITERAL.finditer(PLACEHOLDER.sub(" ", text)):
        if m.group("date"):
            raw = m.group("date")
            try:
                day = dt.date.fromisoformat(raw) if "-" in raw else dt.datetime.strptime(raw, "%d %B %Y").date()
            except ValueError:
                continue
            out.append((raw, day.isoformat()))
        elif m.group("pow"):
            out.append((m.group("pow"), float(m.group("mant") or 1) * 10 ** int(m.group("exp"))))
        else:
            number = float(m.group("num").replace(",", ""))
            out.append((m.group(0).strip(), number / 100 if m.group("pct") else number))
    return out


def _same(literal: object, value: object) -> bool:
    if isinstance(literal, str) or isinstance(value, str):
        return literal == value
    return math.isclose(float(literal), float(value), rel_tol=1e-9)  # type: ignore[arg-type]


def lint(rules: RuleSet) -> list[LintFinding]:
    linter = _Linter(rules)
    linter.never_in_force()
    linter.contradictory()
    linter.empty_groups()
    linter.conflicts()
    linter.unused()
    linter.citations()
    linter.parameter_gaps()
    linter.restated_parameters()
    linter.undeclared_facts()
    return sorted(linter.out, key=lambda f: (f.file or "", f.line or 0, f.kind, f.subject))
