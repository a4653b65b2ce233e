"""Batch throughput and peak memory: a benchmark that reports numbers (no assertions).

    .venv/bin/python bench/batch_bench.py                      # 10,000 and 100,000 transactions
    .venv/bin/python bench/batch_bench.py --sizes 10000 --quick

For each population size it runs evaluate-batch's engine loop in a fresh process per
configuration (engine x trace x workers) and reports transactions per second, the rate per core,
the ratio to the plain-Python engine in the same configuration, and the peak resident memory of
the process and its workers.

It also measures, on the same transactions and ruleset, in one process and one pass (so the
screening cache warms as in a batch), where one evaluation's time goes — parsing and validating
the line, building facts, matching, deciding, the result record, its JSON line — and two
references for durable-rules' own matching throughput on this ruleset and these facts:
- "durable-rules, Host API": the package used as documented, one `assert_facts` and one
  `delete_state` per transaction (bench/host_reference.py; it must find the same firings);
- "durable-rules, as driven here": the backend's own session (assert, actions, retract), i.e.
  the C matcher plus the least glue the project found.
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
from exportsim.engine.batch.runner import BatchConfig, read_items, run_batch
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
sys.path.insert(0, sys.argv[3])
from host_reference import HostReference
from exportsim.engine.batch.runner import _jsonl, read_items
from exportsim.engine.core.decision.decide import decide
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.ruleset.loader import load_rules
from exportsim.engine.scenarios.population import parse_line

path, n = sys.argv[1], int(sys.argv[2])
items = [i for _, i in zip(range(n), read_items(path))]
rules = load_rules()
engines = {"durable": Evaluator(rules, engine="durable"), "python": Evaluator(rules, engine="python")}
clock = time.perf_counter
out = {"n": len(items)}
for name, ev in engines.items():
    spent = dict.fromkeys(("parse", "facts", "match", "decide", "result", "json"), 0.0)
    for item in items:  # nothing is kept from one transaction to the next, as in a batch
        t0 = clock()
        txn = parse_line(item.payload, item.source, item.line).txn
        t1 = clock()
        factset = ev.flattener.flatten(txn)
        t2 = clock()
        firings, derived = ev.backend.run(factset.facts)
        t3 = clock()
        facts = {f["id"]: f for f in [*factset.facts, *derived]}
        decision = decide(firings, ev.by_id, ev.deciding_regimes, facts, txn.date, None)
        t4 = clock()
        record = ev._light(txn, None, decision, firings, factset, "summary")
        t5 = clock()
        _jsonl(record)
        t6 = clock()
        for key, a, b in (("parse", t0, t1), ("facts", t1, t2), ("match", t2, t3), ("decide", t3, t4),
                          ("result", t4, t5), ("json", t5, t6)):
            spent[key] += b - a
    out[name] = spent
# The references, on the facts of the first 5,000 (built again, outside the timing).
durable = engines["durable"]
sample = [durable.flattener.flatten(parse_line(i.payload, i.source, i.line).txn).facts for i in items[:5000]]
out["sample"] = len(sample)
host = HostReference(durable.backend)
t0 = clock()
reference = [host.run(f) for f in sample]
out["host_api"] = clock() - t0
t0 = clock()
ours = [durable.backend.run(f)[0] for f in sample]
out["as_driven"] = clock() - t0
out["host_agrees"] = sum(r == {x.key for x in o} for r, o in zip(reference, ours))
print(json.dumps(out))
"""

STAGE_NAMES = {
    "parse": "parse and validate the JSON line",
    "facts": "build facts (screening, ownership, country groups)",
    "match": "match (the engine)",
    "decide": "decide (exceptions, strongest outcome)",
    "result": "result record, summary trace",
    "json": "JSON line",
}


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


def stages(pop: Path, n: int) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", STAGES, str(pop), str(n), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def print_stages(s: dict) -> float:
    """The per-stage table; returns the rate of durable-rules through its Host API."""
    n = s["n"]
    print(f"\nWhere the time goes (µs per transaction, one pass over the first {n:,}, trace summary):\n")
    print("| stage | durable | python |\n| --- | ---: | ---: |")
    for key, label in STAGE_NAMES.items():
        print(f"| {label} | {1e6 * s['durable'][key] / n:,.1f} | {1e6 * s['python'][key] / n:,.1f} |")
    totals = {e: sum(s[e].values()) for e in ("durable", "python")}
    print(f"| **total** | **{1e6 * totals['durable'] / n:,.1f}** | **{1e6 * totals['python'] / n:,.1f}** |")
    m = s["sample"]
    host, driven = m / s["host_api"], m / s["as_driven"]
    print(
        f"\ndurable-rules' own matching on the facts of the first {m:,}: through its Host API (assert_facts + "
        f"delete_state) {host:,.0f}/s ({1e6 / host:,.0f} µs; same firings on {s['host_agrees']:,} of {m:,}); "
        f"as driven by the backend (assert, actions, retract) {driven:,.0f}/s ({1e6 / driven:,.0f} µs)."
    )
    return host


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated population sizes")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="trace summary only")
    ap.add_argument("--stage-sample", type=int, default=20000, help="transactions timed stage by stage")
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
            print(f"\n## {size:,} transactions (seed {args.seed})")
            host = print_stages(stages(pop, min(size, args.stage_sample)))
            print(
                "\n| engine | trace | workers | transactions/s | per core | vs python engine | "
                "vs durable-rules Host API | peak memory (MiB) |"
            )
            print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            details = ["summary"] if args.quick else ["none", "summary", "full"]
            measured: dict[tuple, dict] = {}
            for engine in ("python", "durable"):
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
                            "per_core": rate / workers,
                            "vs_python": rate / measured[("python", detail, workers)]["rate"]
                            if engine == "durable"
                            else 1.0,
                            "vs_host_api": rate / workers / host,
                            "peak_mib": r["peak_kib"] / 1024,
                            "errors": r["errors"],
                        }
                        measured[(engine, detail, workers)] = row
                        rows.append(row)
                        print(
                            f"| {engine} | {detail} | {workers} | {rate:,.0f} | {row['per_core']:,.0f} | "
                            f"{row['vs_python']:.2f} | {row['vs_host_api']:.2f} | {row['peak_mib']:,.0f} |",
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
