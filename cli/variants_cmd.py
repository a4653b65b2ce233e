"""`exportsim variants list|show`: the built-in regime variants and what each changes."""

from __future__ import annotations

import json
import sys

import click
from exportsim.engine.core.errors import InputError
from exportsim.engine.scenarios.variants import builtin_variants, load_variant, resolve_variant
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .common import EXIT_BAD_INPUT, fail_input, format_option


@click.group("variants")
def variants() -> None:
    """Regime variants: "what if" overlays of dated changes, applied with --variant."""


@variants.command("list")
@format_option
def variants_list(fmt) -> None:
    """List the built-in variants (use the id with --variant)."""
    rows = []
    for path in builtin_variants():
        try:
            v, _ = load_variant(path)
        except InputError as err:
            fail_input(err)
        rows.append({"id": path.stem, "title": v.variant.title, "changes": len(v.changes)})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Built-in variants (exportsim evaluate CASE --variant ID)")
    for col in ("id", "title", "changes"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["title"], str(r["changes"]))
    Console(highlight=False).print(table)


@variants.command("show")
@click.argument("variant")
@format_option
def variants_show(variant, fmt) -> None:
    """Show one variant (a file or a built-in id): its description and each change."""
    try:
        v, _ = load_variant(resolve_variant(variant))
    except InputError as err:
        fail_input(err)
    if fmt == "json":
        click.echo(json.dumps(v.model_dump(mode="json", by_alias=True, exclude_none=True), indent=2))
        return
    console = Console(highlight=False)
    console.print(f"[bold]{v.variant.id}[/]: {escape(v.variant.title)}")
    if v.variant.description:
        console.print(escape(v.variant.description))
    if v.variant.source:
        console.print(f"[dim]source: {escape(v.variant.source)}[/]")
    for n, c in enumerate(v.changes, start=1):
        target = getattr(c, c.action)
        name = target.get("id") if isinstance(target, dict) else target
        when = f" from {c.start}" if c.start else ""
        when += f" to {c.end}" if c.end else ""
        console.print(escape(f"  {n}. {c.action} {name}{when}" + (f" — {c.note}" if c.note else "")))
    if not v.changes:
        sys.exit(EXIT_BAD_INPUT)
