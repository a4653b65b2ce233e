"""`exportsim test`: run folders of case files against their expectations, like a test runner.

Exit 0 only when every selected case passes (and coverage, if asked for, reaches its minimum);
1 when a case fails or coverage falls short; 2 for bad input; 3 for an engine failure.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from exportsim.engine.core.errors import EngineFailure, InputError, Problem
from exportsim.engine.core.evaluate import builtin_cases_dir
from exportsim.engine.suites.coverage import Coverage, measure
from exportsim.engine.suites.suite import CaseOutcome, KeywordError, discover, keyword_matcher, load_cases, run
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from .common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    engine_failed,
    engine_option,
    fail_input,
    lists_db_option,
    load_evaluator,
    ownership_option,
    rules_option,
    variant_option,
)
from .render import result_tree
from .suite_report import coverage_text, junit_xml


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@rules_option
@variant_option
@lists_db_option
@ownership_option
@engine_option
@click.option(
    "-k",
    "keyword",
    metavar="EXPR",
    help="Run only cases whose name, id, title or tags match EXPR (words, and/or/not, parentheses), as pytest -k.",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first failing case.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--junit-xml",
    "junit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JUnit XML report (for CI systems) to this file.",
)
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Report which rules, exception branches, list entries and parameters the cases exercised.",
)
@click.option(
    "--coverage-min",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Fail (exit 1) when fewer than N percent of the rules fired (implies --coverage).",
)
def test_cases(
    paths, rules_dir, variants, lists_db, ownership, engine, keyword, fail_fast, fmt, junit, show_coverage, coverage_min
) -> None:
    """Run case files (default: the built-in library) and compare them with their expectations.

    PATHS are case files or folders (searched for *.yaml, *.yml, *.json). Each case is evaluated on
    its own date; outcome and per-regime outcomes (and rule ids, where the case lists them) must
    match. The closing line reads 'N passed, M failed'.
    """
    if keyword:
        try:
            matcher = keyword_matcher(keyword)
        except KeywordError as exc:
            fail_input(
                InputError.one(
                    "-k",
                    f"The expression '{keyword}' is not valid: {exc}.",
                    "Write words joined by and/or/not, e.g. -k 'huawei and not 2019'.",
                )
            )
    cases, broken = load_cases(discover(paths or [builtin_cases_dir()]))
    if keyword:
        cases = [c for c in cases if matcher(c)]
    evaluator = load_evaluator(rules_dir, variants, lists_db, engine, ownership)
    rules = evaluator.rules
    console = Console(highlight=False)
    if broken and fmt == "text":
        for p in broken:
            console.print(Text(f"ERROR {p.file}", style="bold red"))
            console.print(f"  {escape(p.render())}", soft_wrap=True)
    unreadable = len({p.file for p in broken})
    outcomes: list[CaseOutcome] = []
    try:
        for outcome in run(cases, evaluator, fail_fast=fail_fast):
            outcomes.append(outcome)
            if fmt == "text" and not outcome.passed:
                _print_failure(console, outcome)
    except EngineFailure as exc:
        engine_failed(exc)
    coverage = measure(rules, [o.result for o in outcomes]) if (show_coverage or coverage_min is not None) else None
    passed = sum(o.passed for o in outcomes)
    failed = len(outcomes) - passed + unreadable
    short = coverage is not None and coverage_min is not None and coverage.percent + 1e-9 < coverage_min
    if junit:
        _write_junit(junit, outcomes, broken, rules.variants)
    if fmt == "json":
        report = _json_report(outcomes, broken, coverage, coverage_min, rules.variants)
        click.echo(json.dumps(report, indent=2))
    else:
        if coverage is not None:
            console.print(coverage_text(coverage))
            if short:
                console.print(
                    Text(f"coverage {coverage.percent:.1f}% is below the minimum {coverage_min:g}%", style="bold red")
                )
        if not cases:
            console.print(Text("no cases selected", style="yellow"))
        style = "bold green" if failed == 0 else "bold red"
        extra = f" ({unreadable} could not be read)" if unreadable else ""
        console.print(Text(f"{passed} passed, {failed} failed{extra}", style=style))
    sys.exit(EXIT_BAD_INPUT if unreadable else EXIT_FAILED if failed or short else 0)


def _print_failure(console: Console, outcome: CaseOutcome) -> None:
    console.print(Text(f"FAILED {outcome.case.path}", style="bold red"))
    for m in outcome.mismatches:
        console.print(escape(f"  {outcome.case.path}:{m.line or '?'}  {m.field}"), highlight=False)
        console.print(Text(f"    - expected: {m.expected}", style="red"))
        console.print(Text(f"    + got:      {m.actual}", style="green"))
    console.print(Text("  the evaluation that produced the result:", style="dim"))
    console.print(result_tree(outcome.result, show_trace=True))


def _json_report(
    outcomes: list[CaseOutcome], broken: list[Problem], coverage: Coverage | None, minimum, variants: list[str]
) -> dict:
    """Unreadable case files count as failed, as in the text summary."""
    report: dict = {
        "variants": variants,
        "passed": sum(o.passed for o in outcomes),
        "failed": sum(not o.passed for o in outcomes) + len({p.file for p in broken}),
        "unreadable": [p.render() for p in broken],
        "cases": [
            {
                "file": str(o.case.path),
                "id": o.case.txn.id,
                "status": "passed" if o.passed else "failed",
                "outcome": o.result["outcome"],
                "mismatches": [m.as_dict() for m in o.mismatches],
                "seconds": round(o.seconds, 4),
            }
            for o in outcomes
        ],
    }
    if coverage is not None:
        report["coverage"] = coverage.as_dict() | {"minimum": minimum}
    return report


def _write_junit(path: Path, outcomes: list[CaseOutcome], broken: list[Problem], variants: list[str]) -> None:
    try:
        path.write_text(junit_xml(outcomes, broken, variants), encoding="utf-8")
    except OSError as exc:
        click.echo(
            f"error: cannot write the JUnit report {path}: {exc.strerror}. Fix: choose a writable path.", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
