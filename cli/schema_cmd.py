"""`exportsim schema transaction|result`: the JSON Schemas of the input and output formats."""

from __future__ import annotations

import json

import click


@click.group()
def schema() -> None:
    """Print JSON Schemas of the input and output formats."""


@schema.command("transaction")
def schema_transaction() -> None:
    """The JSON Schema of a transaction (and case) file."""
    from exportsim.engine.core.transaction.model import Transaction

    click.echo(json.dumps(Transaction.model_json_schema(), indent=2))


@schema.command("result")
@click.option(
    "--kind",
    type=click.Choice(["full", "light", "batch-record"]),
    default="full",
    show_default=True,
    help="full: `evaluate --format json`; light: `detail` summary or none; batch-record: one `evaluate-batch` line.",
)
def schema_result(kind: str) -> None:
    """The JSON Schema of a result, generated from its pydantic models (docs/output.md)."""
    from exportsim.engine.core.trace.result import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2))
