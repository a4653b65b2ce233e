"""The `exportsim` command line. Each command parses options, calls the engine, renders.

Exit codes: 0 success (whatever the decision), 1 expectation mismatch where a command checks
expectations, 2 bad input (files, options), 3 internal engine failure.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from exportsim.engine.backend_durable import EngineFailure
from exportsim.engine.errors import InputError, Problem
from exportsim.engine.evaluate import Evaluator, builtin_cases_dir, load_transaction
from exportsim.engine.expectations import mismatches
from exportsim.engine.loader import RuleSet, load_rules
from exportsim.engine.model import Transaction
from rich.console import Console
from rich.text import Text

from exportsim import DISCLAIMER, __version__

from .render import print_results, result_tree
from .rules_view import rules_list, rules_show

EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3


def fail_input(err: InputError) -> None:
    console = Console(stderr=True, highlight=False)
    for p in err.problems:
        console.print(f"[bold red]error:[/] {p.render()}", soft_wrap=True)
    sys.exit(EXIT_BAD_INPUT)


def _rules(path: Path | None) -> RuleSet:
    try:
        return load_rules(path)
    except InputError as err:
        fail_input(err)
        raise  # unreachable


def resolve_case(arg: str) -> Path:
    """A path, or the name of a built-in case (with or without .yaml)."""
    path = Path(arg)
    if path.exists():
        return path
    builtin = builtin_cases_dir()
    for candidate in (builtin / arg, builtin / f"{arg}.yaml"):
        if candidate.is_file():
            return candidate
    raise InputError(
        [
            Problem(
                arg,
                "No such file, and no built-in case of that name.",
                "Give a path to a .yaml/.json transaction, or a name from 'exportsim cases list'.",
            )
        ]
    )


def load_all(names: list[str], all_builtin: bool) -> tuple[list[tuple[Path, Transaction]], list[Problem]]:
    """Load every named file, collecting the problems of all of them before reporting."""
    txns: list[tuple[Path, Transaction]] = []
    problems: list[Problem] = []
    paths: list[Path] = []
    for name in names:
        try:
            paths.append(resolve_case(name))
        except InputError as err:
            problems.extend(err.problems)
    for path in paths + (builtin_case_paths() if all_builtin else []):
        try:
            txns.append((path, load_transaction(path)))
        except InputError as err:
            problems.extend(err.problems)
    return txns, problems


def builtin_case_paths() -> list[Path]:
    return sorted(builtin_cases_dir().glob("*.yaml"))


def parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a real date; write YYYY-MM-DD, e.g. 2025-11-10.") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="exportsim")
def cli() -> None:
    """exportsim: a rules-as-code export licensing simulator.

    A simplified training and analysis aid, not legal advice.
    Exit codes: 0 ok (whatever the decision), 2 bad input, 3 engine failure.
    """


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Rules folder (default: the built-in rules).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["durable", "python"]),
    default="durable",
    show_default=True,
    help="durable-rules (default) or the plain-Python evaluator.",
)
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@cli.command()
@click.argument("files", nargs=-1)
@click.option("--all", "all_builtin", is_flag=True, help="Evaluate every built-in case.")
@click.option("--date", "on", callback=parse_date, help="Evaluate as of this date instead of the file's date.")
@rules_option
@format_option
@click.option("--why-not", is_flag=True, help="Explain each rule in force that did not fire.")
@engine_option
@click.option("--no-trace", is_flag=True, help="Text output: hide the rule-firing trace.")
@click.option("--law", "show_law", is_flag=True, help="Text output: show the text of the law beside each finding.")
def evaluate(files, all_builtin, on, rules_dir, fmt, why_not, engine, no_trace, show_law) -> None:
    """Evaluate transaction FILES (paths or built-in case names) and explain the decision.

    JSON output is one object for one file and an array for several (docs/output.md).
    """
    if not files and not all_builtin:
        raise click.UsageError("Name at least one transaction file or built-in case, or pass --all.")
    txns, problems = load_all(list(files), all_builtin)
    if problems:
        fail_input(InputError(problems))
    evaluator = _evaluator(rules_dir, engine)
    try:
        results = [evaluator.evaluate(t, on=on, explain_misses=why_not, file=str(p)) for p, t in txns]
    except EngineFailure as exc:
        engine_failed(exc)
    if fmt == "json":
        click.echo(json.dumps(results[0] if len(results) == 1 else results, indent=2, ensure_ascii=False))
    else:
        print_results(Console(highlight=False), results, show_trace=not no_trace, show_law=show_law)


def engine_failed(exc: EngineFailure) -> None:
    click.echo(
        f"error: the rule engine failed: {exc}. This is a bug in exportsim or its rules; "
        "re-run with --engine python to compare, and report it.",
        err=True,
    )
    sys.exit(EXIT_ENGINE)


def _evaluator(rules_dir: Path | None, engine: str) -> Evaluator:
    rules = _rules(rules_dir)
    try:
        return Evaluator(rules, engine=engine)  # type: ignore[arg-type]
    except InputError as err:
        fail_input(err)
        raise


@cli.group()
def rules() -> None:
    """Inspect the rule set: regimes, rules, parameters, groups, list entries."""


@rules.command("list")
@rules_option
@format_option
def rules_list_cmd(rules_dir, fmt) -> None:
    """List each regime's rules with their dates and citations."""
    rules_list(_rules(rules_dir), fmt)


