"""Static checks of a case's `expected` block against a rule set, without evaluating the case:
every regime and rule it names exists, belongs where it is listed and is in force on the case's
date, and the outcomes it states are consistent. `exportsim case check` reports these; because they
are judgements about cases, not about how the command prints, they live with the suites.
"""

from __future__ import annotations

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.errors import Problem
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.suites.suite import CaseFile


def check_expectation(case: CaseFile, rules: RuleSet) -> list[Problem]:
    """Each problem of the case's expectation, located at its line; empty when it is sound."""
    out: list[Problem] = []
    exp = case.txn.expected
    if exp is None:
        return []
    for name, finding in exp.regimes.items():
        line = case.lines.line_for(("expected", "regimes", name))
        if name not in rules.regimes:
            out.append(
                Problem(
                    str(case.path),
                    f"The expectation names regime '{name}', which the rule set lacks.",
                    f"Use one of: {', '.join(rules.regimes)}.",
                    line,
                )
            )
            continue
        for n, rid in enumerate(finding.rules):
            where = case.lines.line_for(("expected", "regimes", name, "rules", n))
            rule = rules.rules.get(rid)
            if rule is None:
                out.append(
                    Problem(
                        str(case.path),
                        f"The expectation names rule '{rid}', which does not exist.",
                        "Use an id from 'exportsim rules list'.",
                        where,
                    )
                )
            elif rules.rule_regime[rid] != name:
                out.append(
                    Problem(
                        str(case.path),
                        f"Rule '{rid}' belongs to regime '{rules.rule_regime[rid]}', not '{name}'.",
                        "List it under its own regime.",
                        where,
                    )
                )
            elif not rule.effective.contains(case.txn.date):
                out.append(
                    Problem(
                        str(case.path),
                        f"Rule '{rid}' is not in force on {case.txn.date} (effective "
                        f"{rule.effective.label()}), so it cannot decide this case.",
                        "Change the case's date or the expected rules.",
                        where,
                    )
                )
        if finding.outcome == "no_license_required" and finding.rules:
            kinds = {str(rules.rules[r].outcome) for r in finding.rules if r in rules.rules}
            if kinds - {"no_license_required"}:
                out.append(
                    Problem(
                        str(case.path),
                        f"Regime '{name}' is expected to need nothing, yet the rules listed decide something stronger.",
                        "Correct the outcome or the rules.",
                        line,
                    )
                )
    regime_outcomes = [Outcome(f.outcome) for f in exp.regimes.values()]
    if regime_outcomes and max(o.strength for o in regime_outcomes) > Outcome(exp.outcome).strength:
        out.append(
            Problem(
                str(case.path),
                f"The overall outcome '{exp.outcome}' is weaker than a regime's expected "
                "outcome; the overall outcome is the strongest of the regimes.",
                "Raise the overall outcome or correct the regime's.",
                case.lines.line_for(("expected", "outcome")),
            )
        )
    return out
