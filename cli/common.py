"""What every command shares: options, loading the rules (with variants), and the way input
errors and engine failures end a command (one paragraph each, documented exit codes).

Importing this module stays cheap (no rich, no durable-rules): the heavy pieces are imported by
the function that needs them.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from exportsim.engine.core.errors import EngineFailure, EngineUnavailable, InputError, Problem
from exportsim.engine.core.evaluate import Evaluator, builtin_cases_dir, load_transaction
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.scenarios.prepared import Prepared, prepare

if TYPE_CHECKING:
    from exportsim.engine.core.ruleset.loader import RuleSet

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3


def fail_input(err: InputError) -> NoReturn:
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    for p in err.problems:
        console.print(f"[bold red]error:[/] {escape(p.render())}", soft_wrap=True, markup=True)
    sys.exit(EXIT_BAD_INPUT)


def engine_failed(exc: EngineFailure) -> NoReturn:
    if isinstance(exc, EngineUnavailable):  # the message is the cause and the fix already
        click.echo(f"error: {exc}", err=True)
    else:
        click.echo(
            f"error: the rule engine failed: {exc}. This is a bug in exportsim or its rules; "
            "re-run with --engine python to compare, and report it.",
            err=True,
        )
    sys.exit(EXIT_ENGINE)


def load_prepared(
    path: Path | None, variants: tuple[str, ...] | list[str] = (), lists_db: Path | None = None
) -> Prepared:
    """The rules folder (default: built-in) with the variants applied in order (from the rules
    cache when it can), and optionally the list entries of an imported list store instead of
    the curated ones."""
    try:
        return prepare(path, variants, lists_db)
    except InputError as err:
        fail_input(err)


def load_ruleset(
    path: Path | None, variants: tuple[str, ...] | list[str] = (), lists_db: Path | None = None
) -> RuleSet:
    return load_prepared(path, variants, lists_db).rules


def load_evaluator(
    path: Path | None,
    variants: tuple[str, ...] | list[str] = (),
    lists_db: Path | None = None,
    engine: str = "durable",
    ownership: Path | None = None,
) -> Evaluator:
    """An evaluator on the prepared rules; bad input exits 2, an engine that cannot run exits 3."""
    prepared = load_prepared(path, variants, lists_db)
    try:
        if ownership:
            from exportsim.engine.core.transaction.ownership_file import load_ownership

            return prepared.evaluator(engine, load_ownership(ownership))  # type: ignore[arg-type]
        return prepared.evaluator(engine)  # type: ignore[arg-type]
    except InputError as err:
        fail_input(err)
    except EngineFailure as exc:
        engine_failed(exc)


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


def builtin_cases() -> list[tuple[Path, Transaction]]:
    """Every built-in case with its transaction; a case that cannot be read ends the command."""
    cases = []
    for p in builtin_case_paths():
        try:
            cases.append((p, load_transaction(p)))
        except InputError as err:
            fail_input(err)
    return cases


def parse_date(_ctx, _param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a real date; write YYYY-MM-DD, e.g. 2025-11-10.") from None


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Rules folder (default: the built-in rules).",
)
variant_option = click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="FILE|ID",
    help="Apply a regime variant (a file, or a built-in id from 'exportsim variants list'); repeat to stack.",
)
lists_db_option = click.option(
    "--lists-db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Screen against an imported list store (exportsim lists import) instead of the curated lists.",
)
ownership_option = click.option(
    "--ownership",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A corporate-group ownership file (YAML or CSV) merged into every transaction.",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["durable", "python"]),
    default="durable",
    show_default=True,
    help="durable-rules (default) or the plain-Python evaluator.",
)
format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


def refuse_overwrite(output: Path | None, force: bool) -> None:
    """Commands that write a report or population never replace a file unless told --force."""
    if output is not None and output.exists() and not force:
        click.echo(
            f"error: {output} already exists. Fix: choose another --output, or pass --force to replace it.", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
