"""Regime variants: each action, dated changes, stacking, located errors, and the built-in variants."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.ruleset.loader import load_rules
from exportsim.engine.scenarios.variants import apply_variants, builtin_variants
from exportsim.engine.suites.lint import lint
from helpers import party, txn

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def base():
    return load_rules()


def variant(tmp_path, body: str, vid: str = "demo") -> str:
    path = tmp_path / f"{vid}.yaml"
    path.write_text(f"variant: {{id: {vid}, title: Demo}}\nchanges:\n{body}")
    return str(path)


def errors(base, path: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        apply_variants(base, [path])
    return [p.render() for p in exc.value.problems]


def test_every_builtin_variant_applies_and_changes_the_digest(base):
    assert len(builtin_variants()) >= 7
    for path in builtin_variants():
        rs = apply_variants(base, [path.stem])
        assert rs.variants == [path.stem]
        assert rs.digest != base.digest, path.stem
        assert {f.kind for f in lint(rs)} <= {"unused-parameter"}, path.stem


def test_remove_rule_from_a_date_ends_it_the_day_before(base, tmp_path):
    rs = apply_variants(base, [variant(tmp_path, "  - {remove_rule: el.license_required, from: '2030-01-01'}\n")])
    assert rs.rules["el.license_required"].effective.end == D("2029-12-31")
    assert base.rules["el.license_required"].effective.end is None  # the base is untouched


def test_remove_rule_outright_also_drops_it_from_displaces(base, tmp_path):
    rs = apply_variants(base, [variant(tmp_path, "  - remove_rule: ai.license_d5_macau\n")])
    assert "ai.license_d5_macau" not in rs.rules
    assert "ai.license_d5_macau" not in rs.rules["ai.h200_case_by_case"].displaces


def test_modify_rule_patches_in_place(base, tmp_path):
    body = (
        "  - modify_rule: el.license_required\n    set: {review_policy: case_by_case, effective: {to: '2030-01-01'}}\n"
    )
    rule = apply_variants(base, [variant(tmp_path, body)]).rules["el.license_required"]
    assert rule.effective.start == base.rules["el.license_required"].effective.start
    assert rule.effective.end == D("2030-01-01")


def test_dated_modify_splits_the_rule(base, tmp_path):
    body = "  - modify_rule: ai.license_d5_macau\n    from: '2027-01-01'\n    set: {outcome: prohibited}\n"
    rs = apply_variants(base, [variant(tmp_path, body, "harsh")])
    old, new = rs.rules["ai.license_d5_macau"], rs.rules["ai.license_d5_macau:harsh"]
    assert old.effective.end == D("2026-12-31") and old.outcome == "license_required"
    assert new.effective.start == D("2027-01-01") and new.outcome == "prohibited"
    assert rs.rule_regime["ai.license_d5_macau:harsh"] == "us_ai_chips"
    assert "ai.license_d5_macau:harsh" in rs.rules["ai.h200_case_by_case"].displaces


def test_set_parameter_from_a_date_keeps_the_earlier_value(base, tmp_path):
    body = "  - {set_parameter: oi.ai_prohibited_ops, from: '2027-01-01', value: 1.0e+24}\n"
    p = apply_variants(base, [variant(tmp_path, body)]).parameters["oi.ai_prohibited_ops"]
    assert p.value_on(D("2026-12-31")).value == 1e25
    assert p.value_on(D("2027-01-01")).value == 1e24


def test_set_parameter_for_a_window_resumes_afterwards(base, tmp_path):
    body = "  - {set_parameter: ear.de_minimis_general, from: '2027-01-01', to: '2027-12-31', value: 0.1}\n"
    p = apply_variants(base, [variant(tmp_path, body)]).parameters["ear.de_minimis_general"]
    assert [p.value_on(D(d)).value for d in ("2026-06-01", "2027-06-01", "2028-01-01")] == [0.25, 0.1, 0.25]


def test_group_membership_changes_are_dated(base, tmp_path):
    body = (
        "  - {add_to_group: ear.group_e1_e2, country: VE, from: '2027-01-01'}\n"
        "  - {remove_from_group: ear.group_e1_e2, country: CU, from: '2027-01-01'}\n"
    )
    g = apply_variants(base, [variant(tmp_path, body)]).groups["ear.group_e1_e2"]
    assert "VE" not in g.members_on(D("2026-12-31")) and "VE" in g.members_on(D("2027-01-01"))
    assert "CU" in g.members_on(D("2026-12-31")) and "CU" not in g.members_on(D("2027-01-01"))


def test_list_entries_added_and_removed(base, tmp_path):
    body = (
        "  - add_entry: {id: sdn.acme, list: sdn, name: Acme Trading LLC, added: '2026-01-01',\n"
        "                citation: {instrument: Hypothetical, source: test}}\n"
        "  - {remove_entry: el.huawei, from: '2027-01-01'}\n"
    )
    rs = apply_variants(base, [variant(tmp_path, body)])
    assert rs.entries["sdn.acme"].list == "sdn"
    assert rs.entries["el.huawei"].removed == D("2026-12-31")


def test_variants_stack_in_order(base, tmp_path):
    first = variant(tmp_path, "  - {set_parameter: ear.de_minimis_general, from: '2027-01-01', value: 0.1}\n", "a")
    second = variant(tmp_path, "  - {set_parameter: ear.de_minimis_general, from: '2028-01-01', value: 0.05}\n", "b")
    rs = apply_variants(base, [first, second])
    p = rs.parameters["ear.de_minimis_general"]
    assert [p.value_on(D(d)).value for d in ("2026-01-01", "2027-06-01", "2028-06-01")] == [0.25, 0.1, 0.05]
    assert rs.variants == ["a", "b"]


def test_hikvision_on_sdn_blocks_dealings_by_us_persons(base):
    t = txn(
        date="2025-06-01",
        parties=[party("Hangzhou Hikvision Digital Technology Co., Ltd.", roles=["end_user", "ultimate_consignee"])],
    )
    t = t.model_copy(
        update={
            "parties": [
                *t.parties,
                t.parties[0].model_copy(
                    update={"name": "US Seller Inc", "roles": ["exporter"], "country": "US", "us_person": True}
                ),
            ]
        }
    )
    plain = Evaluator(base, engine="python").evaluate(t)
    varied = Evaluator(apply_variants(base, ["hikvision-on-sdn"]), engine="python").evaluate(t)
    ofac = varied["regimes"]["ofac_sdn"]["outcome"]
    assert plain["regimes"]["ofac_sdn"]["outcome"] == "no_license_required"
    assert ofac == "prohibited"
    assert varied["rules"]["variants"] == ["hikvision-on-sdn"]


def test_unknown_id_is_located_in_the_variant(base, tmp_path):
    path = variant(tmp_path, "  - remove_rule: el.licence_required\n")
    (msg,) = errors(base, path)
    assert msg.startswith(f"{path}:3") and "no rule 'el.licence_required'" in msg


def test_a_change_that_breaks_a_reference_is_blamed_on_the_change(base, tmp_path):
    body = (
        "  - {set_parameter: ear.de_minimis_general, from: '2027-01-01', value: 0.1}\n"
        "  - modify_rule: ear.embargoed_destination\n"
        "    set:\n"
        "      when: {txn: {type: txn, where: [{field: destination, in_group: ear.group_nowhere}]},\n"
        "             item: {type: ear_item}}\n"
    )
    path = variant(tmp_path, body)
    (msg,) = errors(base, path)
    assert msg.startswith(f"{path}:4") and "ear.group_nowhere" in msg


def test_invalid_patched_rule_points_into_the_patch(base, tmp_path):
    body = "  - modify_rule: el.license_required\n    set:\n      outcome: maybe\n"
    path = variant(tmp_path, body)
    (msg,) = errors(base, path)
    assert msg.startswith(f"{path}:5") and "changes[0].set.outcome" in msg


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("  - {remove_rule: a.b, remove_entry: c.d}\n", "exactly one action"),
        ("  - {set_parameter: ear.de_minimis_general, value: 0.1}\n", "needs 'from'"),
        ("  - {add_to_group: ear.group_d5}\n", "needs 'country'"),
        ("  - {remove_from_group: ear.group_a5_a6, country: DE}\n", "included group"),
        ("  - {add_rule: {id: el.license_required}, regime: bis_entity_list}\n", "Field required"),
    ],
)
def test_bad_changes_get_a_located_message(base, tmp_path, body, needle):
    path = variant(tmp_path, body)
    msgs = errors(base, path)
    assert any(needle in m for m in msgs), msgs
    assert all(m.startswith(f"{path}:") for m in msgs)


def test_cli_variant_options(tmp_path):
    run = CliRunner().invoke
    out = run(
        cli, ["evaluate", "el-affiliate-reimposed", "--variant", "affiliates-suspension-extended", "--format", "json"]
    )
    assert out.exit_code == 0
    assert json.loads(out.output)["rules"]["variants"] == ["affiliates-suspension-extended"]
    bad = run(cli, ["evaluate", "el-affiliate-reimposed", "--variant", "no-such-variant"])
    assert bad.exit_code == 2 and "no built-in variant" in bad.output
    listed = run(cli, ["variants", "list", "--format", "json"])
    assert {v["id"] for v in json.loads(listed.output)} >= {"hikvision-on-sdn", "ai-diffusion-not-rescinded"}
    shown = run(cli, ["variants", "show", "ann46-ban-not-suspended"])
    assert "modify_rule cn.ann46_us_in_principle_denied" in shown.output


def test_hypothetical_additions_may_leave_out_citation_and_dates(base, tmp_path):
    body = (
        "  - add_entry: {id: sdn.acme, list: sdn, name: Acme Trading LLC}\n"
        "    from: '2027-01-01'\n"
        "  - add_rule:\n"
        "      id: ear.antarctica\n"
        "      title: Licence for Antarctica\n"
        "      summary: Hypothetical.\n"
        "      when: {txn: {type: txn, where: [{field: destination, equals: AQ}]}}\n"
        "      outcome: license_required\n"
        "    regime: us_embargoes\n"
        "    from: '2027-01-01'\n"
    )
    rs = apply_variants(base, [variant(tmp_path, body, "hypo")])
    assert rs.entries["sdn.acme"].added == D("2027-01-01")
    assert rs.entries["sdn.acme"].citation.instrument == "Variant hypo: Demo"
    assert rs.rules["ear.antarctica"].effective.start == D("2027-01-01")
