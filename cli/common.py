"""What every command shares: options, loading the rules (with variants), and the way input
errors and engine failures end a command (one paragraph each, documented exit codes)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import click
from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.evaluate import Evaluator, builtin_cases_dir, load_transaction
from exportsim.engine.core.executors.durable import EngineFailure
from exportsim.engine.core.ruleset.loader import RuleSet, load_rules
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.core.transaction.ownership_file import load_ownership
from exportsim.engine.lists.store import with_store_entries
from exportsim.engine.scenarios.variants import apply_variants
from rich.console import Console
from rich.markup import escape

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_ENGINE = 3


def fail_input(err: InputError) -> NoReturn:
    console = Console(stderr=True, highlight=False)
    for p in err.problems:
        console.print(f"[bold red]error:[/] {escape(p.render())}", soft_wrap=True, markup=True)
    sys.exit(EXIT_BAD_INPUT)


def engine_failed(exc: EngineFailure) -> NoReturn:
    click.echo(
        f"error: the rule engine failed: {exc}. This is a bug in exportsim or its rules; "
        "re-run with --engine python to compare, and report it.",
        err=True,
    )
    sys.exit(EXIT_ENGINE)


def load_ruleset(
    path: Path | None, variants: tuple[str, ...] | list[str] = (), lists_db: Path | None = None
) -> RuleSet:
    """The rules folder (default: built-in) with the variants applied in order, and optionally
    the list entries of an imported list store instead of the curated ones."""
    try:
        base = load_rules(path)
        rules = apply_variants(base, list(variants))
        return with_store_entries(rules, base, lists_db) if lists_db else rules
    except InputError as err:
        fail_input(err)


def make_evaluator(rules: RuleSet, engine: str, ownership: Path | None = None) -> Evaluator:
    try:
        data = load_ownership(ownership) if ownership else None
        return Evaluator(rules, engine=engine, ownership=data)  # type: ignore[arg-type]
    except InputError as err:
        fail_input(err)


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
