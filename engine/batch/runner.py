"""Batch evaluation: a stream of transactions in, a stream of JSONL results out, in input order.

- Memory is bounded: input is read lazily in chunks, and at most `2 x workers` chunks are in
  flight; nothing else accumulates, whatever the length of the input.
- A line that cannot be read or evaluated becomes an error record and the batch goes on.
- Each worker process builds its evaluator (its compiled rulesets) once, in the pool
  initializer; chunks carry only text. A worker that dies fails only the chunks it held: they
  are retried one at a time in a fresh process, and a chunk that kills its worker twice is
  reported line by line as error records, never silently lost.
- Output is written in input order, so a run that was interrupted resumes after the last
  complete line of its output file (see `resume_point`).
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from exportsim.engine.core.errors import EngineFailure, InputError, Problem
from exportsim.engine.core.evaluate import Evaluator, load_transaction
from exportsim.engine.core.trace.result import SCHEMA_VERSION
from exportsim.engine.core.transaction.ownership_file import load_ownership
from exportsim.engine.scenarios.population import parse_line
from exportsim.engine.scenarios.prepared import prepare
from exportsim.engine.suites.suite import files_under

CHUNK_LINES = 256
# Fault injection for the crash-recovery tests: a worker evaluating the transaction with this
# id exits abruptly, as a segfault in the C engine would.
CRASH_HOOK = "EXPORTSIM_TEST_CRASH_ID"


@dataclass(frozen=True)
class BatchConfig:
    rules_dir: str | None = None
    variants: tuple[str, ...] = ()
    engine: str = "durable"
    detail: str = "summary"
    lists_db: str | None = None
    ownership: str | None = None

    def evaluator(self) -> Evaluator:
        """The same rules the CLI checked, from the rules cache: a worker starts in milliseconds."""
        rules_dir = Path(self.rules_dir) if self.rules_dir else None
        prepared = prepare(rules_dir, self.variants, Path(self.lists_db) if self.lists_db else None)
        data = load_ownership(Path(self.ownership)) if self.ownership else None
        return prepared.evaluator(self.engine, data)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Item:
    """One unit of input: a JSONL line (`payload` is its text) or a case file (`payload` is its path)."""

    source: str
    line: int
    payload: str
    is_file: bool = False


class Worker:
    """Evaluates chunks; one per process, built once."""

    def __init__(self, config: BatchConfig) -> None:
        self.config = config
        self.evaluator = config.evaluator()
        self.crash_id = os.environ.get(CRASH_HOOK)

    def record(self, item: Item) -> dict[str, Any]:
        """One output record, a plain dict for speed; its contract is `BatchRecord` in
        engine/core/trace/result.py (tests/test_result_contract.py checks every kind)."""
        head: dict[str, Any] = {"line": item.line, "source": item.source}
        if item.is_file:
            try:
                txn = load_transaction(Path(item.payload))
            except InputError as err:
                return head | {"error": _problem(err.problems[0])}
        else:
            entry = parse_line(item.payload, item.source, item.line)
            if entry.problem is not None:
                return head | {"error": _problem(entry.problem)}
            txn = entry.txn
        assert txn is not None
        if self.crash_id is not None and txn.id == self.crash_id:
            os._exit(70)
        try:
            result = self.evaluator.evaluate(txn, detail=self.config.detail)  # type: ignore[arg-type]
        except EngineFailure as exc:
            return head | {"id": txn.id, "error": {"message": f"The rule engine failed: {exc}", "fix": "Report it."}}
        return head | {"id": txn.id} | result

    def run(self, chunk: list[Item]) -> tuple[list[str], int]:
        """The chunk's output lines, and how many of them are error records."""
        records = [self.record(item) for item in chunk]
        errors = sum("error" in r for r in records)
        return [_jsonl(r) for r in records], errors


def _jsonl(record: dict[str, Any]) -> str:
    """One compact JSON line (UTF-8 text, not escaped). orjson writes it several times faster
    than the json module; a value orjson refuses (an integer beyond 64 bits) takes json."""
    try:
        return orjson.dumps(record).decode()
    except TypeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _problem(p: Problem) -> dict[str, Any]:
    return {"message": p.message, "fix": p.fix, "field": p.field}


# -- process pool plumbing ------------------------------------------------------------------

_WORKER: Worker | None = None


def _init_worker(config: BatchConfig) -> None:
    global _WORKER
    _WORKER = Worker(config)


def _run_chunk(chunk: list[Item]) -> tuple[list[str], int]:
    assert _WORKER is not None
    return _WORKER.run(chunk)


def chunks(items: Iterable[Item], size: int = CHUNK_LINES) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Stats:
    records: int = 0
    errors: int = 0
    crashed_chunks: int = 0
    retried_chunks: int = 0


