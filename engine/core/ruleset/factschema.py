"""The typed fact fields that rule conditions may name, per fact type.

Kinds: `str`, `num`, `bool`, `date` (ISO text), `set` (a list that always holds the sentinel "*",
so "not contains" means the same in durable-rules and in Python), `country` (a code; its dated
group memberships sit in the companion set field `<name>_groups`).
Derived fact types are declared by the rules that derive them and are added by the loader.
"""

from __future__ import annotations

from exportsim.engine.core.ruleset.operators import operators_by_kind

FieldKind = str

BASE_FACTS: dict[str, dict[str, FieldKind]] = {
    "txn": {
        "kind": "str",
        "origin": "country",
        "destination": "country",
        "us_person_involved": "bool",
        "end_uses": "set",
        "declarations": "set",
        "date": "date",
    },
    "party": {
        "name": "str",
        "roles": "set",
        "country": "country",
        "headquarters": "country",
        "majority_owner_country": "country",
        "us_person": "bool",
        "authorizations": "set",
        "el_listed": "bool",
        "el_entry": "str",
        "el_review_policy": "str",
        "el_added": "date",
        "el_fdp_footnote": "str",
        "el_owner_share": "num",
        "el_owner_entries": "str",
        "el_owner_review_policy": "str",
        "sdn_listed": "bool",
        "sdn_entry": "str",
        "sdn_programs": "set",
        "blocked_owner_share": "num",
        "el_possible_match": "bool",
        "el_possible_entry": "str",
        "el_possible_score": "num",
        "sdn_possible_match": "bool",
        "sdn_possible_entry": "str",
        "sdn_possible_score": "num",
        "date": "date",
    },
    "item": {
        "item_id": "str",
        "description": "str",
        "eccn": "str",
        "eccn_base": "str",
        "eccn_category": "str",
        "subject_to_ear_declared": "str",
        "us_origin": "bool",
        "us_controlled_content": "num",
        "tpp": "num",
        "performance_density": "num",
        "dram_bandwidth_gbps": "num",
        "interconnect_gbps": "num",
        "total_tpp": "num",
        "direct_product_of_us_technology": "bool",
        "produced_from_footnote_1_design": "bool",
        "compaction_density_g_cc": "num",
        "discharge_capacity_mah_g": "num",
        "first_coulombic_efficiency": "num",
        "average_voltage_v": "num",
        "tap_density_g_cc": "num",
        "tags": "set",
        "quantity": "num",
        "value_usd": "num",
        "date": "date",
    },
    "investment": {
        "type": "str",
        "publicly_traded": "bool",
        "amount_usd": "num",
        "lp_commitment_usd": "num",
        "activities": "set",
        "ai_training_ops": "num",
        "completion_date": "date",
        "binding_commitment_date": "date",
        "date": "date",
    },
}

# Party fields that only a declared ownership aggregation (`aggregations:` in the rule files,
# its `writes`) fills in: a rule testing one that no aggregation writes could never fire.
AGGREGATION_FIELDS: frozenset[str] = frozenset(
    {"blocked_owner_share", "el_owner_share", "el_owner_entries", "el_owner_review_policy"}
)

OPERATORS_BY_KIND: dict[FieldKind, set[str]] = operators_by_kind()  # from the one table, operators.py

SENTINEL = "*"
