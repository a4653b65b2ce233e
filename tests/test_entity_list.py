"""BIS Entity List behaviour, with expectations taken from 15 CFR 744.11 and the listing dates."""

from __future__ import annotations

import datetime as dt

from helpers import fired, party, regime, txn

US = {"name": "Acme Inc.", "roles": ["exporter"], "country": "US", "us_person": True}


def test_ear99_to_listed_entity_needs_licence(durable):
    r = durable.evaluate(txn(parties=[US, party("Huawei Technologies Co., Ltd.")]))
    assert regime(r, "bis_entity_list") == "license_required"
    finding = r["findings"][0]
    assert finding["rule_id"] == "el.license_required"
    assert finding["review_policy"] == "presumption_of_denial"
    assert finding["citation"]["section"].startswith("15 CFR 744.11")


def test_day_before_listing_is_clear_and_listing_day_is_not(durable):
    t = txn(parties=[US, party("HUAWEI TECHNOLOGIES CO LTD")])
    before = durable.evaluate(t, on=dt.date(2019, 5, 15))
    on_day = durable.evaluate(t, on=dt.date(2019, 5, 16))
    assert regime(before, "bis_entity_list") == "no_license_required"
    assert regime(on_day, "bis_entity_list") == "license_required"


def test_purchaser_only_counts_from_august_2020(durable):
    t = txn(parties=[US, party("Hikvision", roles=["purchaser"]), party("Clean Distributor", roles=["end_user"])])
    assert regime(durable.evaluate(t, on=dt.date(2020, 8, 16)), "bis_entity_list") == "no_license_required"
    after = durable.evaluate(t, on=dt.date(2020, 8, 17))
    assert regime(after, "bis_entity_list") == "license_required"
    assert "el.listed_party_to_transaction" in fired(after)


def test_forwarder_role_alone_does_not_trigger(durable):
    r = durable.evaluate(txn(parties=[US, party("Dahua", roles=["forwarder"])]))
    assert regime(r, "bis_entity_list") == "no_license_required"


def test_item_not_subject_to_ear_draws_no_requirement(durable):
    items = [{"id": "i1", "description": "German-made sensor", "eccn": "EAR99", "subject_to_ear": False}]
    r = durable.evaluate(txn(origin="DE", items=items, parties=[party("Megvii")]))
    assert regime(r, "bis_entity_list") == "no_license_required"
    miss = {
        m["rule_id"]: m
        for m in durable.evaluate(txn(origin="DE", items=items, parties=[party("Megvii")]), explain_misses=True)[
            "why_not"
        ]
    }
    assert "no 'ear_item' fact was derived" in miss["el.license_required"]["reason"]


def test_unlisted_party_is_clear(durable):
    r = durable.evaluate(txn(parties=[US, party("Shenzhen Honest Trading Co., Ltd.")]))
    assert r["outcome"] == "no_license_required"
    assert r["findings"] == []


def test_one_finding_per_item(durable):
    items = [
        {"id": "a", "description": "a", "us_origin": True},
        {"id": "b", "description": "b", "us_origin": True},
    ]
    r = durable.evaluate(txn(parties=[US, party("SenseTime")], items=items))
    assert len(r["findings"]) == 2
