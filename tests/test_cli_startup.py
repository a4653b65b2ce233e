"""A thin CLI: commands are imported only when used, durable-rules only by the durable engine,
and where durable-rules cannot be imported, the commands that need it exit 3 with the cause and
the fix while every other command works (the Python 3.13 situation, simulated)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from exportsim.cli.main import COMMANDS, cli

CASE = "el-huawei-ear99-2019"
CLI_DIR = Path(__file__).resolve().parent.parent / "cli"
HEAVY = [
    "durable_rules_engine",
    "exportsim.engine.core.executors.durable",
    "exportsim.engine.core.ruleset.compiler",
    "exportsim.engine.core.evaluate",
    "pypinyin",
    "rich",
    "pydantic",
    "yaml",
]
# Runs the CLI in a fresh interpreter and reports which of HEAVY it imported (on stderr's last line).
RUN = """
import json, sys
{prelude}
from exportsim.cli.main import main
sys.argv = ["exportsim", *json.loads(sys.argv[1])]
try:
    main()
finally:
    sys.stdout.flush()
    print(json.dumps(sorted(m for m in {heavy} if m in sys.modules and sys.modules[m] is not None)), file=sys.stderr)
"""
NO_DURABLE = 'sys.modules["durable_rules_engine"] = None; sys.modules["durable"] = None'


def exportsim(args: list[str], *, prelude: str = "", cwd: Path | None = None, env: dict | None = None):
    code = RUN.format(prelude=prelude, heavy=HEAVY)
    proc = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    *err, loaded = proc.stderr.rstrip("\n").split("\n")
    return proc.returncode, proc.stdout, "\n".join(err), set(json.loads(loaded))


def test_help_imports_no_engine_no_rich_no_pydantic():
    code, out, _, loaded = exportsim(["--help"])
    assert code == 0 and "evaluate-batch" in out and "walk" in out
    assert loaded == set(), loaded


def test_a_subcommands_help_imports_only_its_module():
    code, out, _, loaded = exportsim(["generate", "--help"])
    assert code == 0 and "--seed" in out
    assert not loaded & {"durable_rules_engine", "exportsim.engine.core.executors.durable", "pypinyin"}


def test_python_engine_evaluation_never_imports_durable_and_a_warm_start_no_pypinyin(tmp_path):
    env = {"EXPORTSIM_DATA_DIR": str(tmp_path)}
    first = exportsim(["evaluate", CASE, "--engine", "python", "--format", "json"], env=env)
    second = exportsim(["evaluate", CASE, "--engine", "python", "--format", "json"], env=env)
    for code, out, err, loaded in (first, second):
        assert code == 0, err
        assert json.loads(out)["outcome"] == "license_required"
        assert "durable_rules_engine" not in loaded and "exportsim.engine.core.executors.durable" not in loaded
    assert "pypinyin" in first[3]  # the cold start builds the list index (Chinese aliases) ...
    assert "pypinyin" not in second[3]  # ... the warm start reads it from the rules cache
    assert json.loads(first[1]) == json.loads(second[1])


def test_durable_evaluation_imports_durable():
    code, out, err, loaded = exportsim(["evaluate", CASE, "--format", "json"])
    assert code == 0, err
    assert json.loads(out)["engine"] == "durable" and "durable_rules_engine" in loaded


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", CASE],
        ["test"],
        ["walk", CASE, "--answers", "ANSWERS"],
        ["evaluate-batch", "POPULATION"],
        ["compare", "--variant", "hikvision-on-sdn"],
    ],
    ids=["evaluate", "test", "walk", "evaluate-batch", "compare"],
)
def test_without_durable_rules_the_commands_that_need_it_exit_3_with_cause_and_fix(args, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("[q]\n")
    population = tmp_path / "pop.jsonl"
    case = yaml.safe_load((Path(__file__).resolve().parent.parent / "cases" / f"{CASE}.yaml").read_text())
    population.write_text(json.dumps(case, default=str) + "\n")
    args = [str(answers) if a == "ANSWERS" else str(population) if a == "POPULATION" else a for a in args]
    code, out, err, loaded = exportsim(args, prelude=NO_DURABLE, env={"EXPORTSIM_DATA_DIR": str(tmp_path)})
    assert code == 3, (out, err)
    assert "Traceback" not in err and err.count("\n") == 0, err  # one paragraph
    assert err.startswith("error: durable-rules cannot be imported (ModuleNotFoundError: import of durable_rules")
    assert 'CPPFLAGS="-DPyEval_CallObject=PyObject_CallObject"' in err and "durable-rules==2.0.28" in err
    assert "--engine python" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["rules", "list", "--format", "json"],
        ["screen", "Huawei Technologies", "--format", "json"],
        ["evaluate", CASE, "--engine", "python", "--format", "json"],
        ["test", "--engine", "python"],
        ["cases", "list", "--format", "json"],
        ["schema", "result"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_without_durable_rules_everything_else_works(args, tmp_path):
    code, out, err, loaded = exportsim(args, prelude=NO_DURABLE, env={"EXPORTSIM_DATA_DIR": str(tmp_path)})
    assert code == 0, err
    assert out.strip()
    assert "durable_rules_engine" not in loaded


def test_no_command_module_imports_the_root_group():
    for path in sorted(CLI_DIR.glob("*.py")):
        if path.name == "main.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "from .main" not in text and "exportsim.cli.main" not in text, path.name
    for name in sorted({target.partition(":")[0] for target, _ in COMMANDS.values()}):
        probe = f"import {name}, sys; print('exportsim.cli.main' in sys.modules)"
        assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "False"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_stored_one_line_help_is_the_commands_own(name):
    target, stored = COMMANDS[name]
    module, _, attr = target.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert command.name == name
    for limit in (30, 45, 70, 200):
        assert click.Command(name, help=stored).get_short_help_str(limit) == command.get_short_help_str(limit)


def test_every_command_is_reachable_through_the_lazy_group():
    ctx = click.Context(cli)
    assert set(cli.list_commands(ctx)) == set(COMMANDS)
    for name in COMMANDS:
        assert isinstance(cli.get_command(ctx, name), click.Command)
    assert cli.get_command(ctx, "no-such-command") is None


def test_the_pytest_plugin_loads_no_engine_until_it_collects_a_case():
    from exportsim.engine.suites.suite import CASE_SUFFIXES

    from exportsim import pytest_plugin

    assert pytest_plugin.CASE_SUFFIXES == CASE_SUFFIXES
    probe = "import exportsim.pytest_plugin, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe.format(heavy=HEAVY)], capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
