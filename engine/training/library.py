"""The case library as a course: which case a trainee should take next."""

from __future__ import annotations

from pathlib import Path

from exportsim.engine.core.transaction.model import Transaction

DIFFICULTIES = ("intro", "intermediate", "advanced")


def course_order(cases: list[tuple[Path, Transaction]]) -> list[tuple[Path, Transaction]]:
    """The cases easiest first (cases without a difficulty are not part of the course)."""
    return [c for level in DIFFICULTIES for c in cases if c[1].difficulty == level]


def next_case(order: list[tuple[Path, Transaction]], status: dict[str, str]) -> tuple[Path, Transaction] | None:
    """A case in progress first, then the first new case, then one not yet mastered; easiest first."""
    for wanted in ("in progress", None, "attempted"):
        found = next((c for c in order if status.get(c[1].id) == wanted), None)
        if found:
            return found
    return None