@rules.command("show")
@click.argument("rule_id")
@rules_option
@format_option
def rules_show_cmd(rule_id, rules_dir, fmt) -> None:
    """Show one rule (or parameter, group, list entry) in plain words."""
    rs = _rules(rules_dir)
    if not rules_show(rs, rule_id, fmt):
        known = ", ".join(list(rs.rules)[:8])
        click.echo(
            f"error: no rule, parameter, group or list entry '{rule_id}'. Fix: use an id from "
            f"'exportsim rules list' (e.g. {known}).",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)


@cli.group()
def schema() -> None:
    """Print JSON Schemas of the input formats."""


@schema.command("transaction")
def schema_transaction() -> None:
    """The JSON Schema of a transaction (and case) file."""
    click.echo(json.dumps(Transaction.model_json_schema(), indent=2))


@schema.command("result")
def schema_result() -> None:
    """The JSON Schema of `exportsim evaluate --format json` output (one result)."""
    from importlib.resources import files

    click.echo(files("exportsim.engine").joinpath("result.schema.json").read_text(encoding="utf-8"))


@cli.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@rules_option
@engine_option
@click.option("--fail-fast", is_flag=True, help="Stop at the first failing case.")
def test_cases(paths, rules_dir, engine, fail_fast) -> None:
    """Run case files (default: the built-in library) and compare them with their expectations.

    PATHS are case files or folders (searched for *.yaml, *.yml, *.json). Exit 0 only when every
    case passes, 1 when any fails, 2 for bad input.
    """
    files: list[Path] = []
    for p in paths or [builtin_cases_dir()]:
        files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml", ".json")) if p.is_dir() else [p])
    txns, problems = load_all([str(f) for f in files], False)
    problems.extend(
        Problem(str(p), "The case has no 'expected' block.", "Add 'expected: {outcome: ...}'.", None)
        for p, t in txns
        if t.expected is None
    )
    if problems:
        fail_input(InputError(problems))
    evaluator = _evaluator(rules_dir, engine)
    console = Console(highlight=False)
    passed = failed = 0
    for path, t in txns:
        try:
            result = evaluator.evaluate(t, file=str(path))
        except EngineFailure as exc:
            engine_failed(exc)
        wrong = mismatches(result, t.expected)  # type: ignore[arg-type]
        if not wrong:
            passed += 1
            continue
        failed += 1
        console.print(Text(f"FAILED {path}", style="bold red"))
        for line in wrong:
            console.print(f"  {line}")
        console.print(result_tree(result, show_trace=True))
        if fail_fast:
            break
    style = "bold green" if failed == 0 else "bold red"
    console.print(Text(f"{passed} passed, {failed} failed", style=style))
    sys.exit(0 if failed == 0 else 1)


@cli.group()
def cases() -> None:
    """The built-in case library."""


@cases.command("list")
@format_option
def cases_list(fmt) -> None:
    """List the built-in cases."""
    rows = []
    for p in builtin_case_paths():
        try:
            t = load_transaction(p)
        except InputError as err:
            fail_input(err)
        rows.append({"name": p.stem, "date": t.date.isoformat(), "difficulty": t.difficulty, "title": t.title})
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


if __name__ == "__main__":
    main()
