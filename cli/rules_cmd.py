"""`exportsim rules list|show|coverage-map|lint`: the rule set in plain words, and its static checks."""

from __future__ import annotations

import sys

import click

from .common import EXIT_BAD_INPUT, format_option, load_ruleset, rules_option, variant_option
from .lint_cmd import lint_cmd
from .rules_view import rules_list, rules_show


@click.group()
def rules() -> None:
    """Inspect the rule set: regimes, rules, parameters, groups, list entries."""


@rules.command("list")
@rules_option
@variant_option
@format_option
def rules_list_cmd(rules_dir, variants, fmt) -> None:
    """List each regime's rules with their dates and citations."""
    rules_list(load_ruleset(rules_dir, variants), fmt)


@rules.command("show")
@click.argument("rule_id")
@rules_option
@variant_option
@format_option
def rules_show_cmd(rule_id, rules_dir, variants, fmt) -> None:
    """Show one rule (or parameter, group, list entry, aggregation) in plain words; `aggregations`
    shows the ownership aggregations, review-policy order and screening bands."""
    rs = load_ruleset(rules_dir, variants)
    if not rules_show(rs, rule_id, fmt):
        known = ", ".join(list(rs.rules)[:8])
        click.echo(
            f"error: no rule, parameter, group, list entry or aggregation '{rule_id}'. Fix: use an id from "
            f"'exportsim rules list' (e.g. {known}).",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)


@rules.command("coverage-map")
@rules_option
@variant_option
@format_option
def coverage_map_cmd(rules_dir, variants, fmt) -> None:
    """Show which ECCNs, item tags, activities, countries and kinds each regime's rules test."""
    import json

    from exportsim.engine.suites.coverage_map import DIMENSIONS, coverage_map

    found = coverage_map(load_ruleset(rules_dir, variants))
    if fmt == "json":
        click.echo(json.dumps(found, indent=2))
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    for regime, e in found.items():
        console.print(f"[bold]{escape(regime)}[/bold]  {escape(e['title'])}")
        for dim in [*DIMENSIONS, "country_groups", "not_modelled_rules"]:
            if e[dim]:
                console.print(f"  {dim.replace('_', ' ')}: {escape(', '.join(e[dim]))}")
        console.print()
    console.print(
        "A stated ECCN, tag, country or kind outside a regime's list is assessed only as far as its rules "
        "say; the not_modelled rules name what each regime does not cover."
    )


rules.add_command(lint_cmd)
