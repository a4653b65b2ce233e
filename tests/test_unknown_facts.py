"""Never a false clearance: unknown facts, possible firings and the insufficient_facts outcome.

Properties (hypothesis, and a generated population): (a) soundness — filling every unknown fact
with the true value gives an outcome the result listed as possible, overall and per regime; (b) a
transaction with every fact known never yields insufficient_facts; (c) durable-rules, the python
executor and the possible-firings evaluator agree on certain firings; (d) leaving a fact out never
turns a restrictive outcome into a clearance.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.scenarios.generate import DROPPABLE, Generator, load_profile, meets_3a090
from hypothesis import given
from hypothesis import strategies as st

CLEARANCES = {"no_license_required", "license_exception"}
NAMES = ["Huawei", "Hikvision", "Integrity Technology Group", "Phytium", "Clean Trading Co", "Acme Inc."]
COUNTRIES = ["CN", "US", "DE", "MO", "AE", "TW", "RU", "SG"]
ROLES = ["exporter", "purchaser", "ultimate_consignee", "end_user", "intermediate_consignee"]
PARTY_FACTS = DROPPABLE["party"]  # the same facts the generator's --drop-facts leaves out
ITEM_FACTS = DROPPABLE["item"]

party_st = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "roles": st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True),
        "country": st.sampled_from(COUNTRIES),
        "headquarters": st.sampled_from(COUNTRIES),
        "us_person": st.booleans(),
    }
)
item_st = st.fixed_dictionaries(
    {
        "description": st.just("thing"),
        "eccn": st.sampled_from(["chip", "EAR99", "5A992.c", "3A001.a"]),
        "us_origin": st.booleans(),
        "us_controlled_content": st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.3, 0.9]),
        "direct_product_of_us_technology": st.booleans(),
        "tpp": st.sampled_from([1000.0, 2400.0, 4799.0, 4800.0, 16000.0]),
        "performance_density": st.sampled_from([1.0, 3.2, 6.0]),
        "interconnect_gbps": st.sampled_from([400.0, 600.0]),
        "quantity": st.sampled_from([1, 8]),
    }
)


def _consistent(item: dict, day: str) -> dict:
    """A declared ECCN is the exporter's classification and stated parameters are tested too, so
    soundness is about completions consistent with the declaration: a chip's ECCN agrees with its
    parameters on the date (3A090.a or 3A991), and an item declared outside the 3A090 families has
    parameters below the 3A090 levels (otherwise the facts contradict each other)."""
    if item["eccn"] == "chip":
        meets = meets_3a090(item["tpp"], item["performance_density"], item["interconnect_gbps"], day)
        item["eccn"] = "3A090.a" if meets else "3A991"
    else:
        item |= {"tpp": 1000.0, "performance_density": 1.0}
    return item


@st.composite
def full_and_partial(draw) -> tuple[dict, dict]:
    """A transaction with every fact stated, and the same with a drawn subset of facts left out."""
    full = {
        "id": "prop",
        "date": draw(st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))).isoformat(),
        "kind": draw(st.sampled_from(["export", "reexport"])),
        "origin": draw(st.sampled_from(COUNTRIES)),
        "destination": draw(st.sampled_from(COUNTRIES)),
        "parties": draw(st.lists(party_st, min_size=1, max_size=3, unique_by=lambda p: p["name"])),
        "items": draw(st.lists(item_st, min_size=1, max_size=2)),
    }
    full["items"] = [_consistent(i, full["date"]) for i in full["items"]]
    partial = json.loads(json.dumps(full))
    for party in partial["parties"]:
        for key in PARTY_FACTS:
            if draw(st.booleans()):
                del party[key]
    for item in partial["items"]:
        for key in ITEM_FACTS:
            if draw(st.booleans()):
                del item[key]
    return full, partial


def _regimes(result: dict) -> dict[str, dict]:
    return result["regimes"]


def _check_sound(full: dict, partial: dict) -> None:
    assert full["outcome"] != "insufficient_facts", full["missing_facts"]
    assert full["outcome"] in partial["possible_outcomes"], (full["outcome"], partial["possible_outcomes"])
    for name, r in _regimes(partial).items():
        assert _regimes(full)[name]["outcome"] in r["possible_outcomes"], name
    if full["outcome"] not in CLEARANCES:
        assert partial["outcome"] not in CLEARANCES, "a fact left out turned a restriction into a clearance"


@given(full_and_partial())
def test_soundness_filling_the_unknowns_gives_a_listed_outcome(python_engine, pair):
    full_txn, partial_txn = (Transaction.model_validate(d) for d in pair)
    _check_sound(python_engine.evaluate(full_txn), python_engine.evaluate(partial_txn))


@given(full_and_partial())
def test_executors_agree_on_certain_firings_with_unknowns(durable, python_engine, pair):
    txn = Transaction.model_validate(pair[1])
    a, b = durable.evaluate(txn), python_engine.evaluate(txn)
    assert a["findings"] == b["findings"] and a["outcome"] == b["outcome"]
    assert a["missing_facts"] == b["missing_facts"]
    # the possible-firings evaluator's certain part is the executors' firings
    facts = python_engine.flattener.flatten(txn).facts
    full_run = python_engine.possible.run(facts)
    firings, derived = python_engine.python.run(facts)
    assert {f.key for f in full_run.certain} == {f.key for f in firings}
    # the shortcut evaluate uses (only rules an unknown can reach) finds the same possible firings
    shortcut = python_engine.possible.run_open(facts, derived)
    assert {(p.rule_id, p.binding, p.opens) for p in shortcut} == {
        (p.rule_id, p.binding, p.opens) for p in full_run.possible
    }


def test_a_population_with_facts_removed_shows_no_false_clearance(ruleset, python_engine):
    """The generated population, once with every fact and once with 30% of the droppable facts
    removed: every full outcome is among the possible ones, and nothing restrictive clears."""
    profile = load_profile()
    full = list(Generator(profile, ruleset, seed=11).population(400))
    partial = list(Generator(profile, ruleset, seed=11, drop_facts=0.3).population(400))
    insufficient = 0
    for f, p in zip(full, partial, strict=True):
        rf = python_engine.evaluate(Transaction.model_validate(f))
        rp = python_engine.evaluate(Transaction.model_validate(p))
        _check_sound(rf, rp)
        insufficient += rp["outcome"] == "insufficient_facts"
    assert insufficient > 20  # the removal really removed facts that matter


def test_every_fact_known_never_gives_insufficient_facts(ruleset, python_engine):
    for txn in Generator(load_profile(), ruleset, seed=5).population(400):
        result = python_engine.evaluate(Transaction.model_validate(txn))
        assert result["outcome"] != "insufficient_facts", (txn["id"], result["missing_facts"])


TAIWAN_SERVER = {
    "id": "tw-server",
    "date": "2026-03-02",
    "kind": "export",
    "origin": "TW",
    "destination": "CN",
    "parties": [
        {"name": "Beijing Institute of Technology", "roles": ["ultimate_consignee", "end_user"], "country": "CN"}
    ],
    "items": [{"description": "AI server, 8 accelerators", "eccn": "4A090.a", "tpp": 4800, "quantity": 1}],
}


@pytest.mark.parametrize("engine", ["durable", "python"])
def test_the_taiwan_server_does_not_clear(request, engine):
    ev = request.getfixturevalue("durable" if engine == "durable" else "python_engine")
    r = ev.evaluate(Transaction.model_validate(TAIWAN_SERVER))
    assert r["outcome"] == "insufficient_facts"
    assert r["certain_outcome"] == "no_license_required"
    asked = {m["input"]: m for m in r["missing_facts"]}
    assert {"items[0].us_controlled_content", "items[0].direct_product_of_us_technology"} <= set(asked)
    for m in asked.values():
        assert m["question"].endswith("?")
        assert all(d["if"] for d in m["decides"])
    assert any(d["outcome"] == "license_required" for m in asked.values() for d in m["decides"])


def test_a_us_shipped_ear99_item_to_a_listed_party_needs_a_licence_without_us_origin(durable):
    txn = {
        "id": "us-ear99-huawei",
        "date": "2024-05-01",
        "kind": "export",
        "origin": "US",
        "destination": "CN",
        "parties": [{"name": "Huawei Technologies Co., Ltd.", "roles": ["purchaser", "end_user"], "country": "CN"}],
        "items": [{"description": "Office chairs", "eccn": "EAR99"}],
    }
    r = durable.evaluate(Transaction.model_validate(txn))
    assert _regimes(r)["bis_entity_list"]["outcome"] == "license_required"
    assert "ear.in_united_states" in {s["rule_id"] for s in r["trace"]}


def test_unknown_written_out_is_the_same_as_left_out(durable):
    left_out = Transaction.model_validate(TAIWAN_SERVER)
    data = json.loads(json.dumps(TAIWAN_SERVER))
    data["items"][0] |= {"us_controlled_content": "unknown", "direct_product_of_us_technology": "unknown"}
    data["parties"][0]["headquarters"] = "unknown"
    a, b = durable.evaluate(left_out), durable.evaluate(Transaction.model_validate(data))
    assert a["outcome"] == b["outcome"] and a["missing_facts"] == b["missing_facts"]


def test_a_missing_classification_is_never_ear99(durable):
    txn = {
        "id": "no-eccn",
        "date": "2024-05-01",
        "kind": "export",
        "origin": "US",
        "destination": "DE",
        "parties": [
            {"name": "Acme GmbH", "roles": ["end_user"], "country": "DE", "headquarters": "DE", "us_person": False}
        ],
        "items": [{"description": "Controller boards"}],
    }
    r = durable.evaluate(Transaction.model_validate(txn))
    assert r["outcome"] == "insufficient_facts"
    assert "items[0].eccn" in {m["input"] for m in r["missing_facts"]}
    stated = json.loads(json.dumps(txn))
    stated["items"][0]["eccn"] = "3A001.a"
    r2 = durable.evaluate(Transaction.model_validate(stated))
    assert r2["outcome"] == "not_modelled"
    assert _regimes(r2)["us_ccl"]["outcome"] == "not_modelled"
    stated["items"][0]["eccn"] = "EAR99"
    assert durable.evaluate(Transaction.model_validate(stated))["outcome"] == "no_license_required"


def test_insufficient_ranks_between_licence_and_notification():
    order = list(Outcome)
    assert order.index(Outcome.LICENSE_REQUIRED) < order.index(Outcome.INSUFFICIENT_FACTS)
    assert order.index(Outcome.NOT_MODELLED) < order.index(Outcome.LICENSE_EXCEPTION)


def test_an_owner_whose_country_is_not_stated_leaves_the_covered_foreign_person_open(durable):
    """A Singapore fab 60% owned by a company whose country nobody states: whether the target is a
    person of a country of concern (850.221) is open, so the prohibition is possible, never cleared."""
    txn = {
        "id": "oi-owner-country-unknown",
        "date": "2025-06-02",
        "kind": "investment",
        "origin": "US",
        "parties": [
            {"name": "Bay Fund LP", "roles": ["investor"], "country": "US", "us_person": True},
            {
                "name": "Lion City Fab Pte. Ltd.",
                "roles": ["investment_target"],
                "country": "SG",
                "headquarters": "SG",
                "us_person": False,
                "owners": [{"name": "Parent Semis Co., Ltd.", "share": 0.6}],
            },
        ],
        "investment": {"type": "equity", "completion_date": "2025-06-10", "activities": ["advanced_logic_fabrication"]},
    }
    r = durable.evaluate(Transaction.model_validate(txn))
    assert r["outcome"] == "insufficient_facts" and "prohibited" in r["possible_outcomes"]
    assert "parties[1].owners" in {m["input"] for m in r["missing_facts"]}
