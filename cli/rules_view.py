"""`exportsim rules list|show`: the rule set in plain words, or as JSON.

`rules show aggregations` shows what the fact builder applies before the rules run: the ownership
aggregations, the review-policy order and the screening bands (declared in the rule files).
Notes and summaries are shown with their `{param:...}` placeholders filled in with every dated value.
"""

from __future__ import annotations

import json

import click
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.notes import render
from exportsim.engine.core.ruleset.ruledefs import Aggregation, ParamRef, PolicyFrom, Rule
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def _rule_row(rs: RuleSet, rule: Rule) -> dict:
    return {
        "id": rule.id,
        "regime": rs.rule_regime[rule.id],
        "title": rule.title,
        "version": rule.version,
        "effective": {
            "from": rule.effective.start.isoformat(),
            "to": rule.effective.end.isoformat() if rule.effective.end else None,
        },
        "effect": str(rule.outcome) if rule.outcome else f"derives {rule.derive.type}",  # type: ignore[union-attr]
        "citation": rule.citation.text(),
        "confidence": rule.confidence,
    }


def rules_list(rs: RuleSet, fmt: str) -> None:
    rows = [_rule_row(rs, r) for r in rs.rules.values()]
    if fmt == "json":
        click.echo(json.dumps({"source": rs.source, "digest": rs.digest, "rules": rows}, indent=2))
        return
    console = Console(highlight=False)
    for regime in rs.regimes.values():
        table = Table(title=f"{regime.title} [{regime.id}]", title_justify="left", expand=False)
        for col in ("id", "in force", "effect", "citation"):
            table.add_column(col, overflow="fold")
        for row in rows:
            if row["regime"] == regime.id:
                table.add_row(row["id"], rs.rules[row["id"]].effective.label(), row["effect"], row["citation"])
        console.print(table)
    console.print(
        f"{len(rows)} rules, {len(rs.parameters)} parameters, {len(rs.groups)} groups, "
        f"{len(rs.entries)} list entries from {rs.source} (digest {rs.digest})",
        style="dim",
    )


def _aggregation_lines(rs: RuleSet, a: Aggregation) -> list[str]:
    param = rs.parameters.get(a.threshold)
    values = "; ".join(f"{v.value} ({v.label()})" for v in param.values) if param else "undefined"
    writes = ", ".join(f"{k} -> party.{v}" for k, v in a.writes.model_dump(exclude_none=True).items())
    return [
        f"{a.id}  {a.title}",
        f"  Citation: {a.citation.text()}",
        f"  Owners that count: matches on {', '.join(a.owners_from)} ({a.owners_label})",
        f"  Threshold: parameter {a.threshold} = {values}; not in force on a day: nothing is caught",
        f"  Indirect holdings through caught entities count: {'yes' if a.indirect else 'no'}",
        f"  Holdings of several owners add up: {'yes' if a.aggregate else 'no (one owner must reach it)'}",
        f"  Writes: {writes}" + (f"; notes each caught entity as '{a.caught_note}'" if a.caught_note else ""),
    ]


def _declarations(rs: RuleSet, fmt: str, console: Console) -> None:
    data = {
        "aggregations": [a.model_dump(mode="json", exclude_none=True) for a in rs.aggregations.values()],
        "review_policies": rs.review_policies,
        "screening": rs.screening.model_dump(mode="json") if rs.screening else None,
    }
    if fmt == "json":
        click.echo(json.dumps({"kind": "declarations", **data}, indent=2, ensure_ascii=False))
        return
    console.print(Text("Ownership aggregations (applied before the rules run)", style="bold"))
    for a in rs.aggregations.values():
        for line in _aggregation_lines(rs, a):
            console.print(escape(line))
    order = " > ".join(rs.review_policies) or "none declared"
    console.print(escape(f"\nReview policies, most restrictive first: {order} (an unlisted policy ranks first)"))
    bands = rs.screening
    console.print(
        escape(
            f"Screening bands: match from parameter {bands.match_threshold}, review from {bands.review_threshold}"
            if bands
            else "Screening bands: not declared (built-in defaults)"
        )
    )


