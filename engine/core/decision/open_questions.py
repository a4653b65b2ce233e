"""When the facts do not decide: the outcomes still possible and the questions that decide them.

The certain decision (`decide`) folds the firings that hold on known facts. The possible firings
(executors/possible.py) are what could also fire once unknown facts are answered. Since known facts
never change by answering others, every completion of the facts fires the certain firings plus some
of the possible ones; so the outcomes a completion can reach are the certain outcome, the outcomes
of possible findings, and, where a possible exception could displace a certain requirement, the
outcomes that would remain. When one of those is more restrictive than the certain outcome, the
regime (and, if so, the overall result) is `insufficient_facts`: never a clearance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exportsim.engine.core.decision.decide import Decision
from exportsim.engine.core.decision.outcomes import Outcome, strongest
from exportsim.engine.core.executors.possible import Open, PossibleFiring
from exportsim.engine.core.ruleset.compiler import CompiledRule


@dataclass(frozen=True)
class PossibleFinding:
    regime: str
    outcome: Outcome
    rule_id: str
    binding: tuple[tuple[str, str], ...]
    opens: frozenset[Open]


@dataclass
class RegimeOpenness:
    certain: Outcome
    possible: list[Outcome]  # strongest first, the certain outcome included
    findings: list[PossibleFinding] = field(default_factory=list)  # possible findings stronger than certain

    @property
    def insufficient(self) -> bool:
        return self.possible[0].strength > self.certain.strength


@dataclass
class Openness:
    regimes: dict[str, RegimeOpenness]
    certain: Outcome
    possible: list[Outcome]

    @property
    def insufficient(self) -> bool:
        return self.possible[0].strength > self.certain.strength

    def outcome(self) -> Outcome:
        return Outcome.INSUFFICIENT_FACTS if self.insufficient else self.certain

    def regime_outcome(self, regime: str) -> Outcome:
        r = self.regimes[regime]
        return Outcome.INSUFFICIENT_FACTS if r.insufficient else r.certain


def _ordered(outcomes: set[Outcome]) -> list[Outcome]:
    return sorted(outcomes, key=lambda o: -o.strength)


def assess(decision: Decision, possible: list[PossibleFiring], rules: dict[str, CompiledRule]) -> Openness:
    """The possible outcomes per regime and overall, from the certain decision and the possible firings."""
    found = [
        PossibleFinding(rules[p.rule_id].regime, rules[p.rule_id].rule.outcome, p.rule_id, p.binding, p.opens)  # type: ignore[arg-type]
        for p in possible
        if rules[p.rule_id].rule.outcome is not None
    ]
    certain_by_regime: dict[str, list[Outcome]] = {}
    for f in [*decision.findings, *decision.displaced]:
        certain_by_regime.setdefault(f.regime, []).append(f.outcome)
    regimes: dict[str, RegimeOpenness] = {}
    for regime, certain in decision.regimes.items():
        mine = [f for f in found if f.regime == regime]
        reachable = {certain, *(f.outcome for f in mine)}
        if any(rules[f.rule_id].rule.displaces for f in mine):
            # a possible exception could displace a certain requirement: what would remain is reachable
            reachable |= set(certain_by_regime.get(regime, [])) | {Outcome.NO_LICENSE_REQUIRED}
        ordered = _ordered(reachable)
        stronger = sorted(
            (f for f in mine if f.outcome.strength > certain.strength),
            key=lambda f: (-f.outcome.strength, f.rule_id, f.binding),
        )
        regimes[regime] = RegimeOpenness(certain, ordered, stronger)
    overall_possible = _ordered({o for r in regimes.values() for o in r.possible} | {decision.outcome})
    if all(r.possible[-1] == r.certain for r in regimes.values()):
        # no regime can end below its certain outcome, so neither can the overall one
        overall_possible = [o for o in overall_possible if o.strength >= decision.outcome.strength]
    return Openness(regimes, decision.outcome, overall_possible)


def settled(decision: Decision) -> Openness:
    """The openness of a decision on fully known facts: nothing is open."""
    return Openness(
        {r: RegimeOpenness(o, [o]) for r, o in decision.regimes.items()}, decision.outcome, [decision.outcome]
    )


__all__ = ["Openness", "PossibleFinding", "RegimeOpenness", "assess", "settled", "strongest"]
