"""`exportsim compare`: a corpus under variants or on two dates, and what changes. It refuses to
write over an existing report unless told --force."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import click
from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.errors import EngineFailure, InputError, Problem
from exportsim.engine.core.evaluate import builtin_cases_dir
from exportsim.engine.scenarios.compare import Scenario, compare, report
from exportsim.engine.scenarios.population import read
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from exportsim import DISCLAIMER

from .common import (
    EXIT_BAD_INPUT,
    engine_failed,
    engine_option,
    fail_input,
    lists_db_option,
    load_evaluator,
    parse_date,
    refuse_overwrite,
    rules_option,
)
from .html_report import render_html


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: cannot write {output}: {exc.strerror}. Fix: choose a writable path.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"wrote {output}", err=True)


@click.command("compare")
@click.argument("inputs", nargs=-1)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="FILE|ID",
    help="A scenario: the baseline with this variant applied (repeat for several scenarios).",
)
@click.option("--stack", is_flag=True, help="Apply the variants together as one scenario instead of one each.")
@click.option("--dates", nargs=2, metavar="D1 D2", help="Compare the baseline on two dates instead.")
@rules_option
@lists_db_option
@engine_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--force", is_flag=True, help="Replace an existing --output file.")
def compare_cmd(inputs, variants, stack, dates, rules_dir, lists_db, engine, fmt, output, force) -> None:
    """Evaluate INPUTS (case files, folders, JSONL populations; default: the built-in cases) under
    the baseline and each --variant, or on the two --dates, and report what changes: how many
    transactions change outcome, the transition matrix, breakdowns by regime, destination and
    item category, and for each changed transaction the rules that fired in one and not the other.
    """
    if bool(variants) == bool(dates):
        raise click.UsageError("Give one or more --variant, or --dates D1 D2 (not both).")
    refuse_overwrite(output, force)
    base_eval = load_evaluator(rules_dir, (), lists_db, engine)
    base_rules = base_eval.rules
    if dates:
        d1, d2 = (parse_date(None, None, d) for d in dates)
        baseline = Scenario(f"baseline on {d1}", base_eval, d1)
        scenarios = [Scenario(f"baseline on {d2}", base_eval, d2)]
    else:
        baseline = Scenario("baseline", base_eval)
        groups = [list(variants)] if stack else [[v] for v in variants]
        scenarios = [
            Scenario(" + ".join(g), load_evaluator(rules_dir, g, lists_db, engine)) for g in groups
        ]
    corpus, problems = [], []
    for entry in read(list(inputs) or [str(builtin_cases_dir())]):
        if entry.problem:
            problems.append(entry.problem)
        else:
            corpus.append((entry.where, entry.txn))
    if problems:
        fail_input(
            InputError(
                problems[:20]
                + (
                    [Problem("(more)", f"{len(problems) - 20} more problems not shown.", "Fix the ones above first.")]
                    if len(problems) > 20
                    else []
                )
            )
        )
    try:
        count, diffs, base_outcomes = _run(corpus, baseline, scenarios)
    except EngineFailure as exc:
        engine_failed(exc)
    data = report(count, diffs, baseline.label, base_outcomes)
    data["disclaimer"] = DISCLAIMER
    data["rules"] = {"source": base_rules.source, "digest": base_rules.digest}
    if fmt == "json":
        _emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", output)
    elif fmt == "csv":
        _emit(_csv(data), output)
    elif fmt == "html":
        _emit(render_html(data), output)
    elif output is not None:
        buffer = Console(file=io.StringIO(), width=100, highlight=False, no_color=True)
        _print_text(buffer, data)
        _emit(buffer.file.getvalue(), output)  # type: ignore[attr-defined]
    else:
        _print_text(Console(highlight=False), data)


def _run(corpus, baseline, scenarios):
    if not sys.stderr.isatty():
        return compare(corpus, baseline, scenarios)
    columns = (
        TextColumn("evaluating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.speed} txn/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("compare", total=len(corpus))
        return compare(corpus, baseline, scenarios, progress=lambda: bar.advance(task))


def _print_text(console: Console, data: dict) -> None:
    console.print(f"[bold]{data['transactions']}[/] transactions; baseline: {escape(data['baseline'])}")
    for s in data["scenarios"]:
        n = data["transactions"] or 1
        console.print(
            f"\n[bold]{s['scenario']}[/]: {s['changed']} change overall outcome ({100 * s['changed'] / n:.1f}%), "
            f"{s['changed_findings_only']} more change findings only"
        )
        seen = {t["from"] for t in s["transitions"]} | {t["to"] for t in s["transitions"]}
        outcomes = [str(o) for o in Outcome if str(o) in seen]  # strongest first
        matrix = Table(title="Transitions (rows: baseline, columns: scenario)", title_justify="left")
        matrix.add_column("from \\ to")
        for o in outcomes:
            matrix.add_column(o.replace("_", " "), justify="right")
        cell = {(t["from"], t["to"]): t["count"] for t in s["transitions"]}
        for a in outcomes:
            matrix.add_row(a.replace("_", " "), *[str(cell.get((a, b), "")) for b in outcomes])
        console.print(matrix)
        if s["by_regime"]:
            t = Table(title="By regime", title_justify="left")
            t.add_column("regime")
            t.add_column("change")
            t.add_column("transactions", justify="right")
            for regime, moves in s["by_regime"].items():
                for move, k in sorted(moves.items(), key=lambda kv: -kv[1]):
                    t.add_row(regime, move, str(k))
            console.print(t)
        moved = sorted(
            ((k, v) for k, v in s["by_destination"].items() if v.get("changed")), key=lambda kv: -kv[1]["changed"]
        )
        if moved:
            console.print(
                "By destination (changed/total): "
                + ", ".join(f"{k} {v['changed']}/{v['total']}" for k, v in moved[:12])
            )
        for change in s["changes"][:15]:
            only_b = ", ".join(r["rule_id"] for r in change["only_in_baseline"]) or "-"
            only_s = ", ".join(r["rule_id"] for r in change["only_in_scenario"]) or "-"
            console.print(
                f"  {change['id']} ({change['destination']}): {change['from']} -> {change['to']}; "
                f"fired only in baseline: {only_b}; only in scenario: {only_s}"
            )
        if len(s["changes"]) > 15:
            console.print(f"  ... and {len(s['changes']) - 15} more (use --format json, csv or html for all)")
    console.print(f"\n[italic]{DISCLAIMER}[/]")


def _csv(data: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "scenario",
            "id",
            "title",
            "where",
            "kind",
            "destination",
            "categories",
            "from",
            "to",
            "regimes_changed",
            "fired_only_in_baseline",
            "fired_only_in_scenario",
        ]
    )
    for s in data["scenarios"]:
        for c in s["changes"]:
            w.writerow(
                [
                    s["scenario"],
                    c["id"],
                    c["title"],
                    c["where"],
                    c["kind"],
                    c["destination"],
                    ";".join(c["categories"]),
                    c["from"],
                    c["to"],
                    ";".join(f"{r}:{v['from']}->{v['to']}" for r, v in c["regimes"].items()),
                    ";".join(r["rule_id"] for r in c["only_in_baseline"]),
                    ";".join(r["rule_id"] for r in c["only_in_scenario"]),
                ]
            )
    return buf.getvalue()