def rules_show(rs: RuleSet, obj_id: str, fmt: str) -> bool:
    console = Console(highlight=False)
    if obj_id in ("aggregations", "declarations"):
        _declarations(rs, fmt, console)
        return True
    if obj_id in rs.aggregations:
        agg = rs.aggregations[obj_id]
        if fmt == "json":
            click.echo(json.dumps({"kind": "aggregation", **agg.model_dump(mode="json", exclude_none=True)}, indent=2))
        else:
            for line in _aggregation_lines(rs, agg):
                console.print(escape(line))
        return True
    for kind, table in (("parameter", rs.parameters), ("group", rs.groups), ("list entry", rs.entries)):
        if obj_id in table:
            data = table[obj_id].model_dump(mode="json", by_alias=True, exclude_none=True)
            if fmt == "json":
                click.echo(json.dumps({"kind": kind, **data}, indent=2, ensure_ascii=False))
            else:
                console.print(Text(f"{kind} {obj_id}", style="bold"))
                console.print_json(json.dumps(data, ensure_ascii=False))
            return True
    rule = rs.rules.get(obj_id)
    if rule is None:
        return False
    if fmt == "json":
        data = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
        click.echo(json.dumps({"kind": "rule", "regime": rs.rule_regime[obj_id], **data}, indent=2, ensure_ascii=False))
        return True
    origin = rs.origins.get(obj_id)
    console.print(Text(f"{rule.id}  {rule.title}", style="bold"))
    console.print(escape(f"Regime: {rs.regimes[rs.rule_regime[obj_id]].title}"))
    console.print(
        escape(f"In force: {rule.effective.label()} (version {rule.version}; fact confidence: {rule.confidence})")
    )
    console.print(escape(f"Citation: {rule.citation.text()}"))
    for extra in ("url", "source"):
        if getattr(rule.citation, extra):
            console.print(escape(f"  {extra}: {getattr(rule.citation, extra)}"))
    console.print(Text("\n" + (render(rule.summary, rs.parameters, None) or "")))
    if rule.excerpt:
        console.print(Text(f"\nText of the law: “{rule.excerpt}”", style="italic"))
    console.print(Text("\nWhen", style="bold"))
    for alias, pattern in rule.when.items():
        console.print(
            f"  a {pattern.type} fact, called '{alias}', where:"
            if pattern.where
            else f"  any {pattern.type} fact, called '{alias}'"
        )
        for cond in pattern.where:
            note = f" — {render(cond.note, rs.parameters, None)}" if cond.note else ""
            console.print(escape(f"    • {cond.describe()}{note}"))
            if isinstance(cond.operand, ParamRef) and cond.operand.param in rs.parameters:
                param = rs.parameters[cond.operand.param]
                values = "; ".join(f"{v.value} ({v.label()})" for v in param.values)
                console.print(Text(f"        ({param.title}: {values})", style="dim"))
            for agg in rs.aggregations.values():
                if pattern.type == "party" and cond.field in agg.writes.model_dump(exclude_none=True).values():
                    console.print(
                        Text(f"        ({cond.field} is computed by aggregation {agg.id}: {agg.title})", style="dim")
                    )
    console.print(Text("Then", style="bold"))
    if rule.outcome:
        console.print(escape(f"  outcome: {rule.outcome}"))
        policy = rule.review_policy
        if isinstance(policy, PolicyFrom):
            console.print(escape(f"  review policy: taken from {policy.field}"))
        elif policy:
            console.print(escape(f"  review policy: {policy}"))
    else:
        assert rule.derive is not None
        fields = ", ".join(f"{k} = {v}" for k, v in rule.derive.fields.items())
        console.print(escape(f"  derive a {rule.derive.type} fact ({fields})"))
    for target in rule.displaces:
        console.print(escape(f"  displaces: {target}"))
    for ob in rule.obligations:
        due = f" (within {ob.days} {'business ' if ob.business_days else ''}days)" if ob.days is not None else ""
        console.print(escape(f"  obligation: {ob.text}{due}"))
    if origin:
        console.print(Text(f"\nDefined at {origin.file}:{origin.line}", style="dim"))
    return True
