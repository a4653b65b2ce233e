"""Ownership: which entities are caught because caught owners hold at least a threshold of them.

What counts is declared per aggregation in the rule files (`aggregations:`): with `aggregate`,
25% + 25% held by two listed owners reach a 50% threshold; with `indirect`, an entity caught by
ownership counts as an owner in turn, so catching propagates down chains. This is a monotone
fixed point, so it terminates even when the ownership data has cycles; cycles are reported as
data problems rather than looped on.
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


def resolve(
    entities: list[Entity],
    directly_blocked: dict[str, str],
    threshold: float | None,
    *,
    indirect: bool = True,
    aggregate: bool = True,
    owners_label: str = "blocked persons",
) -> OwnershipResult:
    """`directly_blocked` maps normalised names of listed persons to the list entry that blocks them.
    `threshold` None (not in force on the day) catches nothing; `owner_share` is still computed:
    the aggregate share held by caught owners, or with `aggregate` off the largest single one."""
    if not any(e.owners for e in entities):  # the common case: no ownership data, nothing to resolve
        return OwnershipResult(blocked=dict(directly_blocked))
    owners = {normalise(e.name): [(normalise(o.name), o.name, o.share) for o in e.owners] for e in entities}
    display = {normalise(e.name): e.name for e in entities}
    result = OwnershipResult(blocked=dict(directly_blocked))
    listed = set(directly_blocked)

    def counted(key: str) -> bool:
        return key in (result.blocked if indirect else listed)

    def held_share(held: list[tuple[str, float]]) -> float:
        return sum(s for _, s in held) if aggregate else max((s for _, s in held), default=0.0)

    how = "in aggregate " if aggregate else ""
    if threshold is not None:
        changed = True
        while changed:
            changed = False
            for node, edges in owners.items():
                if node in result.blocked:
                    continue
                held = [(name, share) for key, name, share in edges if counted(key)]
                share = held_share(held)
                if held and share >= threshold - 1e-12:
                    parts = ", ".join(f"{name} {s:.1%}" for name, s in held)
                    result.blocked[node] = f"{display[node]} is owned {share:.1%} {how}by {owners_label} ({parts})"
                    changed = indirect  # without chains one pass over the listed owners settles it
    for node, edges in owners.items():
        result.owner_share[node] = round(held_share([(key, s) for key, _, s in edges if counted(key)]), 9)
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
