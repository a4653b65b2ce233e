"""`exportsim rules lint [DIR]`: static checks of a rule folder (exit 0 clean, 1 findings, 2 bad input)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from exportsim.engine.suites.lint import KINDS, lint
from rich.console import Console
from rich.text import Text

from .common import EXIT_FAILED, load_ruleset, variant_option


@click.command("lint")
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path))
@variant_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def lint_cmd(rules_dir, variants, fmt) -> None:
    """Find rules that can never fire, conflicting rules, unused parameters and groups, citations
    without a source and gaps in parameter histories (default: the built-in rules).

    Finding kinds: never-in-force, contradictory, empty-group, conflict, unused-parameter,
    unused-group, citation-source, parameter-gap (docs/rule-format.md explains each).
    """
    rs = load_ruleset(rules_dir, variants)
    findings = lint(rs)
    if fmt == "json":
        click.echo(json.dumps({"source": rs.source, "findings": [f.as_dict() for f in findings]}, indent=2))
    else:
        console = Console(highlight=False)
        for f in findings:
            console.print(Text(f.render()), soft_wrap=True)
        counts = {k: sum(f.kind == k for f in findings) for k in KINDS}
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no findings"
        style = "bold green" if not findings else "bold red"
        console.print(Text(f"{len(rs.rules)} rules checked in {rs.source}: {summary}", style=style))
    sys.exit(EXIT_FAILED if findings else 0)