def _crash_records(chunk: list[Item]) -> tuple[list[str], int]:
    first, last = chunk[0].line, chunk[-1].line
    lines = [
        json.dumps(
            {
                "line": item.line,
                "source": item.source,
                "error": {
                    "message": f"The worker process died twice while evaluating lines {first}-{last}; "
                    "this line was not evaluated.",
                    "fix": "Re-run these lines with --workers 1 to find the transaction that crashes the engine.",
                },
            }
        )
        for item in chunk
    ]
    return lines, len(lines)


def run_batch(
    items: Iterable[Item],
    config: BatchConfig,
    write: Callable[[str], None],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Stats:
    """Evaluate every item and `write` one JSON line per item, in input order."""
    stats = Stats()

    def emit(done: tuple[list[str], int]) -> None:
        lines, errors = done
        for line in lines:
            write(line + "\n")
        stats.records += len(lines)
        stats.errors += errors
        if progress:
            progress(len(lines))

    if workers <= 1:
        worker = Worker(config)
        for chunk in chunks(items):
            emit(worker.run(chunk))
        return stats
    pool = _pool(config, workers)
    pending: deque[tuple[list[Item], Future]] = deque()
    source = chunks(items)
    try:
        while True:
            while len(pending) < 2 * workers:
                chunk = next(source, None)
                if chunk is None:
                    break
                pending.append((chunk, pool.submit(_run_chunk, chunk)))
            if not pending:
                break
            chunk, future = pending.popleft()
            try:
                emit(future.result())
            except BrokenProcessPool:
                # Every chunk in flight is lost with the pool: retry each alone, in order.
                stats.crashed_chunks += 1
                pool.shutdown(wait=False, cancel_futures=True)
                retry = [chunk, *(c for c, _ in pending)]
                pending.clear()
                for c in retry:
                    stats.retried_chunks += 1
                    emit(_isolated(c, config, stats))
                pool = _pool(config, workers)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return stats


def _pool(config: BatchConfig, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(config,))


def _isolated(chunk: list[Item], config: BatchConfig, stats: Stats) -> tuple[list[str], int]:
    with ProcessPoolExecutor(max_workers=1, initializer=_init_worker, initargs=(config,)) as solo:
        try:
            return solo.submit(_run_chunk, chunk).result()
        except BrokenProcessPool:
            stats.crashed_chunks += 1
            return _crash_records(chunk)


# -- input and resuming ---------------------------------------------------------------------


def read_items(arg: str, start_after: int = 0, stdin=None) -> Iterator[Item]:
    """JSONL lines of a file or of stdin (`-`), or the case files of a folder (numbered in order)."""
    if arg == "-":
        for n, text in enumerate(stdin or sys.stdin, start=1):
            if n > start_after and text.strip():
                yield Item("-", n, text)
        return
    path = Path(arg)
    if path.is_dir():
        for n, f in enumerate(files_under(path), start=1):
            if n > start_after:
                yield Item(str(f), n, str(f), is_file=True)
        return
    with path.open(encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if n > start_after and text.strip():
                yield Item(arg, n, text)


def count_items(arg: str) -> int | None:
    """How many lines (or case files) the input has, for a progress bar; None for stdin."""
    if arg == "-":
        return None
    path = Path(arg)
    if path.is_dir():
        return sum(1 for _ in read_items(arg))
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def manifest_path(output: Path) -> Path:
    return output.with_name(output.name + ".batch.json")


def manifest(arg: str, config: BatchConfig, digest: str) -> dict[str, Any]:
    """What makes two runs the same batch; with the result schema version, so an output written
    in another record format is never resumed into (its lines would mix two shapes)."""
    where = os.path.abspath(arg) if arg != "-" else "-"
    return {"input": where, "rules_digest": digest, "schema_version": SCHEMA_VERSION, **asdict(config)}


def resume_point(output: Path) -> int:
    """The input line after which to resume: the last complete record of `output`. A partial
    last line (the run was killed while writing it) is cut off; complete lines are kept."""
    if not output.exists():
        return 0
    last_good, keep, bad = 0, 0, None
    with output.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if bad is not None:  # an unreadable line with complete lines after it: not a torn write
                raise InputError.one(
                    str(output),
                    f"Line {bad} of the output is not a result record, and "
                    "more lines follow it, so the file cannot be resumed safely.",
                    "Move the file aside and run the batch again.",
                    bad,
                )
            try:
                if not raw.endswith(b"\n"):
                    raise ValueError("a torn last line")
                line_no = int(json.loads(raw)["line"])
            except (ValueError, KeyError, TypeError):
                bad = n
                continue
            last_good = line_no
            keep += len(raw)
    if keep != output.stat().st_size:
        with output.open("r+b") as fh:
            fh.truncate(keep)
    return last_good
