"""Start-up time of the CLI: wall time of whole processes, median of N runs each.

    .venv/bin/python bench/startup.py [--runs N]

Measures a minimal click app (the floor any click CLI pays: the interpreter and click), then
`exportsim --help` and `exportsim evaluate el-huawei-ear99-2019` (warm: the rules cache filled by a
first run; cold: an empty data directory each run, so the rules are parsed and the list index
built), and prints each time and its ratio to the minimal app. Targets on the project's machine:
--help at most 3x the minimal app, evaluate (warm) at most 6x. A script that reports numbers, not a test.

The runs may write bytecode caches (PYTHONDONTWRITEBYTECODE is dropped for them), as an installed
package has: without them every start compiles exportsim's modules again, which is not what a user sees.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_APP = '''
import click

@click.group()
def cli():
    """A minimal click app."""

@cli.command()
def hello():
    """Say hello."""
    click.echo("hello")

cli()
'''
CASE = "el-huawei-ear99-2019"
TARGETS = {"exportsim --help": 3.0, f"exportsim evaluate {CASE}": 6.0}


def exportsim_command() -> list[str]:
    script = Path(sys.executable).parent / "exportsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "exportsim.cli.main"]


def measure(cmd: list[str], runs: int, env: dict[str, str], fresh_data_dir: bool = False) -> tuple[float, float]:
    """Median wall and median CPU (user + system) seconds of `runs` runs of `cmd` (output
    discarded; a failing run stops the bench). CPU time is shown because the machine is shared:
    other work inflates wall time, much less the CPU a process needs."""
    walls, cpus = [], []
    for _ in range(runs):
        run_env = dict(env)
        if fresh_data_dir:
            run_env["EXPORTSIM_DATA_DIR"] = tempfile.mkdtemp(prefix="exportsim-bench-cold-")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=run_env, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (the median is reported)")
    args = parser.parse_args()
    exe = exportsim_command()
    env = {**os.environ, "EXPORTSIM_DATA_DIR": tempfile.mkdtemp(prefix="exportsim-bench-")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "minimal_click_app.py"
        app.write_text(MINIMAL_APP)
        for warm_up in ([sys.executable, str(app), "--help"], [*exe, "--help"], [*exe, "evaluate", CASE]):
            subprocess.run(warm_up, stdout=subprocess.DEVNULL, env=env, check=True)  # bytecode and rules caches
        rows = [
            ("minimal click app --help", measure([sys.executable, str(app), "--help"], args.runs, env)),
            ("exportsim --help", measure([*exe, "--help"], args.runs, env)),
            (f"exportsim evaluate {CASE}", measure([*exe, "evaluate", CASE], args.runs, env)),
            (
                f"exportsim evaluate {CASE} (cold cache)",
                measure([*exe, "evaluate", CASE], max(3, args.runs // 3), env, fresh_data_dir=True),
            ),
        ]
    floor, cpu_floor = rows[0][1]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load}, median of {args.runs} runs")
    print(f"{'command':<56} {'wall s':>7} {'x min':>6} {'CPU s':>6} {'x min':>6}  target (wall)")
    for name, (seconds, cpu) in rows:
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target:g}x: {'met' if seconds / floor <= target else 'NOT met'}"
        print(f"{name:<56} {seconds:>7.3f} {seconds / floor:>6.2f} {cpu:>6.3f} {cpu / cpu_floor:>6.2f}  {verdict}")


if __name__ == "__main__":
    main()
