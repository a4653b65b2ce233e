"""`exportsim evaluate`: evaluate transaction files or built-in cases and explain each decision."""

from __future__ import annotations

import json

import click
from exportsim.engine.core.errors import EngineFailure, InputError

from .common import (
    engine_failed,
    engine_option,
    fail_input,
    format_option,
    lists_db_option,
    load_all,
    load_evaluator,
    ownership_option,
    parse_date,
    rules_option,
    variant_option,
)


@click.command()
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
    evaluator = load_evaluator(rules_dir, variants, lists_db, engine, ownership)
    try:
        results = [evaluator.evaluate(t, on=on, explain_misses=why_not, file=str(p)) for p, t in txns]
    except EngineFailure as exc:
        engine_failed(exc)
    if fmt == "json":
        click.echo(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        from .render import print_results

        print_results(Console(highlight=False), results, show_trace=not no_trace, show_law=show_law)
