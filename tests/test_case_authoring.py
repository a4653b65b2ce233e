"""`exportsim case new` and `exportsim case check`: writing case files by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli

FLAGS = [
    "--id", "demo-huawei", "--title", "Router to Huawei", "--kind", "export", "--date", "2025-03-01",
    "--origin", "US", "--destination", "CN", "--party", "Huawei Technologies Co., Ltd.:end_user+ultimate_consignee:CN",
    "--item", "Router:5A991", "--expect", "license_required", "--expect-regime", "bis_entity_list=license_required",
    "--no-interactive",
]  # fmt: skip


def test_new_from_flags_writes_a_valid_case(tmp_path):
    target = tmp_path / "demo.yaml"
    out = CliRunner().invoke(cli, ["case", "new", *FLAGS, "-o", str(target)])
    assert out.exit_code == 0, out.output
    data = yaml.safe_load(target.read_text())
    assert data["parties"][0]["roles"] == ["end_user", "ultimate_consignee"]
    assert data["items"] == [{"description": "Router", "eccn": "5A991"}]
    assert data["expected"]["regimes"] == {"bis_entity_list": {"outcome": "license_required"}}
    assert "Regimes of the rule set:" in target.read_text()
    check = CliRunner().invoke(cli, ["case", "check", str(target)])
    assert check.exit_code == 0 and "ok" in check.output


def test_new_never_overwrites(tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("my own notes\n")
    out = CliRunner().invoke(cli, ["case", "new", *FLAGS, "-o", str(target)])
    assert out.exit_code == 2 and "never overwrites" in out.output
    assert target.read_text() == "my own notes\n"


def test_new_without_terminal_names_missing_flags():
    out = CliRunner().invoke(cli, ["case", "new", "--id", "x", "--no-interactive"])
    assert out.exit_code == 2
    assert "--title" in out.output and "--expect" in out.output


def test_new_interactive_asks_and_reasks(tmp_path):
    target = tmp_path / "asked.yaml"
    answers = "\n".join([
        "asked-case", "Gallium to Japan", "export", "2025-02-01", "CN", "license_required",  # the basics
        "JP",  # destination
        "nonsense-party", "Sumitomo Metals KK:purchaser:JP", "",  # a bad party is re-asked, then one party
        "Gallium metal:", "",  # one item
    ]) + "\n"  # fmt: skip
    out = CliRunner().invoke(cli, ["case", "new", "--interactive", "-o", str(target)], input=answers)
    assert out.exit_code == 0, out.output
    assert "should read NAME:ROLE:CC" in out.output
    data = yaml.safe_load(target.read_text())
    assert data["destination"] == "JP" and data["parties"][0]["name"] == "Sumitomo Metals KK"


def test_new_interrupted_writes_nothing(tmp_path):
    target = tmp_path / "never.yaml"
    out = CliRunner().invoke(cli, ["case", "new", "--interactive", "-o", str(target)], input="only-an-id\n")
    assert out.exit_code == 2
    assert "nothing was written" in out.output
    assert not target.exists()


def _case(tmp_path, name="cn-antimony-first-day"):
    src = next(p for p in builtin_case_paths() if p.stem == name)
    return str(shutil.copy(src, tmp_path / src.name))


def _edit(path, old, new):
    file = Path(path)
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def test_check_accepts_the_library():
    out = CliRunner().invoke(cli, ["case", "check", *map(str, builtin_case_paths())])
    assert out.exit_code == 0, out.output


def test_check_finds_an_unknown_regime(tmp_path):
    path = _case(tmp_path)
    _edit(path, "    cn_dual_use:", "    cn_dualuse:")
    out = CliRunner().invoke(cli, ["case", "check", path])
    assert out.exit_code == 2 and "cn_dualuse" in out.output and f"{path}:" in out.output


def test_check_finds_rules_of_another_regime_or_not_in_force(tmp_path):
    path = _case(tmp_path, "cn-lfp-cathode-material-after-suspension")
    _edit(
        path,
        "rules: [cn.export_license_dual_use_regulations]",
        "rules: [el.license_required, cn.export_license_announcements]",
    )
    out = CliRunner().invoke(cli, ["case", "check", path])
    assert out.exit_code == 2
    assert "belongs to regime 'bis_entity_list'" in out.output
    assert "not in force on 2026-11-24" in out.output


def test_check_finds_an_overall_outcome_weaker_than_a_regime(tmp_path):
    path = _case(tmp_path)
    _edit(path, "expected:\n  outcome: license_required", "expected:\n  outcome: no_license_required")
    out = CliRunner().invoke(cli, ["case", "check", path])
    assert out.exit_code == 2 and "weaker than a regime" in out.output


def test_check_reports_schema_problems_with_lines(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nkind: export\norigin: US\ndestination: DE\nexpected:\n  outcome: maybe\n")
    out = CliRunner().invoke(cli, ["case", "check", str(path)])
    assert out.exit_code == 2 and f"{path}:6" in out.output
