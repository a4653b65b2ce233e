"""Ownership from a corporate-group file: three-level chains with several owners, OFAC 50 Percent
Rule aggregation, the BIS Affiliates Rule by date, cycles reported, bad rows located."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.transaction.ownership_file import load_ownership
from helpers import party, regime, txn

run = CliRunner().invoke

# Integrity Technology Group (SDN) owns 30% of Beta and all of Sovereign Blocked Fund, which
# owns 25% of Beta: Beta is blocked by aggregation (55%), then Delta (60% by Beta), then the end
# user (55% by Delta) - three levels, several owners.
YAML = """\
entities:
  - name: Beta Holdings Ltd
    country: HK
    owners:
      - {name: "Integrity Technology Group, Inc.", share: 0.30}
      - {name: Sovereign Blocked Fund, share: 0.25}
  - name: Delta Trading Ltd
    country: HK
    owners: [{name: Beta Holdings Ltd, share: 0.60}]
  - name: Far East Components Co Ltd
    country: CN
    owners: [{name: Delta Trading Ltd, share: 0.55}]
  - name: Sovereign Blocked Fund
    owners: [{name: "Integrity Technology Group, Inc.", share: 1.0}]
"""


def _end_user_txn(**kw):
    return txn(
        date="2025-06-02",
        parties=[
            {"name": "US Seller Inc", "roles": ["exporter"], "country": "US", "us_person": True},
            party("Far East Components Co Ltd", roles=["end_user", "purchaser"]),
        ],
        **kw,
    )


def test_three_level_chain_with_aggregation_from_a_yaml_file(tmp_path, ruleset):
    path = tmp_path / "groups.yaml"
    path.write_text(YAML)
    plain = Evaluator(ruleset, engine="python").evaluate(_end_user_txn())
    merged = Evaluator(ruleset, engine="python", ownership=load_ownership(path)).evaluate(_end_user_txn())
    assert regime(plain, "ofac_sdn") == "no_license_required"
    assert regime(merged, "ofac_sdn") == "prohibited"
    blocked = [n["because"] for n in merged["notes"] if n["field"] == "blocked"]
    assert any(why.startswith("Beta Holdings Ltd is owned 55.0%") for why in blocked)
    assert any(why.startswith("Far East Components Co Ltd is owned 55.0%") for why in blocked)


def test_the_same_groups_from_csv(tmp_path, ruleset):
    path = tmp_path / "groups.csv"
    path.write_text(
        "owned,owner,share,owned_country\n"
        'Beta Holdings Ltd,"Integrity Technology Group, Inc.",30%,HK\n'
        "Beta Holdings Ltd,Sovereign Blocked Fund,0.25,HK\n"
        'Sovereign Blocked Fund,"Integrity Technology Group, Inc.",100%,\n'
        "Delta Trading Ltd,Beta Holdings Ltd,0.6,HK\n"
        "Far East Components Co Ltd,Delta Trading Ltd,55%,CN\n"
    )
    merged = Evaluator(ruleset, engine="python", ownership=load_ownership(path)).evaluate(_end_user_txn())
    assert regime(merged, "ofac_sdn") == "prohibited"


def test_below_fifty_percent_nothing_is_inherited(tmp_path, ruleset):
    path = tmp_path / "groups.yaml"
    path.write_text(YAML.replace("share: 0.25}", "share: 0.19}"))  # 30% + 19% = 49%
    merged = Evaluator(ruleset, engine="python", ownership=load_ownership(path)).evaluate(_end_user_txn())
    assert regime(merged, "ofac_sdn") == "no_license_required"


def test_cycles_are_reported_not_looped_on(tmp_path, ruleset):
    path = tmp_path / "cycle.csv"
    path.write_text("owned,owner,share\nA Corp,B Corp,0.6\nB Corp,A Corp,0.6\nFar East Components Co Ltd,A Corp,0.6\n")
    result = Evaluator(ruleset, engine="python", ownership=load_ownership(path)).evaluate(_end_user_txn())
    assert any(n["field"] == "cycle" for n in result["notes"])


def test_affiliates_rule_from_the_file_follows_its_dates(tmp_path):
    path = tmp_path / "el.yaml"
    path.write_text(
        "entities:\n  - name: Far East Components Co Ltd\n"
        '    owners: [{name: "Huawei Technologies Co., Ltd.", share: 0.5}]\n'
    )
    case = tmp_path / "case.json"
    outcomes = {}
    for day in ("2025-10-01", "2026-01-15", "2026-11-24"):
        case.write_text(json.dumps(_end_user_txn().model_dump(mode="json") | {"date": day}))
        out = run(cli, ["evaluate", str(case), "--ownership", str(path), "--format", "json", "--engine", "python"])
        outcomes[day] = json.loads(out.output)["regimes"]["bis_entity_list"]["outcome"]
    assert outcomes == {
        "2025-10-01": "license_required",
        "2026-01-15": "no_license_required",
        "2026-11-24": "license_required",
    }


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("bad.csv", "owned,owner\nA,B\n", "owned, owner and share"),
        ("bad2.csv", "owned,owner,share\nA,B,lots\n", "Row 2"),
        ("bad.yaml", "entities:\n  - {name: A, owners: [{name: B, share: 2}]}\n", "bad.yaml:2"),
    ],
)
def test_bad_files_are_located(tmp_path, name, text, needle):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as exc:
        load_ownership(path)
    assert needle in str(exc.value)
