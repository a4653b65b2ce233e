"""Compare a corpus under a baseline and one or more scenarios (variants, or another date).

Every transaction is evaluated once per scenario with light results ("summary" detail); only the
transactions whose outcome or findings change are kept in detail, with the rules that fired in
one scenario and not the other and their citations. Rulesets are compiled once per scenario.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.core.transaction.model import Transaction


@dataclass
class Scenario:
    label: str
    evaluator: Evaluator
    on: dt.date | None = None  # evaluate every transaction on this date instead of its own


@dataclass
class ScenarioDiff:
    scenario: str
    transitions: Counter = field(default_factory=Counter)  # (from, to) -> count, all transactions
    by_regime: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_destination: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_category: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a != b)


def item_categories(txn: Transaction) -> list[str]:
    """Coarse categories for breakdowns: investment activity, AI chips, China-side tags, ECCN groups."""
    if txn.investment is not None:
        return sorted({f"investment:{a}" for a in txn.investment.activities} or {"investment"})
    out = set()
    for item in txn.items:
        if item.tpp is not None or (item.eccn or "").startswith(("3A090", "4A090")):
            out.add("ai_chip")
        elif item.tags:
            out.add(item.tags[0])
        elif item.eccn is None:
            out.add("ECCN not stated")
        elif item.eccn == "EAR99":
            out.add("EAR99")
        else:
            out.add(f"ECCN {item.eccn[:2]}xxx")
    return sorted(out) or ["no items"]


def _rule_ref(ev: Evaluator, rule_id: str) -> dict[str, str]:
    rule = ev.by_id[rule_id].rule
    return {
        "rule_id": rule_id,
        "regime": ev.by_id[rule_id].regime,
        "title": rule.title,
        "citation": rule.citation.text(),
    }


def _regime_outcome(result: dict[str, Any], regime: str) -> str:
    """A regime's outcome in a light result; a regime a scenario's rule set lacks requires nothing."""
    got = result["regimes"].get(regime)
    return got["outcome"] if got else "no_license_required"


def compare(
    corpus: Iterable[tuple[str, Transaction]],
    baseline: Scenario,
    others: list[Scenario],
    progress: Callable[[], None] | None = None,
) -> tuple[int, list[ScenarioDiff], dict[str, Counter]]:
    """Returns (count, one diff per other scenario, baseline outcome counts by destination)."""
    diffs = [ScenarioDiff(s.label) for s in others]
    base_outcomes: dict[str, Counter] = defaultdict(Counter)
    count = 0
    for where, txn in corpus:
        count += 1
        base = baseline.evaluator.evaluate(txn, on=baseline.on, detail="summary")
        dest = txn.destination or (txn.parties[-1].country if txn.parties else None) or "none"
        cats = item_categories(txn)
        base_outcomes[dest][base["outcome"]] += 1
        for scen, diff in zip(others, diffs, strict=True):
            other = scen.evaluator.evaluate(txn, on=scen.on, detail="summary")
            key = (base["outcome"], other["outcome"])
            diff.transitions[key] += 1
            moved = key[0] != key[1]
            diff.by_destination[dest]["total"] += 1
            diff.by_destination[dest]["changed"] += moved
            for c in cats:
                diff.by_category[c]["total"] += 1
                diff.by_category[c]["changed"] += moved
            regime_moves = {
                r: (a, b)
                for r, a, b in ((r, v["outcome"], _regime_outcome(other, r)) for r, v in base["regimes"].items())
                if a != b
            }
            for r, (a, b) in regime_moves.items():
                diff.by_regime[r][f"{a} -> {b}"] += 1
            fired_a, fired_b = set(base["fired"]), set(other["fired"])
            if moved or regime_moves or fired_a != fired_b:
                diff.changes.append(
                    {
                        "id": txn.id,
                        "title": txn.title,
                        "where": where,
                        "date": (scen.on or txn.date).isoformat(),
                        "baseline_date": (baseline.on or txn.date).isoformat(),
                        "kind": str(txn.kind),
                        "destination": dest,
                        "categories": cats,
                        "from": base["outcome"],
                        "to": other["outcome"],
                        "regimes": {r: {"from": a, "to": b} for r, (a, b) in regime_moves.items()},
                        "only_in_baseline": [_rule_ref(baseline.evaluator, r) for r in sorted(fired_a - fired_b)],
                        "only_in_scenario": [_rule_ref(scen.evaluator, r) for r in sorted(fired_b - fired_a)],
                        "findings": {"baseline": base["findings"], "scenario": other["findings"]},
                    }
                )
        if progress:
            progress()
    return count, diffs, base_outcomes


def report(count: int, diffs: list[ScenarioDiff], baseline: str, base_outcomes: dict[str, Counter]) -> dict[str, Any]:
    """The JSON shape of a comparison (docs/compare.md); HTML and CSV are rendered from it."""
    return {
        "baseline": baseline,
        "transactions": count,
        "baseline_outcomes_by_destination": {d: dict(c) for d, c in sorted(base_outcomes.items())},
        "scenarios": [
            {
                "scenario": d.scenario,
                "changed": d.changed,
                "changed_findings_only": len(d.changes) - d.changed,
                "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in sorted(d.transitions.items())],
                "by_regime": {r: dict(c) for r, c in sorted(d.by_regime.items())},
                "by_destination": {k: dict(c) for k, c in sorted(d.by_destination.items())},
                "by_category": {k: dict(c) for k, c in sorted(d.by_category.items())},
                "changes": d.changes,
            }
            for d in diffs
        ],
    }
