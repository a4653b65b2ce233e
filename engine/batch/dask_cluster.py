"""Batch evaluation on a Dask cluster (optional: `pip install 'exportsim[dask]'`).

The client reads the input and sends partitions of lines (text only) to the cluster; each worker
process builds its evaluator once per configuration (cached in the process, never per
partition or transaction) and returns result lines, which the client writes as numbered part
files, `part-00000.jsonl`, ... in input order. Workers need no shared file system. Concatenated,
the parts are exactly the output of a single-process `evaluate-batch` of the same input.

Python API:

    from distributed import Client
    from exportsim.engine.batch.runner import BatchConfig
    from exportsim.engine.batch.dask_cluster import run_on_dask
    with Client("tcp://scheduler:8786") as client:
        run_on_dask(client, "shipments.jsonl", Path("results/"), BatchConfig(engine="durable"))
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from distributed import Client, as_completed
from exportsim.engine.batch.runner import BatchConfig, Item, Worker, read_items

_WORKERS: dict[BatchConfig, Worker] = {}
# A Dask worker may run several tasks at once in threads. An evaluator is not thread-safe (its
# durable-rules session and caches are shared), and durable-rules' C code never releases the
# GIL, so threads would add no speed anyway: partitions take turns on the process's evaluator.
# Run workers with `--nthreads 1` and as many processes as cores.
_LOCK = threading.Lock()


def evaluate_partition(config: BatchConfig, items: list[Item]) -> tuple[list[str], int]:
    """Runs on a Dask worker: the process's evaluator for `config`, built on first use."""
    with _LOCK:
        worker = _WORKERS.get(config)
        if worker is None:
            worker = _WORKERS[config] = Worker(config)
        return worker.run(items)


@dataclass
class DaskStats:
    records: int = 0
    errors: int = 0
    parts: int = 0


def run_on_dask(
    client: Client, input_arg: str, output: Path, config: BatchConfig, partition_lines: int = 10_000
) -> DaskStats:
    """Evaluate `input_arg` on the cluster behind `client`, writing part files under `output`.
    At most two partitions per worker are in flight, so the client's memory stays bounded."""
    output.mkdir(parents=True, exist_ok=True)
    for old in output.glob("part-*.jsonl"):
        old.unlink()
    stats = DaskStats()
    items = read_items(input_arg)
    window = max(2, 2 * len(client.scheduler_info().get("workers", {})))
    futures = {}
    ready: dict[int, tuple[list[str], int]] = {}
    next_part = submitted = 0
    done = as_completed()

    def submit() -> bool:
        nonlocal submitted
        part = list(islice(items, partition_lines))
        if not part:
            return False
        future = client.submit(evaluate_partition, config, part, pure=False)
        futures[future] = submitted
        done.add(future)
        submitted += 1
        return True

    for _ in range(window):
        if not submit():
            break
    for future in done:
        ready[futures.pop(future)] = future.result()
        while next_part in ready:
            lines, errors = ready.pop(next_part)
            (output / f"part-{next_part:05d}.jsonl").write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
            stats.records += len(lines)
            stats.errors += errors
            next_part += 1
        submit()
    stats.parts = next_part
    return stats
