"""Legal logic declared as rule data: ownership aggregations, the review-policy order, screening
bands; parameter placeholders in notes rendered with the value in force; one `Window` type."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import Evaluator, builtin_cases_dir, load_transaction
from exportsim.engine.core.facts.flatten import Flattener
from exportsim.engine.core.facts.ownership import resolve
from exportsim.engine.core.ruleset.loader import builtin_rules_dir, load_rules
from exportsim.engine.core.ruleset.notes import format_value, render
from exportsim.engine.core.ruleset.window import Epochs, Window, intersect, union
from exportsim.engine.scenarios.variants import apply_variants
from helpers import party, txn

D = dt.date.fromisoformat


def _ops_note(result: dict) -> tuple[str, str]:
    finding = next(f for f in result["findings"] if f["rule_id"] == "oi.prohibited_ai_compute")
    note = next(
        m["note"] for b in finding["triggering_facts"] for m in b["matched"] if "ai_training_ops" in m["condition"]
    )
    return note, finding["summary"]


def test_finding_note_reads_the_threshold_in_force_under_a_variant(ruleset):
    case = load_transaction(builtin_cases_dir() / "oi-ai-above-1e25-prohibited.yaml")
    plain = Evaluator(ruleset, engine="python").evaluate(case)
    varied = Evaluator(apply_variants(ruleset, ["oi-ai-prohibited-1e24"]), engine="python").evaluate(case)
    assert _ops_note(plain) == (
        "Training compute above 10^25 operations.",
        "A covered transaction with a person developing an AI system trained using more than 10^25 "
        "computational operations is prohibited.",
    )
    note, summary = _ops_note(varied)
    assert note == "Training compute above 10^24 operations." and "more than 10^24 computational" in summary


def test_why_not_notes_are_rendered_too(ruleset):
    result = Evaluator(ruleset, engine="python").evaluate(txn(), explain_misses=True)
    notes = [m["note"] for m in result["why_not"] if m.get("note")]
    assert notes and not any("{param:" in n for n in notes)


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1e25, "pow10", "10^25"),
        (5e24, "pow10", "5 x 10^24"),
        (0.5, "percent", "50%"),
        (0.97, "percent", "97%"),
        (2_000_000, "usd", "$2,000,000"),
        ("2025-01-02", "date", "2 January 2025"),
        (21000, "number", "21,000"),
        (5.92, "number", "5.92"),
    ],
)
def test_formats(value, fmt, shown):
    assert format_value(value, fmt) == shown


def test_render_without_a_day_gives_every_dated_value(ruleset):
    varied = apply_variants(ruleset, ["oi-ai-prohibited-1e24"]).parameters
    assert render("above {param:oi.ai_prohibited_ops|pow10}", varied, D("2026-01-01")) == "above 10^24"
    assert render("{param:ai.tpp_3a090a}", ruleset.parameters, None) == "4,800"
    assert render("{param:ai.tpp_3a090a}", ruleset.parameters, D("1990-01-01")).startswith("[no value of")


def _rules_copy(tmp_path, file: str, old: str, new: str):
    root = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), root, ignore=shutil.ignore_patterns("variants", "__pycache__"))
    path = root / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return root, path


@pytest.mark.parametrize(
    ("file", "old", "new", "says"),
    [
        ("ofac_sdn.yaml", "threshold: ofac.ownership_threshold", "threshold: ofac.no_such", "unknown parameter"),
        ("ofac_sdn.yaml", "writes: {share: blocked_owner_share}", "writes: {share: sdn_entry}", "fills in otherwise"),
        ("ofac_sdn.yaml", "writes: {share: blocked_owner_share}", "writes: {share: el_owner_entries}",
         "not a num field"),
        ("ofac_sdn.yaml", "writes: {share: blocked_owner_share}", "writes: {share: el_owner_entries}",
         "tests party field 'blocked_owner_share', which no ownership aggregation writes"),
        ("bis_entity_list.yaml", "writes:\n      share: el_owner_share", "writes:\n      share: blocked_owner_share",
         "both write"),
        ("bis_entity_list.yaml", "review_policies: [presumption_of_denial, case_by_case, presumption_of_approval]",
         "review_policies: [case_by_case, case_by_case]", "more than once"),
        ("screening.yaml", "review_threshold: screening.review_threshold", "review_threshold: x.y",
         "unknown parameter"),
        ("us_outbound_investment.yaml", "{param:oi.ai_prohibited_ops|pow10} operations.\"",
         "{param:oi.ai_prohibited|pow10} operations.\"", "unknown parameter 'oi.ai_prohibited'"),
        ("us_outbound_investment.yaml", "{param:oi.ai_prohibited_ops|pow10} operations.\"",
         "{param:oi.ai_prohibited_ops|power} operations.\"", "unknown format 'power'"),
    ],
)  # fmt: skip
def test_bad_declarations_are_reported_with_file_and_line(tmp_path, file, old, new, says):
    root, path = _rules_copy(tmp_path, file, old, new)
    with pytest.raises(InputError) as err:
        load_rules(root)
    found = [p for p in err.value.problems if says in p.message]
    assert found and found[0].file.startswith(str(path.parent)) and found[0].line, err.value.problems


def test_review_policy_order_comes_from_the_rules(ruleset):
    declared = Flattener(ruleset)
    assert min(["case_by_case", "presumption_of_denial"], key=declared._policy_rank) == "presumption_of_denial"
    reversed_order = dataclasses.replace(ruleset, review_policies=list(reversed(ruleset.review_policies)))
    assert min(["case_by_case", "presumption_of_denial"], key=Flattener(reversed_order)._policy_rank) == "case_by_case"
    # fail safe: a policy the rules do not list is never out-ranked by a milder one
    assert (
        min(["presumption_of_denial", "denial_with_exceptions"], key=declared._policy_rank) == "denial_with_exceptions"
    )


def _chain():
    t = txn(
        parties=[
            party("Alpha Mining", owners=[{"name": "Listed A", "share": 0.6}]),
            party("Beta Mining", owners=[{"name": "Alpha Mining", "share": 0.3}, {"name": "Listed B", "share": 0.3}]),
        ]
    )
    return t.parties, {"listed a": "listed", "listed b": "listed"}


@pytest.mark.parametrize(
    ("indirect", "aggregate", "caught"),
    [
        (True, True, {"alpha mining", "beta mining"}),  # 30% through caught Alpha + 30% listed B
        (False, True, {"alpha mining"}),  # Alpha's holding no longer counts: 30% only
        (True, False, {"alpha mining"}),  # no single owner holds 50% of Beta
    ],
)
def test_aggregation_flags(indirect, aggregate, caught):
    parties, listed = _chain()
    result = resolve(parties, listed, 0.5, indirect=indirect, aggregate=aggregate)
    assert set(result.blocked) - set(listed) == caught


def test_indirect_off_ignores_caught_owners():
    t = txn(
        parties=[
            party("Alpha Mining", owners=[{"name": "Listed A", "share": 0.6}]),
            party("Beta Mining", owners=[{"name": "Alpha Mining", "share": 0.6}]),
        ]
    )
    direct = resolve(t.parties, {"listed a": "listed"}, 0.5, indirect=False)
    assert set(direct.blocked) == {"listed a", "alpha mining"} and direct.owner_share["beta mining"] == 0.0
    chained = resolve(t.parties, {"listed a": "listed"}, 0.5)
    assert "beta mining" in chained.blocked


def test_rules_show_aggregations():
    runner = CliRunner()
    text = runner.invoke(cli, ["rules", "show", "aggregations"])
    assert text.exit_code == 0, text.output
    assert "ofac.fifty_percent_rule" in text.output and "presumption_of_denial > case_by_case" in text.output
    data = json.loads(runner.invoke(cli, ["rules", "show", "aggregations", "--format", "json"]).output)
    assert {a["threshold"] for a in data["aggregations"]} == {"ofac.ownership_threshold", "bis.affiliates_threshold"}
    one = runner.invoke(cli, ["rules", "show", "bis.affiliates_rule"])
    assert one.exit_code == 0 and "el_owner_review_policy" in one.output


def test_window_is_the_one_in_force_test():
    w = Window.model_validate({"from": "2025-01-01", "to": "2025-01-31"})
    assert w.contains(D("2025-01-31")) and not w.contains(D("2025-02-01"))
    assert Window(start=D("2025-01-01")).contains(dt.date.max)  # `to` omitted: open-ended
    assert union([w, Window(start=D("2025-02-01"))]) == [Window(start=D("2025-01-01"))]
    assert intersect([w], [Window(start=D("2025-01-15"), end=D("2025-03-01"))]) == [
        Window(start=D("2025-01-15"), end=D("2025-01-31"))
    ]
    epochs = Epochs([w])
    assert epochs.of(D("2025-01-01")) == epochs.of(D("2025-01-31")) != epochs.of(D("2025-02-01"))


def test_rules_show_renders_placeholders_and_names_the_aggregation():
    runner = CliRunner()
    shown = runner.invoke(cli, ["rules", "show", "oi.prohibited_ai_compute", "--variant", "oi-ai-prohibited-1e24"])
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())
    assert "Training compute above 10^24 operations." in flat and "{param:" not in flat
    owned = " ".join(runner.invoke(cli, ["rules", "show", "ofac.blocked_by_ownership"]).output.split())
    assert "computed by aggregation ofac.fifty_percent_rule" in owned
