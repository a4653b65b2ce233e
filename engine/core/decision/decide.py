"""Fold rule firings into findings and outcomes: a pure function, easy to test on its own.

- Exceptions displace requirements explicitly: a rule that fired and `displaces` another removes
  that rule's findings which share its bound facts (aliases of the same name bound to the same
  fact); with no shared alias, it displaces them all. Displaced findings stay visible.
- An exception that displaced nothing is dropped from the findings (it stays in the trace): a
  transaction is not "excepted" from a requirement that never applied.
- Per regime, the strongest outcome left; overall, the strongest across regimes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from exportsim.engine.core.decision.outcomes import Outcome, strongest
from exportsim.engine.core.executors.firing import Firing
from exportsim.engine.core.ruleset.compiler import CompiledRule
from exportsim.engine.core.ruleset.ruledefs import Obligation, PolicyFrom


@dataclass
class Finding:
    regime: str
    outcome: Outcome
    rule_id: str
    binding: tuple[tuple[str, str], ...]
    review_policy: str | None = None
    obligations: list[dict] = field(default_factory=list)
    displaced_by: str | None = None


@dataclass
class Decision:
    outcome: Outcome
    regimes: dict[str, Outcome]
    findings: list[Finding]
    displaced: list[Finding]


def add_days(start: dt.date, days: int, business: bool) -> dt.date:
    """Calendar or business days (Monday-Friday; public holidays are not modelled)."""
    if not business:
        return start + dt.timedelta(days=days)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def obligation_due(ob: Obligation, txn_date: dt.date, completion: dt.date | None) -> dict:
    base = completion if ob.counted_from == "completion_date" else txn_date
    out: dict = {"text": ob.text}
    if ob.days is not None and base is not None:
        unit = "business days" if ob.business_days else "calendar days"
        out["due"] = add_days(base, ob.days, ob.business_days).isoformat()
        out["rule"] = f"{ob.days} {unit} from the {ob.counted_from.replace('_', ' ')} ({base})"
    elif ob.days is not None:
        out["rule"] = f"{ob.days} days from the {ob.counted_from.replace('_', ' ')} (date not given)"
    return out


def _compatible(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    da, db = dict(a), dict(b)
    shared = set(da) & set(db)
    return all(da[k] == db[k] for k in shared)


def decide(
    firings: list[Firing],
    rules: dict[str, CompiledRule],
    regimes: list[str],
    facts: dict[str, dict],
    txn_date: dt.date,
    completion: dt.date | None,
) -> Decision:
    deciding = [f for f in firings if rules[f.rule_id].rule.outcome is not None]
    findings: list[Finding] = []
    for f in sorted(deciding, key=lambda f: f.key):
        cr = rules[f.rule_id]
        rule = cr.rule
        policy = rule.review_policy
        if isinstance(policy, PolicyFrom):
            alias, _, fname = policy.field.partition(".")
            policy = facts.get(dict(f.binding).get(alias, ""), {}).get(fname)
        findings.append(
            Finding(
                regime=cr.regime,
                outcome=rule.outcome,  # type: ignore[arg-type]
                rule_id=rule.id,
                binding=f.binding,
                review_policy=policy,
                obligations=[obligation_due(o, txn_date, completion) for o in rule.obligations],
            )
        )
    used: set[int] = set()
    for n, exc in enumerate(findings):
        for target in rules[exc.rule_id].rule.displaces:
            for other in findings:
                if other.rule_id == target and _compatible(exc.binding, other.binding):
                    used.add(n)
                    if other.displaced_by is None:
                        other.displaced_by = exc.rule_id
    # An exception (a displacing rule whose outcome is weaker than a requirement) that found no
    # requirement to displace decides nothing: "excepted" from a requirement that does not apply.
    idle = {
        n
        for n, f in enumerate(findings)
        if rules[f.rule_id].rule.displaces
        and n not in used
        and f.outcome.strength <= Outcome.LICENSE_EXCEPTION.strength
    }
    findings = [f for n, f in enumerate(findings) if n not in idle]
    kept = [f for f in findings if f.displaced_by is None]
    displaced = [f for f in findings if f.displaced_by is not None]
    by_regime: dict[str, list[Outcome]] = {}
    for f in kept:
        by_regime.setdefault(f.regime, []).append(f.outcome)
    per_regime = {r: strongest(by_regime[r]) if r in by_regime else Outcome.NO_LICENSE_REQUIRED for r in regimes}
    return Decision(strongest(list(per_regime.values())), per_regime, kept, displaced)
