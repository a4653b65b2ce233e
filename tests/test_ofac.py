"""OFAC SDN blocking and the 50 Percent Rule (OFAC guidance of 2014-08-13)."""

from __future__ import annotations

import datetime as dt

from helpers import party, regime, txn

ITG = "Integrity Technology Group, Inc."
US = {"name": "Acme Inc.", "roles": ["exporter"], "country": "US", "us_person": True}


def test_us_person_dealing_with_sdn_is_prohibited_with_reports(durable):
    r = durable.evaluate(txn(date="2025-02-03", parties=[US, party(ITG)]))
    assert r["outcome"] == "prohibited"
    finding = next(f for f in r["findings"] if f["regime"] == "ofac_sdn")
    dues = [o.get("due") for o in finding["obligations"]]
    # 10 business days from Monday 2025-02-03 is Monday 2025-02-17.
    assert "2025-02-17" in dues


def test_before_designation_is_clear(durable):
    r = durable.evaluate(txn(parties=[US, party(ITG)]), on=dt.date(2025, 1, 2))
    assert regime(r, "ofac_sdn") == "no_license_required"


def test_no_us_person_no_ofac_finding(durable):
    exporter = {"name": "Berlin GmbH", "roles": ["exporter"], "country": "DE", "us_person": False}
    buyer = {**party(ITG), "us_person": False}
    r = durable.evaluate(
        txn(origin="DE", parties=[exporter, buyer], items=[{"description": "x", "subject_to_ear": False}])
    )
    assert regime(r, "ofac_sdn") == "no_license_required"


def test_us_person_status_not_stated_is_an_open_question(durable):
    """Nobody says whether a US person takes part: the OFAC prohibition is possible, never cleared."""
    exporter = {"name": "Berlin GmbH", "roles": ["exporter"], "country": "DE"}
    r = durable.evaluate(
        txn(origin="DE", parties=[exporter, party(ITG)], items=[{"description": "x", "subject_to_ear": False}])
    )
    assert regime(r, "ofac_sdn") == "insufficient_facts"
    ofac = r["regimes"]["ofac_sdn"]
    assert ofac["certain_outcome"] == "no_license_required" and "prohibited" in ofac["possible_outcomes"]
    asked = {m["input"]: m for m in r["missing_facts"]}
    who = next(k for k in asked if "us_person" in k)
    assert who == "parties[0].us_person or parties[1].us_person"  # both parties' status is unknown
    assert any(d["rule_id"].startswith("ofac.") and d["outcome"] == "prohibited" for d in asked[who]["decides"])


def _owned(shares: list[tuple[str, float]], **kw):
    target = party("Target Co", owners=[{"name": n, "share": s} for n, s in shares])
    return txn(parties=[US, target], **kw)


def test_fifty_percent_aggregates_two_owners(durable):
    other = {"name": "Other Blocked Ltd", "owners": []}
    t = _owned(
        [(ITG, 0.25), ("Beijing Integrity Sub Co", 0.25)],
        other_entities=[{"name": "Beijing Integrity Sub Co", "owners": [{"name": ITG, "share": 1.0}]}, other],
    )
    assert regime(durable.evaluate(t), "ofac_sdn") == "prohibited"


def test_boundary_49_9_and_50_percent(durable):
    assert regime(durable.evaluate(_owned([(ITG, 0.499)])), "ofac_sdn") == "no_license_required"
    assert regime(durable.evaluate(_owned([(ITG, 0.5)])), "ofac_sdn") == "prohibited"


def test_two_level_chain(durable):
    t = _owned([("Holding A", 0.6)], other_entities=[{"name": "Holding A", "owners": [{"name": ITG, "share": 0.5}]}])
    r = durable.evaluate(t)
    assert regime(r, "ofac_sdn") == "prohibited"
    assert any("Holding A is owned 50.0%" in n["because"] for n in r["notes"])


def test_ownership_cycle_is_reported_not_looped(durable):
    ents = [
        {"name": "A Co", "owners": [{"name": "B Co", "share": 0.6}]},
        {"name": "B Co", "owners": [{"name": "A Co", "share": 0.6}]},
    ]
    r = durable.evaluate(_owned([("A Co", 0.7)], other_entities=ents))
    assert regime(r, "ofac_sdn") == "no_license_required"
    assert any(n["field"] == "cycle" for n in r["notes"])
