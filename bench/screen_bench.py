"""Screening speed: a benchmark that reports numbers (no assertions).

    .venv/bin/python bench/screen_bench.py [--names 10000] [--entries 12000] [--seed 7] [--baseline REF]

Builds a synthetic list of ENTRIES entries (each with one or two aliases; company and person
names from seeded word lists), then:
1. bulk-screens NAMES names (half perturbed list names: typos, reordering, legal forms; half
   unrelated) with `BulkScreen` (rapidfuzz cdist candidates, chunked, on one core), reporting
   names per second and peak memory;
2. evaluates transactions with five parties against a rule set whose lists are the synthetic
   entries, reporting the time per transaction (the index is built once, before timing).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.facts.screening import BulkScreen, ListIndex
from exportsim.engine.core.ruleset.loader import load_rules
from exportsim.engine.core.ruleset.ruledefs import Citation, ListEntry
from exportsim.engine.core.transaction.model import Transaction

# Brand names from pinyin-like and Latin syllables, two or three of them: about 250,000 brands.
SYLLABLES = [  # fmt: skip
    "an",
    "bo",
    "chen",
    "da",
    "fei",
    "gang",
    "hao",
    "jin",
    "kai",
    "long",
    "ming",
    "ning",
    "pei",
    "qiang",
    "rong",
    "shan",
    "tian",
    "wei",
    "xin",
    "yang",
    "zhi",
    "lu",
    "mei",
    "sun",
    "tek",
    "vo",
    "ra",
    "kor",
    "del",
    "mar",
    "tor",
    "vel",
    "zen",
    "lin",
    "po",
    "quo",
    "ser",
    "gal",
    "nik",
    "ost",
    "ural",
    "volk",
    "dar",
    "pars",
    "kav",
    "ard",
    "bel",
    "cor",
    "dun",
    "eko",
    "far",
    "gor",
    "hel",
    "ist",
    "jav",
    "kar",
    "lem",
    "nor",
    "orb",
    "pix",
]
WORDS = [
    "Trading",
    "Logistics",
    "Electronics",
    "Semiconductor",
    "Shipping",
    "Marine",
    "Energy",
    "Industrial",
    "Precision",
    "Optics",
    "Aerospace",
    "Materials",
    "Systems",
    "Machinery",
    "Instruments",
    "Chemical",
    "Software",
    "Networks",
    "Robotics",
    "Devices",
]
PLACES = [
    "Shenzhen",
    "Dubai",
    "Moscow",
    "Tehran",
    "Minsk",
    "Hong-Kong",
    "Istanbul",
    "Almaty",
    "Tashkent",
    "Yerevan",
    "Baku",
    "Singapore",
]
GIVEN = [
    "Ivan",
    "Sergei",
    "Olga",
    "Ali",
    "Reza",
    "Hassan",
    "Wei",
    "Li",
    "Jun",
    "Kim",
    "Omar",
    "Yusuf",
    "Elena",
    "Dmitri",
    "Farid",
    "Mehdi",
]
FAMILY = [
    "Petrov",
    "Ivanov",
    "Smirnov",
    "Hosseini",
    "Rezaei",
    "Karimi",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Park",
    "Lee",
    "Aliyev",
    "Kuznetsov",
    "Popov",
]
FORMS = ["Co., Ltd.", "LLC", "Limited", "JSC", "FZE", "GmbH", "Company"]


def company(rng: random.Random) -> str:
    brand = "".join(rng.sample(SYLLABLES, rng.choice((2, 3)))).capitalize()
    return f"{rng.choice(PLACES)} {brand} {rng.choice(WORDS)} {rng.choice(FORMS)}"


def person(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}{rng.choice(('', 'ov', 'i', 'zadeh'))}"


def perturb(rng: random.Random, name: str) -> str:
    words = name.split()
    kind = rng.randrange(4)
    if kind == 0:  # a typo in the longest word
        i = max(range(len(words)), key=lambda k: len(words[k]))
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif kind == 1:
        rng.shuffle(words)
    elif kind == 2:
        words = [w for w in words if w not in ("Co.,", "Ltd.", "LLC", "Limited", "JSC", "FZE", "GmbH", "Company")]
    return " ".join(words).upper() if kind == 3 else " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", type=int, default=10_000)
    ap.add_argument("--entries", type=int, default=12_000, help="entries; with their aliases about 20,000 names")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline", help="a git commit to compare with, in the same run (e.g. main)")
    ap.add_argument("--rounds", type=int, default=2, help="with --baseline: turns each (best taken)")
    args = ap.parse_args()
    if args.baseline:
        compare_with(args.baseline, args)
        return
    rng = random.Random(args.seed)
    cite = Citation(instrument="synthetic", source="bench")
    entries = []
    for n in range(args.entries):
        name = company(rng) if n % 3 else person(rng)
        aliases = [company(rng) if n % 3 else person(rng) for _ in range(rng.choice((0, 1, 1)))]
        entries.append(
            ListEntry(id=f"sdn.s{n}", list="sdn", name=name, aliases=aliases, added="2000-01-01", citation=cite)
        )
    names_total = sum(1 + len(e.aliases) for e in entries)
    sources = [rng.choice(entries) if k % 2 else None for k in range(args.names)]
    queries = [perturb(rng, e.name) if e else company(rng) for e in sources]
    day = dt.date(2026, 11, 24)

    t0 = time.perf_counter()
    index = ListIndex(entries)
    bulk = BulkScreen(index, "sdn", day)
    build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    results = bulk.screen(queries)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    alerted = sum(1 for r in results if r)
    planted = [(e, r) for e, r in zip(sources, results, strict=True) if e is not None]
    found = sum(1 for e, r in planted if any(m.entry.id == e.id for m in r))
    print(f"list: {args.entries:,} entries, {names_total:,} names with aliases; index built in {build:.2f} s")
    print(f"names per query after normalisation and transliteration: {len(bulk.choices):,} list forms")
    print(
        f"bulk screen of {args.names:,} names: {seconds:.2f} s ({args.names / seconds:,.0f} names/s, one core; "
        f"CPU {cpu:.2f} s); "
        f"{alerted:,} names alerted; peak memory {peak:,.0f} MiB"
    )
    print(f"perturbed list names (typo, reordered, no legal form, capitals) found: {found:,} of {len(planted):,}")

    rules = load_rules()
    rules = dataclasses.replace(rules, entries={e.id: e for e in entries})
    evaluator = Evaluator(rules, engine="python")
    txns = []
    for k in range(200):
        parties = [{"name": "US Seller Inc", "roles": ["exporter"], "country": "US", "us_person": True}]
        parties += [
            {
                "name": perturb(rng, rng.choice(entries).name) if j == 0 and k % 2 else company(rng),
                "roles": ["end_user"],
                "country": "AE",
            }
            for j in range(4)
        ]
        txns.append(
            Transaction.model_validate(
                {
                    "id": f"t{k}",
                    "date": day.isoformat(),
                    "kind": "export",
                    "origin": "US",
                    "destination": "AE",
                    "parties": parties,
                    "items": [{"description": "pumps", "eccn": "EAR99", "us_origin": True}],
                }
            )
        )
    evaluator.evaluate(txns[0])  # warm-up (caches)
    times, cpus = [], []
    for t in txns:
        t0, c0 = time.perf_counter(), time.process_time()
        evaluator.evaluate(t, detail="summary")
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    print(
        f"transactions with 5 parties against the {args.entries:,}-entry list: median "
        f"{1000 * statistics.median(times):.2f} ms, 95th percentile "
        f"{1000 * sorted(times)[int(0.95 * len(times))]:.2f} ms (python executor, summary results; CPU median "
        f"{1000 * statistics.median(cpus):.2f} ms)"
    )


_BULK = re.compile(r"bulk screen of [\d,]+ names: [\d.]+ s .*?CPU ([\d.]+) s")
_TXN = re.compile(r"CPU median ([\d.]+) ms")


def compare_with(ref: str, args: argparse.Namespace) -> None:
    """Run this benchmark on REF's code and on the working copy, in turns, and print the ratio."""
    repo = Path(__file__).resolve().parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="screen_bench_"))
    try:
        archive = subprocess.run(["git", "-C", str(repo), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        pkg = tmp / "pkg" / "exportsim"  # the layout pyproject.toml installs
        shutil.copytree(tmp / "src" / "exportsim", pkg)
        for folder in ("engine", "cli", "rules", "cases"):
            shutil.copytree(tmp / folder, pkg / folder)
        plain = ["--names", str(args.names), "--entries", str(args.entries), "--seed", str(args.seed)]
        # this script on both: REF's code through PYTHONPATH (it comes before the installed copy)
        script = [sys.executable, str(Path(__file__).resolve()), *plain]
        runs = {ref: (script, str(tmp / "pkg")), "working copy": (script, None)}
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for label, (cmd, path) in runs.items():
                env = dict(os.environ)
                if path:
                    env["PYTHONPATH"] = path
                out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
                bulk, txn = float(_BULK.search(out).group(1)), float(_TXN.search(out).group(1))  # type: ignore[union-attr]
                old = best.get(label, (bulk, txn))
                best[label] = (min(old[0], bulk), min(old[1], txn))
                print(f"{label}: bulk CPU {bulk:.2f} s, transaction CPU median {txn:.2f} ms")
        (b_bulk, b_txn), (w_bulk, w_txn) = best[ref], best["working copy"]
        print(
            f"CPU time, best of {args.rounds}: bulk {w_bulk:.2f} s vs {b_bulk:.2f} s at {ref} (ratio "
            f"{w_bulk / b_bulk:.2f}); transaction median {w_txn:.2f} ms vs {b_txn:.2f} ms (ratio {w_txn / b_txn:.2f})"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
