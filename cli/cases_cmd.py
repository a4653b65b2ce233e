"""`exportsim cases list`: the built-in case library."""

from __future__ import annotations

import json

import click

from exportsim import DISCLAIMER

from .common import builtin_cases, format_option


@click.group()
def cases() -> None:
    """The built-in case library."""


@cases.command("list")
@format_option
def cases_list(fmt) -> None:
    """List the built-in cases."""
    rows = [
        {"name": p.stem, "date": t.date.isoformat(), "difficulty": t.difficulty, "title": t.title}
        for p, t in builtin_cases()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Built-in cases (exportsim evaluate NAME)")
    for col in ("name", "date", "difficulty", "title"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["date"], r["difficulty"] or "", r["title"])
    Console(highlight=False).print(table)
    Console(highlight=False).print(DISCLAIMER, style="italic")
