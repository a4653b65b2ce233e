"""Ownership: which entities are blocked because blocked persons own 50% or more of them.

OFAC's 50 Percent Rule aggregates: 25% + 25% held by two blocked persons blocks the entity, and
blocking propagates down chains (an entity blocked by ownership blocks what it owns >= 50% of).
This is a monotone fixed point, so it terminates even when the ownership data has cycles; cycles
are reported as data problems rather than looped on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exportsim.engine.core.facts.screening import normalise
from exportsim.engine.core.transaction.model import Entity


@dataclass
class OwnershipResult:
    blocked: dict[str, str] = field(default_factory=dict)  # normalised name -> why
    owner_share: dict[str, float] = field(default_factory=dict)  # normalised name -> blocked share
    cycles: list[list[str]] = field(default_factory=list)


def resolve(entities: list[Entity], directly_blocked: dict[str, str], threshold: float | None) -> OwnershipResult:
    """`directly_blocked` maps normalised names of listed persons to the list entry that blocks them."""
    if not any(e.owners for e in entities):  # the common case: no ownership data, nothing to resolve
        return OwnershipResult(blocked=dict(directly_blocked))
    owners = {normalise(e.name): [(normalise(o.name), o.name, o.share) for o in e.owners] for e in entities}
    display = {normalise(e.name): e.name for e in entities}
    result = OwnershipResult(blocked=dict(directly_blocked))
    if threshold is not None:
        changed = True
        while changed:
            changed = False
            for node, edges in owners.items():
                if node in result.blocked:
                    continue
                held = [(name, share) for key, name, share in edges if key in result.blocked]
                share = sum(s for _, s in held)
                if held and share >= threshold - 1e-12:
                    parts = ", ".join(f"{name} {s:.1%}" for name, s in held)
                    result.blocked[node] = (
                        f"{display[node]} is owned {share:.1%} in aggregate by blocked persons ({parts})"
                    )
                    changed = True
    for node, edges in owners.items():
        result.owner_share[node] = round(sum(s for key, _, s in edges if key in result.blocked), 9)
    result.cycles = _cycles(owners, display)
    return result


def _cycles(owners: dict[str, list[tuple[str, str, float]]], display: dict[str, str]) -> list[list[str]]:
    found: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    for start in owners:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for key, _, _ in owners.get(node, []):
                if key == start:
                    cycle = frozenset(path)
                    if cycle not in seen_sets:
                        seen_sets.add(cycle)
                        found.append([display.get(n, n) for n in path])
                elif key not in path and key in owners:
                    stack.append((key, [*path, key]))
    return found
