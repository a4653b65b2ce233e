"""Engine mechanics: isolation, why-not, rule files steer durable-rules, hostile strings stay inert."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.decision.decide import add_days
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.ruleset.loader import builtin_rules_dir, load_rules
from helpers import party, regime, txn
from hypothesis import given
from hypothesis import strategies as st

US = {"name": "Acme Inc.", "roles": ["exporter"], "country": "US", "us_person": True}


def test_evaluations_are_isolated(durable):
    a = txn(parties=[US, party("Huawei")])
    b = txn(id="b", parties=[US, party("Integrity Technology Group")])
    first = durable.evaluate(a)
    durable.evaluate(b)
    assert durable.evaluate(a) == first


def test_many_evaluations_stay_within_the_session_cap(durable):
    t = txn(parties=[US, party("Huawei")])
    outcomes = {durable.evaluate(t)["outcome"] for _ in range(1100)}
    assert outcomes == {"license_required"}


def test_an_error_inside_an_action_is_raised_and_the_session_stays_clean(durable, monkeypatch):
    # durable-rules' own layer swallows exceptions raised in actions; the backend must raise them,
    # naming the rule, and leave its reused session empty for the next evaluation.
    import exportsim.engine.core.executors.durable as backend
    from exportsim.engine.core.executors.firing import Deriver

    t = txn(parties=[US, party("Huawei")])
    expected = durable.evaluate(t)
    real = Deriver.__call__

    def broken(self, bound, binding, sid):
        if self.prefix.startswith("el.listed_party_to_transaction("):
            raise KeyError("planted")
        return real(self, bound, binding, sid)

    monkeypatch.setattr(Deriver, "__call__", broken)
    with pytest.raises(backend.EngineFailure, match="rule el.listed_party_to_transaction: KeyError"):
        durable.evaluate(t)
    monkeypatch.setattr(Deriver, "__call__", real)
    assert durable.evaluate(t) == expected
    assert durable.evaluate(txn(parties=[US]))["outcome"] == "no_license_required"


def test_a_failed_call_to_durable_rules_is_raised_and_the_next_evaluation_is_right(durable, monkeypatch):
    # An action started and never completed locks a durable-rules session (it then reports no
    # actions for up to a minute): after a failed call the backend must not reuse that session.
    import exportsim.engine.core.executors.durable as backend

    t = txn(parties=[US, party("Huawei")])
    expected = durable.evaluate(t)
    real = backend._c

    class Failing:
        def __getattr__(self, name):
            return getattr(real, name)

        @staticmethod
        def complete_and_start_action(handle, state):
            raise RuntimeError("planted C failure")

    monkeypatch.setattr(backend, "_c", Failing())
    with pytest.raises(backend.EngineFailure, match="planted C failure"):
        durable.evaluate(t)
    monkeypatch.setattr(backend, "_c", real)
    assert durable.evaluate(t) == expected


def test_sessions_where_no_rule_fires_are_safe(tmp_path):
    # durable-rules 2.0.28 aborts in delete_state for a session in which no action ran; the backend
    # reuses one session and retracts each evaluation's facts instead of deleting sessions.
    (tmp_path / "one.yaml").write_text(
        "regime: {id: one, title: One, authority: Nobody}\n"
        "rules:\n"
        "  - id: one.r\n"
        "    title: Never fires here\n"
        "    summary: Only for destination KP.\n"
        "    citation: {instrument: Demo, source: test}\n"
        "    effective: {from: '2000-01-01'}\n"
        "    when: {t: {type: txn, where: [{field: destination, equals: KP}]}}\n"
        "    outcome: prohibited\n"
    )
    ev = Evaluator(load_rules(tmp_path), engine="durable")
    outcomes = {ev.evaluate(txn(id=f"t{n}"))["outcome"] for n in range(50)}
    assert outcomes == {"no_license_required"}
    assert ev.evaluate(txn(destination="KP"))["outcome"] == "prohibited"


def test_why_not_names_the_failed_condition_and_value(durable):
    r = durable.evaluate(txn(parties=[US, party("Huawei", roles=["forwarder"])]), explain_misses=True)
    miss = {m["rule_id"]: m for m in r["why_not"]}
    el = miss["el.listed_party_to_transaction"]
    assert el["failed_condition"].startswith("roles includes any of")
    assert el["seen"] == ["forwarder"]
    assert miss["el.listed_party_as_consignee"]["in_force"] is False


def test_changing_a_rule_file_changes_the_result(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    path = rules / "bis_entity_list.yaml"
    path.write_text(
        path.read_text().replace(
            "contains_any: [purchaser, intermediate_consignee, ultimate_consignee, end_user]",
            "contains_any: [purchaser, intermediate_consignee, ultimate_consignee, end_user, forwarder]",
        )
    )
    t = txn(parties=[US, party("Huawei", roles=["forwarder"])])
    base = Evaluator(load_rules(), engine="durable").evaluate(t)
    changed = Evaluator(load_rules(rules), engine="durable").evaluate(t)
    assert regime(base, "bis_entity_list") == "no_license_required"
    assert regime(changed, "bis_entity_list") == "license_required"
    assert changed["engine"] == "durable"


HOSTILE = st.sampled_from(
    [
        "__import__('os').system('touch /tmp/exportsim-hostile')",
        "'); DROP TABLE rules; --",
        "$and",
        '{"$or": []}',
        "${HOME}",
        "\\x00",
        "exec(open('x').read())",
    ]
) | st.text(min_size=1, max_size=30)


@given(HOSTILE)
def test_hostile_strings_in_rule_files_stay_inert(tmp_path_factory, text):
    rules = tmp_path_factory.mktemp("hostile")
    (rules / "r.yaml").write_text(
        json.dumps(
            {
                "regime": {"id": "demo", "title": text, "authority": text},
                "rules": [
                    {
                        "id": "demo.rule",
                        "title": text,
                        "summary": text,
                        "excerpt": text,
                        "citation": {"instrument": text, "source": text},
                        "effective": {"from": "2020-01-01"},
                        "when": {
                            "party": {
                                "type": "party",
                                "where": [{"field": "name", "equals": text, "note": text}],
                            }
                        },
                        "outcome": "license_required",
                        "review_policy": text,
                    }
                ],
            }
        )
    )
    t = txn(parties=[party(text)])
    for engine in ("durable", "python"):
        r = Evaluator(load_rules(rules), engine=engine).evaluate(t)
        assert r["outcome"] == "license_required"
        assert r["findings"][0]["review_policy"] == text
    assert not Path("/tmp/exportsim-hostile").exists()


def test_business_days_skip_weekends():
    import datetime as dt

    assert add_days(dt.date(2025, 2, 7), 1, True) == dt.date(2025, 2, 10)  # Friday -> Monday
    assert add_days(dt.date(2025, 2, 3), 10, True) == dt.date(2025, 2, 17)


def test_cli_json_and_rules_commands():
    r = CliRunner().invoke(cli, ["evaluate", "el-huawei-ear99-2019", "--format", "json", "--why-not"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["outcome"] == "license_required" and "why_not" in data
    r = CliRunner().invoke(cli, ["rules", "show", "el.license_required"])
    assert r.exit_code == 0 and "15 CFR 744.11" in r.output
    r = CliRunner().invoke(cli, ["rules", "show", "nope"])
    assert r.exit_code == 2
    r = CliRunner().invoke(cli, ["schema", "transaction"])
    assert r.exit_code == 0 and "properties" in json.loads(r.output)


def test_huge_and_tiny_numbers_reach_durable_rules_intact(tmp_path):
    # durable-rules' parser rejects exponents (1e+25, 5e-05); the backend writes plain decimals.
    (tmp_path / "n.yaml").write_text(
        "regime: {id: n, title: N, authority: Nobody}\n"
        "parameters:\n"
        "  - {id: n.big, title: Big, citation: {instrument: D, source: t},\n"
        "     values: [{from: '2000-01-01', value: 1.0e+25}]}\n"
        "  - {id: n.tiny, title: Tiny, citation: {instrument: D, source: t},\n"
        "     values: [{from: '2000-01-01', value: 5.0e-05}]}\n"
        "rules:\n"
        "  - id: n.big\n    title: Big\n    summary: s\n    citation: {instrument: D, source: t}\n"
        "    effective: {from: '2000-01-01'}\n"
        "    when: {i: {type: item, where: [{field: tpp, gt: {param: n.big}}]}}\n    outcome: prohibited\n"
        "  - id: n.tiny\n    title: Tiny\n    summary: s\n    citation: {instrument: D, source: t}\n"
        "    effective: {from: '2000-01-01'}\n"
        "    when: {i: {type: item, where: [{field: us_controlled_content, gt: {param: n.tiny}}]}}\n"
        "    outcome: license_required\n"
    )
    rules = load_rules(tmp_path)
    engines = [Evaluator(rules, engine="durable"), Evaluator(rules, engine="python")]
    for tpp, content, want in [(3e25, 0.0, "prohibited"), (1e25, 0.00004, "no_license_required"),
                               (9.9e24, 0.00006, "license_required")]:  # fmt: skip
        item = {"id": "x", "description": "x", "tpp": tpp, "us_controlled_content": content}
        got = {ev.evaluate(txn(items=[item]))["outcome"] for ev in engines}
        assert got == {want}, (tpp, content, got)


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-(2**70), max_value=2**70))
def test_numbers_sent_to_durable_rules_never_carry_an_exponent(value):
    # The fast path (orjson) is taken only for numbers it writes as plain decimals; the rest are
    # rewritten by `encode`. Either way the text durable-rules parses has no exponent. (Infinite
    # and NaN values are refused where transactions and rules are read: see the next test.)
    from exportsim.engine.core.executors.durable import _plain, encode_facts

    text = encode_facts([{"t": "item", "id": "x", "v": value}])
    number = text.split('"v":')[1].rstrip("}]").strip()
    assert "e" not in number.lower() and "inf" not in number.lower() and "nan" not in number.lower()
    if _plain(value):
        assert number == repr(value)


def test_infinite_or_nan_numbers_are_refused_with_the_field_named(tmp_path):
    path = tmp_path / "inf.yaml"
    path.write_text(
        "id: inf\nkind: export\norigin: US\ndestination: CN\ndate: '2024-01-02'\n"
        "items: [{id: i1, description: chip, tpp: .inf}]\n"
    )
    r = CliRunner().invoke(cli, ["evaluate", str(path)])
    assert r.exit_code == 2
    assert "items[0].tpp" in r.output or "items.0.tpp" in r.output, r.output
    assert "finite" in r.output and "Traceback" not in r.output


def test_country_code_no_is_norway_not_false(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("id: n\nkind: export\norigin: US\ndestination: NO\ndate: '2024-01-02'\n")
    from exportsim.engine.core.evaluate import load_transaction

    assert load_transaction(path).destination == "NO"
