"""Batch throughput and peak memory: a benchmark that reports numbers (no assertions).

    .venv/bin/python bench/batch_bench.py                      # 10,000 and 100,000 transactions
    .venv/bin/python bench/batch_bench.py --sizes 10000 --quick

For each population size it runs evaluate-batch's engine loop in a fresh process per
configuration (engine x trace x workers) and reports transactions per second and the peak
resident memory of the process and its workers. It also measures, on the same transactions and
ruleset, where one evaluation's time goes: building facts, durable-rules' own session
(assert, match, actions, delete), the plain-Python executor, and the rest (decision and result).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RUNNER = r"""
import json, resource, sys, time
from exportsim.engine.batch import BatchConfig, read_items, run_batch
path, engine, detail, workers, out = sys.argv[1:6]
with open(out, "w") as fh:
    start = time.perf_counter()
    stats = run_batch(read_items(path), BatchConfig(engine=engine, detail=detail), fh.write, int(workers))
    seconds = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"records": stats.records, "errors": stats.errors, "seconds": seconds, "peak_kib": peak}))
"""

STAGES = r"""
import json, sys, time
from exportsim.engine.loader import load_rules
from exportsim.engine.evaluate import Evaluator
from exportsim.engine.batch import read_items
from exportsim.engine.population import parse_line
path, n = sys.argv[1], int(sys.argv[2])
items = [i for _, i in zip(range(n), read_items(path))]
t0 = time.perf_counter()
txns = [parse_line(i.payload, i.source, i.line).txn for i in items]
parse = time.perf_counter() - t0
rules = load_rules()
durable, python = Evaluator(rules, engine="durable"), Evaluator(rules, engine="python")
t0 = time.perf_counter(); facts = [durable.flattener.flatten(t).facts for t in txns]; flatten = time.perf_counter() - t0
t0 = time.perf_counter()
for f in facts: durable.backend.run(f)
d_run = time.perf_counter() - t0
t0 = time.perf_counter()
for f in facts: python.backend.run(f)
p_run = time.perf_counter() - t0
t0 = time.perf_counter()
for t in txns: durable.evaluate(t, detail="summary")
d_all = time.perf_counter() - t0
t0 = time.perf_counter()
for t in txns: python.evaluate(t, detail="summary")
p_all = time.perf_counter() - t0
print(json.dumps({"n": n, "parse": parse, "flatten": flatten, "durable_session": d_run, "python_match": p_run,
                  "durable_evaluate": d_all, "python_evaluate": p_all}))
"""


def run_config(pop: Path, engine: str, detail: str, workers: int, scratch: Path) -> dict:
    out = scratch / f"out-{engine}-{detail}-{workers}.jsonl"
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, str(pop), engine, detail, str(workers), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    out.unlink()
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated population sizes")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="trace summary only, one and two workers")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args()
    exe = Path(sys.executable).parent / "exportsim"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            pop = scratch / f"pop-{size}.jsonl"
            subprocess.run(
                [str(exe), "generate", "--n", str(size), "--seed", str(args.seed), "-o", str(pop)],
                check=True,
                capture_output=True,
            )
            stages = json.loads(
                subprocess.run(
                    [sys.executable, "-c", STAGES, str(pop), str(min(size, 5000))],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            n = stages["n"]
            print(f"\n## {size:,} transactions (seed {args.seed}); per-transaction stages over the first {n:,}")
            print("| stage | µs per transaction |\n| --- | ---: |")
            for key in ("parse", "flatten", "durable_session", "python_match", "durable_evaluate", "python_evaluate"):
                print(f"| {key.replace('_', ' ')} | {1e6 * stages[key] / n:,.0f} |")
            ceiling = n / stages["durable_session"]
            print(
                f"\ndurable-rules' own session rate on this ruleset: {ceiling:,.0f}/s; plain-Python matching: "
                f"{n / stages['python_match']:,.0f}/s"
            )
            print("\n| engine | trace | workers | transactions/s | per core | peak memory (MiB) |")
            print("| --- | --- | ---: | ---: | ---: | ---: |")
            details = ["summary"] if args.quick else ["none", "full"]
            for engine in ("durable", "python"):
                for detail in details:
                    for workers in (1, 2):
                        r = run_config(pop, engine, detail, workers, scratch)
                        rate = r["records"] / r["seconds"]
                        row = {
                            "size": size,
                            "engine": engine,
                            "trace": detail,
                            "workers": workers,
                            "rate": rate,
                            "peak_mib": r["peak_kib"] / 1024,
                            "errors": r["errors"],
                            "ceiling": ceiling,
                        }
                        rows.append(row)
                        print(
                            f"| {engine} | {detail} | {workers} | {rate:,.0f} | {rate / workers:,.0f} | "
                            f"{row['peak_mib']:,.0f} |",
                            flush=True,
                        )
    if args.json:
        print(json.dumps(rows, indent=2))
    print(
        f"\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}; "
        "peak memory is the largest ru_maxrss of the process and of its workers"
    )


if __name__ == "__main__":
    main()
