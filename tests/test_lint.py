"""`exportsim rules lint`: each finding kind is raised by a small bad rule file, and the built-in
rules are clean."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.ruleset.loader import load_rules
from exportsim.engine.suites.lint import KINDS, lint

HEAD = """\
regime: {id: demo, title: Demo regime, authority: Nobody}
groups:
  - id: demo.gone
    title: A group that ended
    citation: {instrument: Demo, url: "https://example.org/g"}
    effective: {from: "2020-01-01", to: "2020-12-31"}
    members: [CN]
  - id: demo.cn
    title: China
    citation: {instrument: Demo, url: "https://example.org/g"}
    effective: {from: "2000-01-01"}
    members: [CN]
  - id: demo.empty
    title: No members
    citation: {instrument: Demo, url: "https://example.org/g"}
    effective: {from: "2000-01-01"}
    members: []
parameters:
  - id: demo.limit
    title: A limit
    citation: {instrument: Demo, url: "https://example.org/p"}
    values:
      - {from: "2020-01-01", to: "2020-12-31", value: 10}
rules:
"""


def rule(
    rid: str, when: str, outcome: str = "license_required", effective: str = '{from: "2000-01-01"}', extra: str = ""
) -> str:
    body = f"""\
- id: {rid}
  title: Rule {rid}
  summary: A demonstration rule.
  citation: {{instrument: Demo, url: "https://example.org/r"}}
  effective: {effective}
  when:
{textwrap.indent(when, "    ")}
  outcome: {outcome}
{extra}"""
    return textwrap.indent(body, "  ")


DEST_CN = "txn: {type: txn, where: [{field: destination, in_group: demo.cn}]}"
USES = rule(
    "demo.uses",
    "txn: {type: txn, where: [{field: destination, not_in_group: demo.gone}, "
    "{field: destination, not_in_group: demo.empty}, {field: origin, not_in_group: demo.cn}]}\n"
    "item: {type: item, where: [{field: tpp, gte: {param: demo.limit}}]}",
    effective='{from: "2020-01-01", to: "2020-12-31"}',
)


def lint_text(tmp_path, rules_yaml: str, head: str = HEAD) -> list:
    (tmp_path / "demo.yaml").write_text(head + rules_yaml)
    return lint(load_rules(tmp_path))


def kinds(findings) -> list[str]:
    return sorted(f.kind for f in findings)


def test_builtin_rules_are_clean():
    assert lint(load_rules()) == []


def test_clean_demo_has_no_findings(tmp_path):
    assert lint_text(tmp_path, USES) == []


def test_never_in_force_when_parameter_has_no_value_in_window(tmp_path):
    bad = rule(
        "demo.late",
        "item: {type: item, where: [{field: tpp, gte: {param: demo.limit}}]}",
        effective='{from: "2022-01-01"}',
    )
    found = lint_text(tmp_path, USES + bad)
    assert kinds(found) == ["never-in-force"]
    assert found[0].subject == "demo.late" and found[0].line is not None


def test_never_in_force_when_group_window_has_ended(tmp_path):
    bad = rule(
        "demo.after_group",
        "txn: {type: txn, where: [{field: destination, in_group: demo.gone}]}",
        effective='{from: "2021-06-01"}',
    )
    assert kinds(lint_text(tmp_path, USES + bad)) == ["never-in-force"]


def test_contradictory_conditions_on_one_field(tmp_path):
    bad = rule("demo.both", "item: {type: item, where: [{field: tpp, gte: 5000}, {field: tpp, lt: 4800}]}")
    found = lint_text(tmp_path, USES + bad)
    assert kinds(found) == ["contradictory"]
    assert "tpp is at least 5000" in found[0].message


@pytest.mark.parametrize(
    "where",
    [
        "[{field: destination, equals: CN}, {field: destination, equals: RU}]",
        "[{field: destination, in: [CN, MO]}, {field: destination, not_in: [CN, MO]}]",
        "[{field: destination, in_group: demo.cn}, {field: destination, not_equals: CN}]",
        "[{field: destination, exists: false}, {field: destination, equals: CN}]",
    ],
)
def test_contradictions_of_several_shapes(tmp_path, where):
    bad = rule("demo.x", f"txn: {{type: txn, where: {where}}}")
    assert kinds(lint_text(tmp_path, USES + bad)) == ["contradictory"]


def test_compatible_conditions_are_not_contradictory(tmp_path):
    ok = rule("demo.ok", "item: {type: item, where: [{field: tpp, gte: 4800}, {field: tpp, lt: 5000}]}")
    assert lint_text(tmp_path, USES + ok) == []


def test_membership_of_an_empty_group(tmp_path):
    bad = rule("demo.nobody", "txn: {type: txn, where: [{field: destination, in_group: demo.empty}]}")
    assert kinds(lint_text(tmp_path, USES + bad)) == ["empty-group"]


def test_permission_and_requirement_without_precedence(tmp_path):
    req = rule("demo.required", DEST_CN)
    allow = rule("demo.allowed", DEST_CN, outcome="license_exception")
    found = lint_text(tmp_path, USES + req + allow)
    assert kinds(found) == ["conflict"]
    assert "displaces: [demo.required]" in found[0].fix


def test_declared_exception_is_not_a_conflict(tmp_path):
    req = rule("demo.required", DEST_CN)
    allow = rule("demo.allowed", DEST_CN, outcome="license_exception", extra="  displaces: [demo.required]\n")
    assert lint_text(tmp_path, USES + req + allow) == []


def test_exclusive_conditions_are_not_a_conflict(tmp_path):
    req = rule("demo.required", DEST_CN)
    allow = rule(
        "demo.allowed",
        "txn: {type: txn, where: [{field: destination, not_in_group: demo.cn}]}",
        outcome="no_license_required",
        effective='{from: "2021-01-01"}',  # and so never on a day demo.uses is in force
    )
    assert lint_text(tmp_path, USES + req + allow) == []


def test_unused_parameter_and_group(tmp_path):
    head = HEAD.replace(
        "parameters:\n",
        """parameters:
  - id: demo.orphan
    title: Nobody reads me
    citation: {instrument: Demo, url: "https://example.org/p"}
    values: [{from: "2020-01-01", value: 1}]
