"""`exportsim test`: runs case files against their expectations; exit 0 only when all pass."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli


def _copy(tmp_path, name):
    src = next(p for p in builtin_case_paths() if p.stem == name)
    return shutil.copy(src, tmp_path / src.name)


def test_passing_folder_exits_zero(tmp_path):
    _copy(tmp_path, "el-huawei-ear99-2019")
    _copy(tmp_path, "oi-ai-5e24-notifiable")
    out = CliRunner().invoke(cli, ["test", str(tmp_path), "--engine", "python"])
    assert out.exit_code == 0, out.output
    assert out.output.strip().endswith("2 passed, 0 failed")


def test_wrong_expectation_fails_with_a_diff(tmp_path):
    path = Path(_copy(tmp_path, "el-huawei-day-before-listing"))
    text = path.read_text()
    right, wrong = "outcome: no_license_required\n  regimes", "outcome: license_required\n  regimes"
    assert right in text
    path.write_text(text.replace(right, wrong, 1))
    out = CliRunner().invoke(cli, ["test", str(path)])
    assert out.exit_code == 1
    assert "expected.outcome" in out.output
    assert "- expected: license_required" in out.output and "+ got:      no_license_required" in out.output
    assert out.output.strip().endswith("0 passed, 1 failed")


def test_case_without_expectation_is_bad_input(tmp_path):
    (tmp_path / "c.yaml").write_text("id: c\nkind: export\norigin: US\ndestination: DE\ndate: '2024-01-02'\n")
    out = CliRunner().invoke(cli, ["test", str(tmp_path)])
    assert out.exit_code == 2
    assert "no 'expected' block" in out.output
    assert out.output.strip().endswith("0 passed, 1 failed (1 could not be read)")
