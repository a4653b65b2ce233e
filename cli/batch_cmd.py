"""`exportsim evaluate-batch`: stream many transactions through the engine, resumably.

Exit codes: 0 every line evaluated; 1 some lines are error records (the rest were evaluated);
2 bad input or options (an unreadable input file, an output that is not a batch of this input).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from exportsim.engine.batch.resume import prepare_output
from exportsim.engine.batch.runner import BatchConfig, count_items, read_items, run_batch
from exportsim.engine.core.errors import EngineFailure, InputError
from exportsim.engine.core.evaluate import require_engine
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from .common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    engine_failed,
    engine_option,
    fail_input,
    lists_db_option,
    load_ruleset,
    ownership_option,
    rules_option,
    variant_option,
)


@click.command("evaluate-batch")
@click.argument("input_arg", metavar="INPUT")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL results (default: stdout). If the file exists from an interrupted run of the same "
    "batch, the run resumes after its last complete line.",
)
@variant_option
@rules_option
@lists_db_option
@ownership_option
@engine_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (each compiles the rules once).",
)
@click.option(
    "--trace",
    "detail",
    type=click.Choice(["none", "summary", "full"]),
    default="summary",
    show_default=True,
    help="How much explanation each result carries.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on a Dask cluster (needs exportsim[dask]); --output is then a folder of part files.",
)
@click.option(
    "--partition-lines", type=click.IntRange(1), default=10_000, show_default=True, help="Lines per Dask partition."
)
@click.option("--force", is_flag=True, help="Start again: replace an existing --output instead of resuming it.")
def evaluate_batch(
    input_arg,
    output,
    variants,
    rules_dir,
    lists_db,
    ownership,
    engine,
    workers,
    detail,
    scheduler,
    partition_lines,
    force,
) -> None:
    """Evaluate INPUT, a JSONL file (one transaction per line; '-' for stdin) or a folder of case
    files, writing one JSON result per line (with the input line number and transaction id).

    Memory stays bounded however long the input. A malformed line becomes an error record
    ({"line": N, "error": {...}}) and the batch goes on.
    """
    if input_arg != "-" and not Path(input_arg).exists():
        click.echo(
            f"error: {input_arg}: no such file or folder. Fix: give a JSONL file, a folder of cases or '-'.", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    config = BatchConfig(
        str(rules_dir) if rules_dir else None,
        tuple(variants),
        engine,
        detail,
        str(lists_db) if lists_db else None,
        str(ownership) if ownership else None,
    )
    rules = load_ruleset(rules_dir, variants, lists_db)  # reports bad rules or variants once, before any work
    try:
        require_engine(engine)  # durable-rules missing: exit 3 now, not once per worker
    except EngineFailure as exc:
        engine_failed(exc)
    if scheduler:
        _on_dask(input_arg, output, config, scheduler, partition_lines, force)
        return
    start_after, out = 0, None
    if output is not None:
        try:
            start_after = prepare_output(output, input_arg, config, rules.digest, force)
        except InputError as err:
            fail_input(err)
        out = output.open("a", encoding="utf-8")
    write = out.write if out else sys.stdout.write
    try:
        stats = _run(input_arg, config, write, workers, start_after)
    finally:
        if out:
            out.close()
    resumed = f" (resumed after line {start_after})" if start_after else ""
    click.echo(f"{stats.records} results, {stats.errors} error records{resumed}", err=True)
    sys.exit(EXIT_FAILED if stats.errors else 0)


def _run(input_arg, config, write, workers, start_after):
    items = read_items(input_arg, start_after)
    if not sys.stderr.isatty():
        return run_batch(items, config, write, workers)
    total = count_items(input_arg)
    columns = (
        TextColumn("evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.speed:.0f}/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("batch", total=(total - start_after) if total is not None else None)
        return run_batch(items, config, write, workers, progress=lambda n: bar.advance(task, n))


def _on_dask(input_arg, output, config, scheduler, partition_lines, force) -> None:
    try:
        from exportsim.engine.batch.dask_cluster import run_on_dask
    except ImportError:
        click.echo("error: --scheduler needs Dask. Fix: pip install 'exportsim[dask]'.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if output is None:
        click.echo("error: --scheduler writes part files. Fix: give --output FOLDER.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if output.exists() and any(output.iterdir()) and not force:
        click.echo(f"error: {output} exists and is not empty. Fix: choose a new folder, or pass --force.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from distributed import Client

    with Client(scheduler) as client:
        stats = run_on_dask(client, input_arg, output, config, partition_lines)
    click.echo(f"{stats.records} results in {stats.parts} parts under {output}, {stats.errors} error records", err=True)
    sys.exit(EXIT_FAILED if stats.errors else 0)
