"""The `exportsim` command line. Each command parses options, calls the engine, renders.

Exit codes: 0 success (whatever the decision), 1 expectation mismatch where a command checks
expectations, 2 bad input (files, options), 3 internal engine failure.
"""

from __future__ import annotations

import json
import sys

import click
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.executors.durable import EngineFailure
from exportsim.engine.core.transaction.model import Transaction
from rich.console import Console

from exportsim import DISCLAIMER, __version__

from .common import (
    EXIT_BAD_INPUT,
    builtin_cases,
    engine_failed,
    engine_option,
    fail_input,
    format_option,
    lists_db_option,
    load_all,
    load_ruleset,
    make_evaluator,
    ownership_option,
    parse_date,
    rules_option,
    variant_option,
)
from .render import print_results
from .rules_view import rules_list, rules_show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="exportsim")
def cli() -> None:
    """exportsim: a rules-as-code export licensing simulator.

    A simplified training and analysis aid, not legal advice.
    Exit codes: 0 ok (whatever the decision), 2 bad input, 3 engine failure.
    """


@cli.command()
@click.argument("files", nargs=-1)
@click.option("--all", "all_builtin", is_flag=True, help="Evaluate every built-in case.")
@click.option("--date", "on", callback=parse_date, help="Evaluate as of this date instead of the file's date.")
@rules_option
@variant_option
@lists_db_option
@ownership_option
@format_option
@click.option("--why-not", is_flag=True, help="Explain each rule in force that did not fire.")
@engine_option
@click.option("--no-trace", is_flag=True, help="Text output: hide the rule-firing trace.")
@click.option("--law", "show_law", is_flag=True, help="Text output: show the text of the law beside each finding.")
def evaluate(
    files, all_builtin, on, rules_dir, variants, lists_db, ownership, fmt, why_not, engine, no_trace, show_law
) -> None:
    """Evaluate transaction FILES (paths or built-in case names) and explain the decision.

    JSON output is one object for one file and an array for several (docs/output.md).
    """
    if not files and not all_builtin:
        raise click.UsageError("Name at least one transaction file or built-in case, or pass --all.")
    txns, problems = load_all(list(files), all_builtin)
    if problems:
        fail_input(InputError(problems))
    evaluator = make_evaluator(load_ruleset(rules_dir, variants, lists_db), engine, ownership)
    try:
        results = [evaluator.evaluate(t, on=on, explain_misses=why_not, file=str(p)) for p, t in txns]
    except EngineFailure as exc:
        engine_failed(exc)
    if fmt == "json":
        click.echo(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    else:
        print_results(Console(highlight=False), results, show_trace=not no_trace, show_law=show_law)


@cli.group()
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


@cli.group()
def schema() -> None:
    """Print JSON Schemas of the input and output formats."""


@schema.command("transaction")
def schema_transaction() -> None:
    """The JSON Schema of a transaction (and case) file."""
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


@cli.group()
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
    from rich.table import Table

    table = Table(title="Built-in cases (exportsim evaluate NAME)")
    for col in ("name", "date", "difficulty", "title"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["date"], r["difficulty"] or "", r["title"])
    Console(highlight=False).print(table)
    Console(highlight=False).print(DISCLAIMER, style="italic")


def main() -> None:
    cli()


# Commands with modules of their own register themselves on `cli`.
from . import (  # noqa: E402,F401
    batch_cmd,
    case_cmd,
    compare_cmd,
    lint_cmd,
    lists_cmd,
    test_cmd,
    train_cmd,
    variants_cmd,
)

if __name__ == "__main__":
    main()
