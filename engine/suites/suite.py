"""Case suites: find case files, select them with a `-k` expression, run them, judge them.

`exportsim test` and the pytest plugin both go through here, so a folder of cases gives the same
verdicts whichever way it is run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.evaluate import Evaluator, load_transaction_with_lines
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.core.transaction.source import LineMap
from exportsim.engine.suites.expectations import Mismatch, mismatches

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class CaseFile:
    path: Path
    txn: Transaction
    lines: LineMap

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class CaseOutcome:
    case: CaseFile
    result: dict[str, Any]
    mismatches: list[Mismatch]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.mismatches


def files_under(folder: Path, suffixes: tuple[str, ...] = CASE_SUFFIXES) -> list[Path]:
    """Every file below `folder` with one of the suffixes, sorted (the order runs and batches use)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Case files named directly, and every .yaml/.yml/.json under named folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(files_under(p))
        else:
            out.append(p)
    return out


def load_cases(paths: list[Path], need_expectation: bool = True) -> tuple[list[CaseFile], list[Problem]]:
    """The usable cases, and the problems of every file that is not one (each located)."""
    cases: list[CaseFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            txn, lines = load_transaction_with_lines(path)
        except InputError as err:
            problems.extend(err.problems)
            continue
        if need_expectation and txn.expected is None:
            problems.append(
                Problem(
                    str(path),
                    "The case has no 'expected' block, so there is nothing to test it against.",
                    "Add 'expected: {outcome: ...}' (and per-regime outcomes), or run it with 'exportsim evaluate'.",
                )
            )
            continue
        cases.append(CaseFile(path, txn, lines))
    return cases, problems


# -- -k expressions ------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


class KeywordError(ValueError):
    pass


def keyword_matcher(expr: str):
    """Compile a pytest-style `-k` expression: words match case-insensitively as substrings of the
    case's file name, id, title and tags; `and`, `or`, `not` and parentheses combine them."""
    tokens = [m.group(1) for m in _TOKEN.finditer(expr)]
    if not tokens:
        raise KeywordError("the expression is empty")
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def parse_or():
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = (lambda a, b: lambda s: a(s) or b(s))(left, right)
        return left

    def parse_and():
        left = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            left = (lambda a, b: lambda s: a(s) and b(s))(left, right)
        return left

    def parse_not():
        if peek() == "not":
            take()
            inner = parse_not()
            return lambda s: not inner(s)
        return parse_atom()

    def parse_atom():
        tok = peek()
        if tok is None:
            raise KeywordError("the expression ends too early")
        take()
        if tok == "(":
            inner = parse_or()
            if peek() != ")":
                raise KeywordError("a '(' is not closed")
            take()
            return inner
        if tok in (")", "and", "or"):
            raise KeywordError(f"unexpected '{tok}'")
        word = tok.casefold()
        return lambda s: word in s

    matcher = parse_or()
    if pos != len(tokens):
        raise KeywordError(f"unexpected '{tokens[pos]}'")
    return lambda case: matcher(_haystack(case))


def _haystack(case: CaseFile) -> str:
    t = case.txn
    return " ".join([case.path.stem, t.id, t.title, *t.tags, t.difficulty or ""]).casefold()


def run(cases: list[CaseFile], evaluator: Evaluator, fail_fast: bool = False) -> Iterator[CaseOutcome]:
    """Evaluate each case on its own date and compare it with its expectation."""
    for case in cases:
        start = time.perf_counter()
        result = evaluator.evaluate(case.txn, file=str(case.path))
        wrong = mismatches(result, case.txn.expected, case.lines)  # type: ignore[arg-type]
        yield CaseOutcome(case, result, wrong, time.perf_counter() - start)
        if wrong and fail_fast:
            return
