"""`exportsim schema transaction|result`: the JSON Schemas of the input and output formats."""

from __future__ import annotations

import json

import click


@click.group()
def schema() -> None:
    """Print JSON Schemas of the input formats."""


@schema.command("transaction")
def schema_transaction() -> None:
    """The JSON Schema of a transaction (and case) file."""
    from exportsim.engine.core.transaction.model import Transaction

    click.echo(json.dumps(Transaction.model_json_schema(), indent=2))


@schema.command("result")
def schema_result() -> None:
    """The JSON Schema of `exportsim evaluate --format json` output (one result)."""
    from importlib.resources import files

    click.echo(files("exportsim.engine.core.trace").joinpath("result.schema.json").read_text(encoding="utf-8"))
