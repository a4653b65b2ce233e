"""Exceptions displace requirements explicitly, and dated country groups are read as of the date."""

from __future__ import annotations

import datetime as dt

from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.ruleset.loader import load_rules
from helpers import txn

RULES = """
regime: {id: demo, title: Demo regime, authority: Nobody}
parameters:
  - id: demo.value_limit
    title: Low-value shipment limit
    citation: {instrument: Demo Act, source: test}
    values:
      - {from: "2020-01-01", to: "2022-12-31", value: 1000}
      - {from: "2023-01-01", value: 5000}
groups:
  - id: demo.embargoed
    title: Embargoed destinations
    citation: {instrument: Demo Act, source: test}
    effective: {from: "2020-01-01"}
    members: [CN, {country: MO, from: "2023-01-18"}]
rules:
  - id: demo.requirement
    title: Licence to embargoed destinations
    summary: Items to an embargoed destination need a licence.
    citation: {instrument: Demo Act, section: s1, source: test}
    effective: {from: "2020-01-01"}
    when:
      txn:
        type: txn
        where: [{field: destination, in_group: demo.embargoed}]
      item: {type: item}
    outcome: license_required
  - id: demo.low_value_exception
    title: Low-value exception
    summary: Items below the dated value limit are covered by an exception.
    citation: {instrument: Demo Act, section: s2, source: test}
    effective: {from: "2020-01-01"}
    when:
      item:
        type: item
        where: [{field: value_usd, lt: {param: demo.value_limit}}]
    outcome: license_exception
    displaces: [demo.requirement]
"""


def _evaluators(tmp_path):
    # Both executors. This rule set once aborted the process in durable-rules' delete_state when no
    # rule fired (see backend_durable's session-opening fact); the MO case below is that regression.
    (tmp_path / "demo.yaml").write_text(RULES)
    rules = load_rules(tmp_path)
    return [Evaluator(rules, engine="durable"), Evaluator(rules, engine="python")]


def test_exception_displaces_only_the_item_it_covers(tmp_path):
    items = [
        {"id": "cheap", "description": "c", "value_usd": 3000},
        {"id": "dear", "description": "d", "value_usd": 9000},
    ]
    for ev in _evaluators(tmp_path):
        late = ev.evaluate(txn(date="2024-01-02", items=items))
        assert late["outcome"] == "license_required"  # the dear item is not covered
        assert [f["displaced_by"] for f in late["displaced"]] == ["demo.low_value_exception"]
        assert "item:cheap" in [b["fact"] for b in late["displaced"][0]["triggering_facts"]]
        only_cheap = ev.evaluate(txn(date="2024-01-02", items=items[:1]))
        assert only_cheap["outcome"] == "license_exception"
        # In 2022 the limit was 1000, so the 3000 item was not covered.
        early = ev.evaluate(txn(date="2022-06-01", items=items[:1]))
        assert early["outcome"] == "license_required" and early["displaced"] == []


def test_group_membership_is_dated(tmp_path):
    for ev in _evaluators(tmp_path):
        t = txn(destination="MO", items=[{"id": "x", "description": "x", "value_usd": 99999}])
        assert ev.evaluate(t, on=dt.date(2023, 1, 17))["outcome"] == "no_license_required"
        assert ev.evaluate(t, on=dt.date(2023, 1, 18))["outcome"] == "license_required"
