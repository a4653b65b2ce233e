"""Read transactions in bulk: JSONL populations (one transaction per line, `-` for stdin) and case
files or folders, as one stream. Lines are parsed and validated one at a time, so a stream of
any length needs the memory of one line; a bad line becomes a `Problem` in the stream, located by
file and line, and reading goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.evaluate import load_transaction
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.core.transaction.source import LineMap
from exportsim.engine.core.transaction.validation import problems_from
from exportsim.engine.suites.suite import CASE_SUFFIXES, files_under
from pydantic import ValidationError

JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Entry:
    source: str  # file name, or "-" for stdin
    line: int | None  # line number in a JSONL file
    txn: Transaction | None
    problem: Problem | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


def parse_line(text: str, source: str, line: int) -> Entry:
    """One JSONL line: a transaction, or a located problem.

    A valid line is parsed and validated in one pass by pydantic's own JSON reader (the batch's
    common case); a line it refuses takes the slower path below, whose messages name the line."""
    try:
        return Entry(source, line, Transaction.model_validate_json(text))
    except ValidationError:
        pass
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Entry(
            source,
            line,
            None,
            Problem(source, f"Line {line} is not valid JSON: {exc.msg}.", "Write one JSON object per line.", line),
        )
    if not isinstance(data, dict):
        return Entry(
            source,
            line,
            None,
            Problem(source, f"Line {line} is not a JSON object.", "Write one transaction object per line.", line),
        )
    try:
        return Entry(source, line, Transaction.model_validate(data))
    except ValidationError as exc:
        first = problems_from(exc, source, LineMap({(): line}))[0]
        return Entry(source, line, None, first)


def read_jsonl(stream: IO[str], source: str, start_after: int = 0) -> Iterator[Entry]:
    """Every non-empty line after line `start_after` (for resuming a batch)."""
    for n, text in enumerate(stream, start=1):
        if n <= start_after or not text.strip():
            continue
        yield parse_line(text, source, n)


def read(paths: Iterable[str]) -> Iterator[Entry]:
    """JSONL files (or `-`), case files, and folders of case files, in the order given."""
    for arg in paths:
        if arg == "-":
            yield from read_jsonl(sys.stdin, "-")
            continue
        path = Path(arg)
        files = files_under(path, (*CASE_SUFFIXES, *JSONL_SUFFIXES)) if path.is_dir() else [path]
        for f in files:
            if f.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with f.open(encoding="utf-8") as fh:
                        yield from read_jsonl(fh, str(f))
                except OSError as exc:
                    yield Entry(
                        str(f), None, None, Problem(str(f), f"Cannot read the file: {exc.strerror}.", "Check the path.")
                    )
                continue
            try:
                yield Entry(str(f), None, load_transaction(f))
            except InputError as err:
                yield Entry(str(f), None, None, err.problems[0])
