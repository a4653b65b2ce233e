"""`exportsim rules coverage-map`: what each regime models, read from its rules."""

from __future__ import annotations

import json

from click.testing import CliRunner
from exportsim.cli.main import cli


def test_coverage_map_names_what_each_regime_models():
    out = CliRunner().invoke(cli, ["rules", "coverage-map", "--format", "json"])
    assert out.exit_code == 0, out.output
    found = json.loads(out.output)
    assert "EAR99" in found["us_ccl"]["eccns"] and "3A001" not in found["us_ccl"]["eccns"]
    assert found["us_ccl"]["not_modelled_rules"] == ["ccl.eccn_not_modelled"]
    assert "gallium_metal" in found["cn_dual_use"]["item_tags"]
    assert "ai.d5_macau" in found["us_ai_chips"]["country_groups"]
    assert {"RU", "BY"} <= set(found["us_embargoes"]["countries"])
    text = CliRunner().invoke(cli, ["rules", "coverage-map"])
    assert text.exit_code == 0 and "not modelled rules" in text.output
