"""Bad input: one clear paragraph naming file, line or field and the fix; exit 2; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli

BAD = Path(__file__).parent / "bad_input"

CASES = {
    "malformed.yaml": (":5", "starts at line 4"),
    "unknown_field.yaml": (":5", "colour"),
    "bad_country.yaml": (":4", "ISO 3166-1"),
    "impossible_date.yaml": (":2", "YYYY-MM-DD"),
    "bad_eccn.yaml": (":7", "well-formed ECCN"),
    "negative_share.yaml": (":9", "owners[0].share"),
    "shares_over_one.yaml": (":8", "add up to 1.1"),
    "python_tag.yaml": (":1", "never constructs objects"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_transaction_file(name):
    line, text = CASES[name]
    result = CliRunner().invoke(cli, ["evaluate", str(BAD / name)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{name}{line}" in result.output
    assert text in result.output
    assert "Fix:" in result.output


def test_python_tag_is_not_executed(tmp_path):
    marker = Path("/tmp/exportsim-pwned")
    marker.unlink(missing_ok=True)
    CliRunner().invoke(cli, ["evaluate", str(BAD / "python_tag.yaml")])
    assert not marker.exists()


def test_missing_file_and_bad_date_option():
    r = CliRunner().invoke(cli, ["evaluate", "no-such-case"])
    assert r.exit_code == 2 and "no built-in case" in r.output
    r = CliRunner().invoke(cli, ["evaluate", "el-huawei-ear99-2019", "--date", "2025-13-01"])
    assert r.exit_code == 2 and "not a real date" in r.output


def _rules_dir(tmp_path: Path, body: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "r.yaml").write_text(body)
    return d


RULE_HEAD = """regime: {id: demo, title: Demo, authority: Nobody}
rules:
  - id: demo.rule
    title: Demo
    summary: A demo rule.
    citation: {instrument: Demo Act, source: test}
    effective: {from: "2020-01-01"}
"""


@pytest.mark.parametrize(
    "when, expected",
    [
        (
            "    when:\n      item:\n        type: item\n        where:\n"
            "          - {field: tpp, gte: {param: no.such}}\n",
            ("r.yaml:12", "unknown parameter 'no.such'"),
        ),
        (
            "    when:\n      party:\n        type: party\n        where:\n"
            "          - {field: country, in_group: nowhere}\n",
            ("r.yaml:12", "unknown group 'nowhere'"),
        ),
        (
            "    when:\n      party:\n        type: party\n        where:\n          - {field: shoe_size, equals: 3}\n",
            ("r.yaml:12", "has no field 'shoe_size'"),
        ),
        ("    when:\n      x:\n        type: spaceship\n", ("r.yaml:10", "unknown type 'spaceship'")),
        (
            "    displaces: [ghost]\n    when:\n      item:\n        type: item\n",
            ("r.yaml:8", "displaces unknown rule 'ghost'"),
        ),
    ],
)
def test_rule_file_cross_references(tmp_path, when, expected):
    rules = _rules_dir(tmp_path, RULE_HEAD + when + "    outcome: license_required\n")
    r = CliRunner().invoke(cli, ["rules", "list", "--rules", str(rules)])
    assert r.exit_code == 2, r.output
    where, text = expected
    assert where in r.output and text in r.output, r.output
    assert "Traceback" not in r.output


def test_rule_without_citation_source(tmp_path):
    body = RULE_HEAD.replace("{instrument: Demo Act, source: test}", "{instrument: Demo Act}")
    rules = _rules_dir(tmp_path, body + "    when:\n      item: {type: item}\n    outcome: license_required\n")
    r = CliRunner().invoke(cli, ["rules", "list", "--rules", str(rules)])
    assert r.exit_code == 2 and "r.yaml:6" in r.output and "'reference', 'url' or 'source'" in r.output
