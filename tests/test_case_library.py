"""The case library as a whole: every rule fires somewhere, and the library is large and varied."""

from __future__ import annotations

from collections import Counter

from exportsim.cli.common import builtin_case_paths
from exportsim.engine.core.evaluate import load_transaction


def test_every_rule_fires_in_some_case(python_engine):
    fired: set[str] = set()
    for path in builtin_case_paths():
        result = python_engine.evaluate(load_transaction(path))
        fired |= {step["rule_id"] for step in result["trace"]}
    never = sorted(set(python_engine.rules.rules) - fired)
    assert never == [], f"rules no built-in case fires: {never}"


def test_library_covers_every_regime_and_difficulty():
    cases = [load_transaction(p) for p in builtin_case_paths()]
    assert len(cases) >= 80
    difficulties = Counter(c.difficulty for c in cases)
    assert set(difficulties) == {"intro", "intermediate", "advanced"}
    regimes = {name for c in cases if c.expected for name in c.expected.regimes}
    wanted = {"bis_entity_list", "ofac_sdn", "us_ai_chips", "cn_dual_use", "cn_tech_export", "us_outbound_investment"}
    assert wanted <= regimes
    outcomes = {c.expected.outcome for c in cases if c.expected}
    assert {"prohibited", "license_required", "notification_required", "license_exception"} <= outcomes
    assert "no_license_required" in outcomes
