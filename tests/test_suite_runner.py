"""`exportsim test` options (-k, json, JUnit, coverage) and the pytest plugin, which must agree with
`exportsim test` on a folder of cases some of which are wrong."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli
from exportsim.engine.core.ruleset.loader import builtin_rules_dir
from exportsim.engine.suites.suite import KeywordError, keyword_matcher, load_cases

pytest_plugins = ["pytester"]


def _copy(folder: Path, name: str) -> Path:
    src = next(p for p in builtin_case_paths() if p.stem == name)
    return Path(shutil.copy(src, folder / src.name))


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    """Two right cases, one wrong overall outcome, one wrong regime outcome, one unreadable file."""
    _copy(tmp_path, "oi-ai-5e24-notifiable")
    _copy(tmp_path, "cn-antimony-day-before")
    wrong_outcome = _copy(tmp_path, "el-huawei-day-before-listing")
    _break(wrong_outcome, "outcome: no_license_required\n  regimes", "outcome: license_required\n  regimes")
    wrong_regime = _copy(tmp_path, "cn-antimony-first-day")
    _break(
        wrong_regime, "    cn_dual_use:\n      outcome: license_required", "    cn_dual_use:\n      outcome: prohibited"
    )
    (tmp_path / "typo.yaml").write_text(
        "id: typo\nkind: export\norigin: US\ndestination: DE\ndate: '2024-01-02'\nexpected:\n  outcom: prohibited\n"
    )
    return tmp_path


def test_json_report_points_at_each_wrong_field(mixed_folder):
    out = CliRunner().invoke(cli, ["test", str(mixed_folder), "--format", "json", "--engine", "python"])
    assert out.exit_code == 2  # an unreadable file is bad input, even though the others ran
    report = json.loads(out.output)
    assert report["passed"] == 2 and report["failed"] == 3
    failed = {Path(c["file"]).stem: c["mismatches"] for c in report["cases"] if c["status"] == "failed"}
    assert failed["el-huawei-day-before-listing"][0]["field"] == "expected.outcome"
    assert failed["cn-antimony-first-day"][0]["field"] == "expected.regimes.cn_dual_use.outcome"
    line = failed["cn-antimony-first-day"][0]["line"]
    assert "outcome: prohibited" in (mixed_folder / "cn-antimony-first-day.yaml").read_text().splitlines()[line - 1]
    assert any("expected.outcom" in u or "outcom" in u for u in report["unreadable"])


def test_pytest_plugin_agrees_with_exportsim_test(mixed_folder, pytester):
    """The same verdicts, case by case, and the same fields named in the failure reports."""
    cli_out = CliRunner().invoke(cli, ["test", str(mixed_folder), "--format", "json"])
    report = json.loads(cli_out.output)
    cli_verdicts = {Path(c["file"]).name: c["status"] for c in report["cases"]}
    result = pytester.runpytest_inprocess(str(mixed_folder), "-rA", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == report["passed"]
    assert outcomes.get("failed") == report["failed"]
    text = result.stdout.str()
    for name, status in cli_verdicts.items():
        word = "PASSED" if status == "passed" else "FAILED"
        assert any(line.startswith(word) and name in line for line in text.splitlines()), (name, word)
    assert "expected.regimes.cn_dual_use.outcome" in text
    assert "expected.outcome" in text
    assert "typo.yaml" in text and "outcom" in text


def test_pytest_collects_nothing_but_cases(tmp_path, pytester):
    """Rule files and ordinary YAML are not collected as cases."""
    shutil.copy(builtin_rules_dir() / "us_embargoes.yaml", tmp_path / "rules.yaml")
    (tmp_path / "config.yaml").write_text("kind: something\nname: not a case\n")
    _copy(tmp_path, "oi-ai-5e24-notifiable")
    result = pytester.runpytest_inprocess(str(tmp_path), "--collect-only", "-q", "-p", "no:cacheprovider")
    lines = [ln for ln in result.stdout.lines if "::" in ln]
    assert len(lines) == 1 and lines[0].endswith("oi-ai-5e24-notifiable.yaml::oi-ai-5e24-notifiable")


def test_pytest_plugin_variant_option(tmp_path, pytester):
    _copy(tmp_path, "el-affiliate-reimposed")
    assert pytester.runpytest_inprocess(str(tmp_path), "-p", "no:cacheprovider").ret == 0
    result = pytester.runpytest_inprocess(
        str(tmp_path), "--exportsim-variant", "affiliates-suspension-extended", "-p", "no:cacheprovider"
    )
    assert result.ret == 1
    assert "bis_entity_list" in result.stdout.str()


def test_keyword_selection(tmp_path):
    for name in ("el-huawei-day-before-listing", "el-hikvision-mixed-items", "oi-ai-5e24-notifiable"):
        _copy(tmp_path, name)
    run = CliRunner().invoke
    out = run(cli, ["test", str(tmp_path), "-k", "el-h and not hikvision", "--format", "json", "--engine", "python"])
    assert [Path(c["file"]).stem for c in json.loads(out.output)["cases"]] == ["el-huawei-day-before-listing"]
    out = run(cli, ["test", str(tmp_path), "-k", "(huawei or oi-ai)", "--engine", "python"])
    assert out.output.strip().endswith("2 passed, 0 failed")
    bad = run(cli, ["test", str(tmp_path), "-k", "huawei and"])
    assert bad.exit_code == 2 and "not valid" in bad.output


@pytest.mark.parametrize("expr", ["", "and", "(a", "a b", "not"])
def test_bad_keyword_expressions(expr):
    with pytest.raises(KeywordError):
        keyword_matcher(expr)


def test_keyword_matches_tags_and_title():
    (case,) = load_cases([next(p for p in builtin_case_paths() if p.stem == "cn-antimony-day-before")])[0]
    assert keyword_matcher("boundary")(case)
    assert keyword_matcher("BELGIUM")(case)
    assert not keyword_matcher("not antimony")(case)


def test_junit_report(mixed_folder, tmp_path):
    target = tmp_path / "report.xml"
    CliRunner().invoke(cli, ["test", str(mixed_folder), "--junit-xml", str(target), "--engine", "python"])
    root = ET.parse(target).getroot()
    assert root.get("tests") == "5" and root.get("failures") == "2" and root.get("errors") == "1"
    failures = {tc.get("name"): tc.find("failure") for tc in root.iter("testcase")}
    assert failures["oi-ai-5e24-notifiable.yaml"] is None
    assert "expected.regimes.cn_dual_use.outcome" in failures["cn-antimony-first-day.yaml"].text


def test_builtin_library_has_full_rule_coverage():
    out = CliRunner().invoke(cli, ["test", "--coverage-min", "100", "--format", "json", "--engine", "python"])
    assert out.exit_code == 0, out.output[-2000:]
    cov = json.loads(out.output)["coverage"]
    assert cov["rules"]["percent"] == 100.0
    assert cov["parameters"]["untouched"] == []


def test_coverage_of_a_scratch_rule_copy(tmp_path):
    """A rule added to a copy of the rules and never fired counts against coverage."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    extra = (
        (rules / "us_embargoes.yaml").read_text()
        + """
  - id: ear.never_in_cases
    title: A rule no case reaches
    summary: Licence for exports to Antarctica.
    citation: {instrument: Nowhere, url: "https://example.org"}
    effective: {from: "2000-01-01"}
    when:
      txn:
        type: txn
        where: [{field: destination, equals: AQ}]
    outcome: license_required
"""
    )
    (rules / "us_embargoes.yaml").write_text(extra)
    folder = tmp_path / "cases"
    folder.mkdir()
    _copy(folder, "cn-antimony-first-day")
    run = CliRunner().invoke
    out = run(cli, ["test", str(folder), "--rules", str(rules), "--coverage", "--format", "json"])
    assert out.exit_code == 0
    cov = json.loads(out.output)["coverage"]
    embargo = next(r for r in cov["regimes"] if r["regime"] == "us_embargoes")
    assert "ear.never_in_cases" in embargo["never_fired"]
    assert cov["rules"]["fired"] < cov["rules"]["total"]
    short = run(cli, ["test", str(folder), "--rules", str(rules), "--coverage-min", "90"])
    assert short.exit_code == 1
    assert "below the minimum 90%" in short.output
    assert "ear.never_in_cases" in short.output


def test_exception_branches_are_reported():
    out = CliRunner().invoke(cli, ["test", "-k", "oi", "--coverage", "--format", "json", "--engine", "python"])
    cov = json.loads(out.output)["coverage"]
    oi = next(r for r in cov["regimes"] if r["regime"] == "us_outbound_investment")
    taken = {(b["exception"], b["displaces"]) for b in oi["exception_branches"] if b["covered"]}
    assert ("oi.excepted_public_securities", "oi.prohibited_ai_compute") in taken
    assert ("oi.excepted_public_securities", "oi.prohibited_quantum") not in taken
    assert cov["exception_branches"]["covered"] == sum(
        b["covered"] for r in cov["regimes"] for b in r["exception_branches"]
    )
