"""Load a folder of rule files into a validated `RuleSet`, checking every cross-reference.

Problems are collected across all files and raised together as one `InputError`, each with
`file:line` and a fix, so an author sees everything wrong in one run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources import files
from pathlib import Path

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.ruleset.factdecl import FactDecls
from exportsim.engine.core.ruleset.factschema import AGGREGATION_FIELDS, BASE_FACTS, OPERATORS_BY_KIND
from exportsim.engine.core.ruleset.notes import NoteRenderer, placeholder_problems
from exportsim.engine.core.ruleset.ruledefs import (
    Aggregation,
    Group,
    ListEntry,
    Parameter,
    ParamRef,
    PolicyFrom,
    Regime,
    Rule,
    RuleFile,
    ScreeningBands,
)
from exportsim.engine.core.transaction.source import LineMap, load_file
from exportsim.engine.core.transaction.validation import problems_from
from iso3166 import countries_by_alpha2


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None


@dataclass
class RuleSet:
    """Everything the engine needs, keyed by stable ids."""

    regimes: dict[str, Regime]
    rules: dict[str, Rule]
    rule_regime: dict[str, str]
    parameters: dict[str, Parameter]
    groups: dict[str, Group]
    entries: dict[str, ListEntry]
    facts: dict[str, dict[str, str]]
    derived_types: set[str]
    fact_decls: FactDecls = field(default_factory=dict)  # rules/facts.yaml: questions and absent values
    origins: dict[str, Origin] = field(default_factory=dict)
    source: str = ""
    # The parsed files the set was assembled from, kept so a variant can overlay them and
    # re-assemble with every cross-reference checked again.
    documents: list[tuple[str, RuleFile, LineMap]] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)  # ids of the variants applied, in order
    # Ownership aggregations, review-policy precedence (most restrictive first) and screening
    # bands: declared in the rule files, applied by the fact builder.
    aggregations: dict[str, Aggregation] = field(default_factory=dict)
    review_policies: list[str] = field(default_factory=list)
    screening: ScreeningBands | None = None

    @cached_property
    def notes(self) -> NoteRenderer:
        """Renders `{param:...}` placeholders in notes and summaries with the values of this set."""
        return NoteRenderer(self.parameters)

    def engine_parameters(self) -> set[str]:
        """The parameters the fact builder reads (aggregation thresholds, screening bands)."""
        out = {a.threshold for a in self.aggregations.values()}
        if self.screening:
            out |= {self.screening.match_threshold, self.screening.review_threshold}
        return out

    @cached_property
    def digest(self) -> str:
        """A short content hash naming this exact rule set (rules, parameters, groups, lists);
        computed once (a rule set is not changed after assembly: a variant makes a new one)."""
        payload = json.dumps(
            {
                "rules": [r.model_dump(mode="json", by_alias=True) for r in self.rules.values()],
                "parameters": [p.model_dump(mode="json", by_alias=True) for p in self.parameters.values()],
                "groups": [g.model_dump(mode="json", by_alias=True) for g in self.groups.values()],
                "entries": [e.model_dump(mode="json", by_alias=True) for e in self.entries.values()],
                "facts": {
                    t: {f: d.model_dump(mode="json") for f, d in fs.items()}
                    for t, fs in sorted(self.fact_decls.items())
                },
                "aggregations": [a.model_dump(mode="json") for a in self.aggregations.values()],
                "review_policies": self.review_policies,
                "screening": self.screening.model_dump(mode="json") if self.screening else None,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


def builtin_rules_dir() -> Path:
    return Path(str(files("exportsim.rules")))


def _rule_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    # Variant files live beside the rules (rules/variants/) but are overlays, applied on request.
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in (".yaml", ".yml", ".json") and "variants" not in p.relative_to(root).parts[:-1]
    )


def load_rules(root: Path | None = None) -> RuleSet:
    root = root or builtin_rules_dir()
    if not root.exists():
        raise InputError([Problem(str(root), "The rules folder does not exist.", "Check the --rules path.")])
    problems: list[Problem] = []
    parsed: list[tuple[str, RuleFile, LineMap]] = []
    for path in _rule_files(root):
        try:
            data, lines = load_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict):
            problems.append(Problem(str(path), "A rule file must be a mapping.", "Start with 'regime:' or 'entries:'."))
            continue
        try:
            parsed.append((str(path), RuleFile.model_validate(data), lines))
        except Exception as exc:  # pydantic.ValidationError
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            problems.extend(problems_from(exc, str(path), lines))
    if not parsed and not problems:
        problems.append(
            Problem(str(root), "No rule files (.yaml, .json) were found.", "Point --rules at a rules folder.")
        )
    if problems:
        raise InputError(problems)
    return assemble(parsed, str(root))


def assemble(parsed: list[tuple[str, RuleFile, LineMap]], source: str) -> RuleSet:
    """Build a `RuleSet` from parsed files, checking every id and cross-reference across them."""
    problems: list[Problem] = []
    regimes: dict[str, Regime] = {}
    rules: dict[str, Rule] = {}
    rule_regime: dict[str, str] = {}
    params: dict[str, Parameter] = {}
    groups: dict[str, Group] = {}
    group_refs: list[tuple[str, str, str, int | None]] = []
    entries: dict[str, ListEntry] = {}
    origins: dict[str, Origin] = {}
    paths: dict[str, tuple[str, LineMap, tuple]] = {}
    aggregations: dict[str, Aggregation] = {}
    review_policies: list[str] = []
    screening: ScreeningBands | None = None

    def claim(kind: str, obj_id: str, file: str, lines: LineMap, path: tuple) -> bool:
        key = f"{kind}:{obj_id}"
        if key in paths:
            other = paths[key]
            problems.append(
                Problem(
                    file,
                    f"The {kind} id '{obj_id}' is already used at {other[0]}:{other[1].line_for(other[2])}.",
                    "Give each id once; a variant, not a second definition, changes an existing one.",
                    line=lines.line_for(path),
                )
            )
            return False
        paths[key] = (file, lines, path)
        origins[obj_id] = Origin(file, lines.line_for(path))
        return True

    for file, rf, lines in parsed:
        if rf.regime and claim("regime", rf.regime.id, file, lines, ("regime",)):
            regimes[rf.regime.id] = rf.regime
        if rf.rules and rf.regime is None:
            problems.append(
                Problem(
                    file,
                    "The file has rules but no 'regime'.",
                    "Add a 'regime:' block (id, title, authority).",
                    1,
                )
            )
        for i, rule in enumerate(rf.rules):
            if rf.regime and claim("rule", rule.id, file, lines, ("rules", i)):
                rules[rule.id] = rule
                rule_regime[rule.id] = rf.regime.id
        for i, p in enumerate(rf.parameters):
            if claim("parameter", p.id, file, lines, ("parameters", i)):
                params[p.id] = p
        for i, g in enumerate(rf.groups):
            if claim("group", g.id, file, lines, ("groups", i)):
                groups[g.id] = g
                for j, m in enumerate(g.members):
                    code = m if isinstance(m, str) else m.country
                    if code not in countries_by_alpha2:
                        problems.append(
                            Problem(
                                file,
                                f"Group '{g.id}' lists '{code}', which is not an ISO 3166-1 alpha-2 code.",
                                "Use a two-letter code such as CN.",
                                lines.line_for(("groups", i, "members", j)),
                            )
                        )
        for i, g in enumerate(rf.groups):
            group_refs.extend(
                (g.id, inc, file, lines.line_for(("groups", i, "includes", j))) for j, inc in enumerate(g.includes)
            )
        for i, e in enumerate(rf.entries):
            if claim("list entry", e.id, file, lines, ("entries", i)):
                entries[e.id] = e
        for i, a in enumerate(rf.aggregations):
            if claim("aggregation", a.id, file, lines, ("aggregations", i)):
                aggregations[a.id] = a
        if rf.review_policies is not None and claim(
            "declaration", "review_policies", file, lines, ("review_policies",)
        ):
            review_policies = list(rf.review_policies)
        if rf.screening is not None and claim("declaration", "screening", file, lines, ("screening",)):
            screening = rf.screening

    problems.extend(_check_group_includes(groups, group_refs))
    fact_decls = _fact_declarations(parsed, problems)
    facts = {name: dict(fields) for name, fields in BASE_FACTS.items()}
    derived: set[str] = set()
    # Derived fact types: fields and their kinds come from the rules that derive them.
    for rule in rules.values():
        if rule.derive is None:
            continue
        file, lines, path = paths[f"rule:{rule.id}"]
        dtype = rule.derive.type
        if dtype in BASE_FACTS:
            problems.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' derives '{dtype}', a base fact type.",
                    "Derive a new type name, e.g. 'restricted_party'.",
                    lines.line_for((*path, "derive")),
                )
            )
            continue
        derived.add(dtype)
        fields = facts.setdefault(dtype, {"date": "date"})
        for name, src in rule.derive.fields.items():
            kind = _derived_kind(rule, src, facts)
            if kind is None:
                problems.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}' derives field '{name}' from '{src}', which names no field of a bound fact.",
                        "Write 'alias.field' with a field of that alias's fact type; a value whose "
                        "part before the dot names no alias is taken as a literal.",
                        lines.line_for((*path, "derive", "fields", name)),
                    )
                )
                continue
            if fields.get(name, kind) != kind:
                problems.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}' derives '{dtype}.{name}' as {kind}, but another rule "
                        f"derives it as {fields[name]}.",
                        "Derive the field with one kind everywhere.",
                        lines.line_for((*path, "derive", "fields", name)),
                    )
                )
            fields[name] = kind

    for rule in rules.values():
        file, lines, path = paths[f"rule:{rule.id}"]
        problems.extend(_check_rule(rule, rule_regime, rules, facts, derived, params, groups, file, lines, path))
    problems.extend(_check_derivation_cycles(rules, paths))
    problems.extend(_check_declarations(aggregations, review_policies, screening, params, paths))
    for rule in rules.values():
        problems.extend(_check_placeholders(rule, params, *paths[f"rule:{rule.id}"]))
    problems.extend(_check_unwritten_fields(rules, aggregations, paths))
    if problems:
        raise InputError(problems)
    return RuleSet(
        regimes=dict(sorted(regimes.items())),
        rules=dict(sorted(rules.items())),
        rule_regime=rule_regime,
        parameters=dict(sorted(params.items())),
        groups=dict(sorted(groups.items())),
        entries=dict(sorted(entries.items())),
        facts=facts,
        derived_types=derived,
        fact_decls=fact_decls,
        origins=origins,
        source=source,
        documents=parsed,
        aggregations=dict(sorted(aggregations.items())),
        review_policies=review_policies,
        screening=screening,
    )


def _fact_declarations(parsed: list[tuple[str, RuleFile, LineMap]], problems: list[Problem]) -> FactDecls:
    """The `facts:` declarations of every file, each field of a base fact type declared once."""
    out: FactDecls = {}
    for file, rf, lines in parsed:
        for ftype, fields in rf.facts.items():
            for name, decl in fields.items():
                where = lines.line_for(("facts", ftype, name))
                if name not in BASE_FACTS.get(ftype, {}):
                    problems.append(
                        Problem(
                            file,
                            f"'{ftype}.{name}' is declared in 'facts:', but no such base fact field exists.",
                            "Declare the fields of engine/core/ruleset/factschema.py (txn, party, item, investment).",
                            where,
                        )
                    )
                elif name in out.setdefault(ftype, {}):
                    problems.append(
                        Problem(file, f"'{ftype}.{name}' is declared twice in 'facts:'.", "Keep one.", where)
                    )
                else:
                    out[ftype][name] = decl
    return out


def _derived_kind(rule: Rule, src: object, facts: dict[str, dict[str, str]]) -> str | None:
    if isinstance(src, bool):
        return "bool"
    if isinstance(src, (int, float)):
        return "num"
    text = str(src)
    alias, _, fname = text.partition(".")
    pattern = rule.when.get(alias)
    if pattern is None or not fname:
        return "str"  # a literal, such as "3A090.a" (the part before the dot names no alias)
    if fname == "id":
        return "str"
    return facts.get(pattern.type, {}).get(fname)


def _check_rule(rule, rule_regime, rules, facts, derived, params, groups, file, lines, path) -> list[Problem]:
    out: list[Problem] = []

    def at(*sub) -> int | None:
        return lines.line_for((*path, *sub))

    types = [p.type for p in rule.when.values()]
    if len(types) != len(set(types)):
        out.append(
            Problem(
                file,
                f"Rule '{rule.id}' binds two aliases to the same fact type.",
                "Bind each fact type once; derive a fact if you need to relate two of the same type.",
                at("when"),
            )
        )
    for alias, pattern in rule.when.items():
        if pattern.type not in facts:
            known = ", ".join(sorted(facts))
            out.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' looks for facts of unknown type '{pattern.type}'.",
                    f"Use one of: {known} (derived types need a rule that derives them).",
                    at("when", alias, "type"),
                )
            )
            continue
        schema = facts[pattern.type]
        for j, cond in enumerate(pattern.where):
            where = ("when", alias, "where", j)
            kind = schema.get(cond.field)
            if kind is None:
                out.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}': fact type '{pattern.type}' has no field '{cond.field}'.",
                        f"Use one of: {', '.join(sorted(schema))}.",
                        at(*where, "field"),
                    )
                )
                continue
            if cond.operator not in OPERATORS_BY_KIND[kind]:
                out.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}': operator '{cond.operator}' does not apply to {kind} field '{cond.field}'.",
                        f"Use one of: {', '.join(sorted(OPERATORS_BY_KIND[kind]))}.",
                        at(*where),
                    )
                )
            operand = cond.operand
            if isinstance(operand, ParamRef) and operand.param not in params:
                out.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}' refers to unknown parameter '{operand.param}'.",
                        "Define the parameter under 'parameters:' or correct the id.",
                        at(*where),
                    )
                )
            if cond.operator in ("in_group", "not_in_group") and operand not in groups:
                out.append(
                    Problem(
                        file,
                        f"Rule '{rule.id}' refers to unknown group '{operand}'.",
                        "Define the group under 'groups:' or correct the id.",
                        at(*where),
                    )
                )
            if cond.operator in ("gte", "gt", "lte", "lt"):
                values = (
                    [v.value for v in params[operand.param].values]
                    if isinstance(operand, ParamRef) and operand.param in params
                    else [operand]
                )
                wanted = str if kind == "date" else (int, float)
                if any(not isinstance(v, wanted) or isinstance(v, bool) for v in values):
                    out.append(
                        Problem(
                            file,
                            f"Rule '{rule.id}' compares {kind} field '{cond.field}' with "
                            f"{', '.join(repr(v) for v in values)}.",
                            "Compare dates with 'YYYY-MM-DD' text and numbers with numbers.",
                            at(*where),
                        )
                    )
            if kind == "date" and isinstance(operand, str):
                try:
                    dt.date.fromisoformat(operand)
                except ValueError:
                    out.append(
                        Problem(
                            file,
                            f"Rule '{rule.id}': '{operand}' is not a date.",
                            "Write YYYY-MM-DD in quotes.",
                            at(*where),
                        )
                    )
    regime = rule_regime[rule.id]
    for target in rule.displaces:
        if target not in rules:
            out.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' displaces unknown rule '{target}'.",
                    "Name an existing rule id.",
                    at("displaces"),
                )
            )
        elif rule_regime[target] != regime:
            out.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' displaces '{target}' of another regime.",
                    "An exception displaces only requirements of its own regime.",
                    at("displaces"),
                )
            )
        elif rules[target].outcome is None:
            out.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' displaces '{target}', which derives a fact.",
                    "Only deciding rules (with an outcome) can be displaced.",
                    at("displaces"),
                )
            )
    if isinstance(rule.review_policy, PolicyFrom):
        alias, _, fname = rule.review_policy.field.partition(".")
        pattern = rule.when.get(alias)
        if pattern is None or fname not in facts.get(pattern.type, {}):
            out.append(
                Problem(
                    file,
                    f"Rule '{rule.id}' takes its review policy from '{rule.review_policy.field}', "
                    "which names no bound field.",
                    "Write 'alias.field' for a fact in 'when'.",
                    at("review_policy"),
                )
            )
    counts_from_completion = any(o.counted_from == "completion_date" for o in rule.obligations)
    has_completion = any("completion_date" in facts.get(p.type, {}) for p in rule.when.values())
    if counts_from_completion and not has_completion:
        out.append(
            Problem(
                file,
                f"Rule '{rule.id}' counts an obligation from the completion date but binds no fact that has one.",
                "Bind an 'investment' fact (or one derived from it) or count from the transaction date.",
                at("obligations"),
            )
        )
    return out


def _check_group_includes(groups: dict[str, Group], refs: list[tuple[str, str, str, int | None]]) -> list[Problem]:
    """Every included group exists, and no group includes itself through a chain."""
    out: list[Problem] = []
    for gid, inc, file, line in refs:
        if inc not in groups:
            out.append(
                Problem(
                    file, f"Group '{gid}' includes unknown group '{inc}'.", "Define that group or fix the id.", line
                )
            )
            continue
        stack, seen = [inc], set()
        while stack:
            node = stack.pop()
            if node == gid:
                out.append(
                    Problem(
                        file,
                        f"Group '{gid}' includes itself through '{inc}'.",
                        "Remove one of the includes to break the cycle.",
                        line,
                    )
                )
                break
            if node not in seen and node in groups:
                seen.add(node)
                stack.extend(groups[node].includes)
    return out


def _check_derivation_cycles(rules: dict[str, Rule], paths) -> list[Problem]:
    edges: dict[str, set[str]] = {}
    for rule in rules.values():
        if rule.derive:
            edges.setdefault(rule.derive.type, set()).update(p.type for p in rule.when.values())
    problems = []
    for start in edges:
        stack, seen = list(edges[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                culprit = next(r for r in rules.values() if r.derive and r.derive.type == start)
                file, lines, path = paths[f"rule:{culprit.id}"]
                problems.append(
                    Problem(
                        file,
                        f"Derived fact type '{start}' depends on itself through rule '{culprit.id}'.",
                        "Break the cycle: derive a new type instead.",
                        lines.line_for(path),
                    )
                )
                break
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
    return problems


_WRITE_KINDS = {"share": "num", "entries": "str", "review_policy": "str"}


def _check_declarations(
    aggregations: dict[str, Aggregation],
    review_policies: list[str],
    screening: ScreeningBands | None,
    params: dict[str, Parameter],
    paths: dict[str, tuple[str, LineMap, tuple]],
) -> list[Problem]:
    """Aggregations and screening bands name existing numeric parameters and real party fields;
    no two aggregations write one field; review policies are listed once each."""
    out: list[Problem] = []

    def param_problem(pid: str, what: str, file: str, line: int | None, low: float, high: float) -> None:
        p = params.get(pid)
        if p is None:
            out.append(
                Problem(
                    file,
                    f"{what} names unknown parameter '{pid}'.",
                    "Define it under 'parameters:' or fix the id.",
                    line,
                )
            )
            return
        bad = [v.value for v in p.values if isinstance(v.value, str) or not low <= v.value <= high]
        if bad:
            out.append(
                Problem(
                    file,
                    f"{what} reads parameter '{pid}', whose values {bad} are not numbers from {low:g} to {high:g}.",
                    f"Give '{pid}' numeric values between {low:g} and {high:g}.",
                    line,
                )
            )

    written: dict[str, str] = {}
    party = BASE_FACTS["party"]
    for a in aggregations.values():
        file, lines, path = paths[f"aggregation:{a.id}"]
        param_problem(a.threshold, f"Aggregation '{a.id}'", file, lines.line_for((*path, "threshold")), 0.0, 1.0)
        for key, kind in _WRITE_KINDS.items():
            fname = getattr(a.writes, key)
            if fname is None:
                continue
            line = lines.line_for((*path, "writes", key))
            if fname not in AGGREGATION_FIELDS:
                out.append(
                    Problem(
                        file,
                        f"Aggregation '{a.id}' writes '{key}' to '{fname}', which the fact builder fills in otherwise.",
                        f"Write to one of the ownership fields: {', '.join(sorted(AGGREGATION_FIELDS))}.",
                        line,
                    )
                )
            elif party.get(fname) != kind:
                fields = ", ".join(sorted(f for f, k in party.items() if k == kind))
                out.append(
                    Problem(
                        file,
                        f"Aggregation '{a.id}' writes '{key}' to '{fname}', not a {kind} field of party facts.",
                        f"Use one of: {fields}.",
                        line,
                    )
                )
            elif fname in written:
                out.append(
                    Problem(
                        file,
                        f"Aggregations '{written[fname]}' and '{a.id}' both write party field '{fname}'.",
                        "Give each aggregation its own fields.",
                        line,
                    )
                )
            written.setdefault(fname, a.id)
        if a.writes.review_policy and not review_policies:
            out.append(
                Problem(
                    file,
                    f"Aggregation '{a.id}' writes the most restrictive review policy, but no rule file "
                    "declares 'review_policies' (their order, most restrictive first).",
                    "Add 'review_policies: [presumption_of_denial, case_by_case, presumption_of_approval]'.",
                    lines.line_for((*path, "writes", "review_policy")),
                )
            )
    if review_policies and len(set(review_policies)) != len(review_policies):
        file, lines, path = paths["declaration:review_policies"]
        twice = sorted({p for p in review_policies if review_policies.count(p) > 1})
        out.append(Problem(file, f"'review_policies' lists {', '.join(twice)} more than once.",
                           "List each policy once, most restrictive first.", lines.line_for(path)))  # fmt: skip
    if screening is not None:
        file, lines, path = paths["declaration:screening"]
        for key in ("match_threshold", "review_threshold"):
            line = lines.line_for((*path, key))
            param_problem(getattr(screening, key), f"The screening band '{key}'", file, line, 0.0, 100.0)
    return out


def _check_placeholders(
    rule: Rule, params: dict[str, Parameter], file: str, lines: LineMap, path: tuple
) -> list[Problem]:
    """Every `{param:...}` placeholder in a rule's summary and notes names a parameter and a known format."""
    out = [
        Problem(file, f"Rule '{rule.id}' summary: {msg}", fix, lines.line_for((*path, "summary")))
        for msg, fix in placeholder_problems(rule.summary, params)
    ]
    for alias, pattern in rule.when.items():
        for j, cond in enumerate(pattern.where):
            for msg, fix in placeholder_problems(cond.note or "", params):
                where = lines.line_for((*path, "when", alias, "where", j, "note")) or lines.line_for(
                    (*path, "when", alias, "where", j)
                )
                out.append(Problem(file, f"Rule '{rule.id}' note on '{alias}.{cond.field}': {msg}", fix, where))
    return out


def _check_unwritten_fields(rules: dict[str, Rule], aggregations: dict[str, Aggregation], paths) -> list[Problem]:
    """A rule that tests an ownership field no declared aggregation writes could never fire: a
    silent clearance, so it is an error (fail safe), not a lint finding."""
    written = {f for a in aggregations.values() for f in a.writes.model_dump(exclude_none=True).values()}
    out: list[Problem] = []
    for rule in rules.values():
        file, lines, path = paths[f"rule:{rule.id}"]
        for alias, pattern in rule.when.items():
            for j, cond in enumerate(pattern.where):
                if pattern.type == "party" and cond.field in AGGREGATION_FIELDS and cond.field not in written:
                    out.append(
                        Problem(
                            file,
                            f"Rule '{rule.id}' tests party field '{cond.field}', which no ownership aggregation "
                            "writes, so the rule could never fire.",
                            "Declare the aggregation that computes it under 'aggregations:' (docs/rule-format.md), "
                            "or load the rule file that declares it.",
                            lines.line_for((*path, "when", alias, "where", j)),
                        )
                    )
    return out
