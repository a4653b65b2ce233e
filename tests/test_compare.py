"""`exportsim generate` and `exportsim compare`: reproducible populations, and comparisons whose
changed transactions and responsible rules are the ones the law change implies."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli
from exportsim.engine.core.transaction.model import Transaction

run = CliRunner().invoke


def _scenario(report: dict, name: str) -> dict:
    return next(s for s in report["scenarios"] if s["scenario"] == name)


def test_generate_is_reproducible_and_valid(tmp_path):
    a = run(cli, ["generate", "--n", "300", "--seed", "5"]).output
    b = run(cli, ["generate", "--n", "300", "--seed", "5"]).output
    c = run(cli, ["generate", "--n", "300", "--seed", "6"]).output
    assert a == b and a != c
    lines = a.splitlines()
    assert len(lines) == 300
    txns = [Transaction.model_validate(json.loads(line)) for line in lines]
    kinds = {str(t.kind) for t in txns}
    assert {"export", "investment"} <= kinds
    assert len({t.id for t in txns}) == 300


def test_generate_never_overwrites_without_force(tmp_path):
    target = tmp_path / "pop.jsonl"
    target.write_text("keep me\n")
    out = run(cli, ["generate", "--n", "5", "-o", str(target)])
    assert out.exit_code == 2 and "already exists" in out.output
    assert target.read_text() == "keep me\n"
    assert run(cli, ["generate", "--n", "5", "-o", str(target), "--force"]).exit_code == 0
    assert len(target.read_text().splitlines()) == 5


def test_bad_profile_is_located(tmp_path):
    prof = tmp_path / "p.yaml"
    prof.write_text("id: p\ntitle: P\ndates: {from: '2024-01-01', to: '2024-12-31'}\nkinds: {export: 1}\n")
    out = run(cli, ["generate", "--n", "5", "--profile", str(prof)])
    assert out.exit_code == 2 and str(prof) in out.output and "us_origin" in out.output


def test_affiliates_variant_changes_exactly_the_affiliate_cases():
    out = run(cli, ["compare", "--variant", "affiliates-suspension-extended", "--format", "json", "--engine", "python"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    s = _scenario(report, "affiliates-suspension-extended")
    changed = {c["id"]: c for c in s["changes"] if c["from"] != c["to"]}
    assert set(changed) == {"el-affiliate-chain", "el-affiliate-reimposed"}
    for c in changed.values():
        assert c["from"] == "license_required" and c["to"] == "no_license_required"
        assert "el.affiliates_rule_reimposed" in [r["rule_id"] for r in c["only_in_baseline"]]
        assert c["regimes"] == {"bis_entity_list": {"from": "license_required", "to": "no_license_required"}}
        assert c["only_in_baseline"][0]["citation"]
    assert report["transactions"] == len(builtin_case_paths())
    assert sum(t["count"] for t in s["transitions"]) == report["transactions"]


def test_two_variants_and_a_stack():
    args = ["compare", "--variant", "ann46-suspension-extended", "--variant", "oct2025-package-suspension-extended"]
    report = json.loads(run(cli, [*args, "--format", "json"]).output)
    ann46 = _scenario(report, "ann46-suspension-extended")
    assert {c["id"] for c in ann46["changes"] if c["from"] != c["to"]} == {"cn-gallium-to-us-resumed"}
    oct25 = _scenario(report, "oct2025-package-suspension-extended")
    moved = {c["id"]: c for c in oct25["changes"] if c["from"] != c["to"]}
    assert set(moved) == {"cn-lfp-cathode-material-after-suspension"}
    only = {r["rule_id"] for r in moved["cn-lfp-cathode-material-after-suspension"]["only_in_baseline"]}
    assert {"cn.ann58_lfp_cathode_material", "cn.ann58_battery_items"} <= only
    stacked = json.loads(run(cli, [*args, "--stack", "--format", "json"]).output)
    (s,) = stacked["scenarios"]
    assert s["scenario"] == "ann46-suspension-extended + oct2025-package-suspension-extended"
    assert s["changed"] == ann46["changed"] + oct25["changed"]


def test_compare_on_two_dates(tmp_path):
    """The Affiliates Rule: in force on 2025-11-09, suspended from 2025-11-10."""
    src = next(p for p in builtin_case_paths() if p.stem == "el-affiliate-chain")
    shutil.copy(src, tmp_path / src.name)
    report = json.loads(
        run(cli, ["compare", str(tmp_path), "--dates", "2025-11-09", "2025-11-10", "--format", "json"]).output
    )
    (s,) = report["scenarios"]
    assert report["baseline"] == "baseline on 2025-11-09" and s["scenario"] == "baseline on 2025-11-10"
    (change,) = s["changes"]
    assert (change["from"], change["to"]) == ("license_required", "no_license_required")
    assert [r["rule_id"] for r in change["only_in_baseline"]][0] == "el.affiliates_rule"


def test_population_input_and_csv(tmp_path):
    pop = tmp_path / "pop.jsonl"
    run(cli, ["generate", "--n", "400", "--seed", "3", "-o", str(pop)])
    out = run(cli, ["compare", str(pop), "--variant", "hikvision-on-sdn", "--format", "csv"])
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert rows, "some generated transaction involves Hikvision"
    for row in rows:
        assert row["scenario"] == "hikvision-on-sdn"
        if row["from"] != row["to"]:
            assert "ofac" in row["fired_only_in_scenario"]


def test_bad_population_line_is_located(tmp_path):
    pop = tmp_path / "pop.jsonl"
    good = run(cli, ["generate", "--n", "2"]).output.splitlines()
    pop.write_text(good[0] + "\n{not json\n" + good[1].replace('"kind":"', '"kind":"x') + "\n")
    out = run(cli, ["compare", str(pop), "--variant", "hikvision-on-sdn"])
    assert out.exit_code == 2
    assert f"{pop}:2" in out.output and f"{pop}:3" in out.output


def test_options_are_checked():
    assert run(cli, ["compare"]).exit_code == 2
    assert run(cli, ["compare", "--variant", "x", "--dates", "2025-01-01", "2025-02-01"]).exit_code == 2


def test_html_escapes_everything_from_files(tmp_path):
    src = next(p for p in builtin_case_paths() if p.stem == "el-affiliate-chain")
    text = Path(src).read_text()
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    case = tmp_path / "evil.yaml"
    case.write_text(text.replace(text.split("\n")[1], f"title: '{evil}'", 1))
    out = run(cli, ["compare", str(case), "--variant", "affiliates-suspension-extended", "--format", "html"])
    assert out.exit_code == 0
    html = out.output
    assert "<script>alert" not in html and "<img src=x" not in html
    assert html.count("<script") == 2  # the data block and the page's own script
    assert "\\u003cscript\\u003ealert(1)" in html


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "html"])
def test_every_format_writes_to_a_file(tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    out = run(cli, ["compare", "--variant", "hikvision-on-sdn", "--format", fmt, "-o", str(target)])
    assert out.exit_code == 0 and target.stat().st_size > 200
