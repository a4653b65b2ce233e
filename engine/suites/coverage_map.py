"""What each regime models: the ECCNs, item tags, investment activities, countries, country groups
and transaction kinds its rules test, read from the rule conditions themselves.

Why: "no licence required" must never mean "not modelled". The `not_modelled` rules say so in a
result; this map says it before any transaction is run, so a trainer or analyst can see what a
regime covers (`exportsim rules coverage-map`).
"""

from __future__ import annotations

from typing import Any

from exportsim.engine.core.ruleset.loader import RuleSet

DIMENSIONS = {
    "eccns": ("eccn", "eccn_base", "eccn_category"),
    "item_tags": ("tags",),
    "investment_activities": ("activities",),
    "countries": ("origin", "destination", "country", "headquarters", "majority_owner_country"),
    "transaction_kinds": ("kind",),
}


def coverage_map(rules: RuleSet) -> dict[str, dict[str, Any]]:
    """Per regime: the values each dimension's conditions name, the country groups they test, and
    whether a `not_modelled` rule says what the regime does not cover."""
    out: dict[str, dict[str, Any]] = {}
    for rid, rule in rules.rules.items():
        regime = rules.rule_regime[rid]
        entry = out.setdefault(
            regime,
            {"title": rules.regimes[regime].title, **{d: set() for d in DIMENSIONS}, "country_groups": set(),
             "not_modelled_rules": set()},
        )  # fmt: skip
        if rule.outcome is not None and str(rule.outcome) == "not_modelled":
            entry["not_modelled_rules"].add(rid)
        for pattern in rule.when.values():
            for cond in pattern.where:
                for dim, fields in DIMENSIONS.items():
                    if cond.field not in fields:
                        continue
                    if cond.operator in ("in_group", "not_in_group"):
                        entry["country_groups"].add(str(cond.operand))
                        continue
                    negated = cond.operator in ("not_equals", "not_in", "not_contains", "contains_none")
                    if negated and rid not in entry["not_modelled_rules"]:
                        continue  # an exclusion in a deciding rule names nothing the regime covers
                    # (in a not_modelled rule, the excluded values are exactly what is modelled)
                    value = cond.operand
                    values = value if isinstance(value, list) else [value]
                    entry[dim].update(str(v) for v in values if not isinstance(v, bool))
    return {r: {k: sorted(v) if isinstance(v, set) else v for k, v in e.items()} for r, e in sorted(out.items())}