""",
    ).replace(
        "groups:\n",
        """groups:
  - id: demo.lonely
    title: Nobody tests me
    citation: {instrument: Demo, url: "https://example.org/g"}
    effective: {from: "2000-01-01"}
    members: [DE]
""",
    )
    found = lint_text(tmp_path, USES + rule("demo.cn_rule", DEST_CN), head)
    assert [(f.kind, f.subject) for f in found] == [
        ("unused-group", "demo.lonely"),
        ("unused-parameter", "demo.orphan"),
    ]


def test_citation_without_source(tmp_path):
    bad = rule("demo.thin", DEST_CN).replace('url: "https://example.org/r"', 'reference: "1 FR 1"')
    found = lint_text(tmp_path, USES + bad)
    assert kinds(found) == ["citation-source"]
    assert found[0].subject == "demo.thin"


def test_parameter_history_gap(tmp_path):
    head = HEAD.replace(
        '      - {from: "2020-01-01", to: "2020-12-31", value: 10}\n',
        '      - {from: "2020-01-01", to: "2020-06-30", value: 10}\n'
        '      - {from: "2020-08-01", to: "2020-12-31", value: 12}\n',
    )
    found = lint_text(tmp_path, USES, head)
    assert kinds(found) == ["parameter-gap"]
    assert "from 2020-07-01 to 2020-07-31" in found[0].message


def test_every_kind_has_a_test():
    tested = {
        "never-in-force",
        "contradictory",
        "empty-group",
        "conflict",
        "unused-parameter",
        "unused-group",
        "citation-source",
        "parameter-gap",
        "note-restates-parameter",
        "undeclared-fact",
    }
    assert tested == set(KINDS)


def test_undeclared_fact(tmp_path):
    head = HEAD.replace(
        "rules:\n",
        "facts:\n  txn:\n    destination: {input: destination, question: \"Where to?\", absent: required}\nrules:\n",
    )
    ok = rule("demo.ok", DEST_CN)
    reads_tpp = rule("demo.tpp", "item: {type: item, where: [{field: tpp, gte: 1}]}")
    found = [f for f in lint_text(tmp_path, ok + reads_tpp, head) if f.kind == "undeclared-fact"]
    assert [f.subject for f in found] == ["demo.tpp"]
    assert "item.tpp" in found[0].message and found[0].line is not None


RESTATING = USES + rule(
    "demo.restates",
    "item: {type: item, where: [{field: tpp, gte: {param: demo.limit}, note: NOTE}]}",
    effective='{from: "2020-01-01", to: "2020-12-31"}',
)


@pytest.mark.parametrize("note", ["TPP is at least 10.", "TPP of 10 or more", "at least 10.0"])
def test_note_restating_a_parameter_value(tmp_path, note):
    found = lint_text(tmp_path, RESTATING.replace("NOTE", f'"{note}"'))
    assert kinds(found) == ["note-restates-parameter"]
    assert "demo.limit" in found[0].message and "{param:demo.limit}" in found[0].fix
    text = (tmp_path / "demo.yaml").read_text().splitlines()
    assert note in text[found[0].line - 1]  # the finding points at the note's line


def test_note_with_a_placeholder_or_another_number_is_clean(tmp_path):
    note = "TPP is at least {param:demo.limit} (see 15 CFR 742)."
    assert lint_text(tmp_path, RESTATING.replace("NOTE", f"\"{note}\"")) == []


def test_summary_restating_a_percent_or_power_of_ten(tmp_path):
    head = HEAD.replace("value: 10}", "value: 0.25}")
    text = RESTATING.replace("NOTE", '"ok"').replace("A demonstration rule.", "More than 25% of the value.")
    found = lint_text(tmp_path, text, head)
    assert kinds(found) == ["note-restates-parameter"] * 2  # both demo rules compare with demo.limit
    assert all("summary writes '25%'" in f.message for f in found)
    head = HEAD.replace("value: 10}", "value: 1.0e+25}")
    text = RESTATING.replace("NOTE", '"above 10^25 operations"')
    assert kinds(lint_text(tmp_path, text, head)) == ["note-restates-parameter"]


def test_aggregation_threshold_counts_as_used(tmp_path):
    extra = """aggregations:
  - id: demo.owned
    title: Demo ownership rule
    citation: {instrument: Demo, url: "https://example.org/a"}
    owners_from: [sdn]
    threshold: demo.share
    indirect: true
    aggregate: true
    owners_label: listed owners
    writes: {share: blocked_owner_share}
"""
    head = HEAD.replace(
        "parameters:\n",
        "parameters:\n  - id: demo.share\n    title: Share\n    citation: {instrument: Demo, url: \"https://example.org/p\"}\n"
        '    values: [{from: "2000-01-01", value: 0.5}]\n',
    )
    assert lint_text(tmp_path, USES, extra + head) == []
    assert kinds(lint_text(tmp_path, USES, head)) == ["unused-parameter"]


def test_cli_exit_codes_and_json(tmp_path):
    runner = CliRunner()
    clean = runner.invoke(cli, ["rules", "lint"])
    assert clean.exit_code == 0, clean.output
    assert "no findings" in clean.output
    (tmp_path / "demo.yaml").write_text(
        HEAD + USES + rule("demo.nobody", "txn: {type: txn, where: [{field: destination, in_group: demo.empty}]}")
    )
    bad = runner.invoke(cli, ["rules", "lint", str(tmp_path), "--format", "json"])
    assert bad.exit_code == 1
    report = json.loads(bad.output)
    assert [f["kind"] for f in report["findings"]] == ["empty-group"]
    assert report["findings"][0]["file"].endswith("demo.yaml")
