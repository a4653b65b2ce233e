"""One walk-through as a state machine, without a terminal: the CLI shows steps and passes
replies to `Walkthrough.handle`, which judges them, saves every answer at once and moves on.

Keeping the moves here (resume where the trainee stopped, skip, hint, back, quit) lets them be
tested without click or rich, and lets any front end (the CLI, a scripted replay) behave the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import Evaluator, load_transaction
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.training.progress import Progress
from exportsim.engine.training.walkthrough import (
    HINT_COST,
    POINTS,
    Step,
    build_steps,
    is_right,
    max_score,
    parse_answer,
)

EventKind = Literal["wait", "hint", "invalid", "answered", "next", "back", "quit"]
DEFAULT_HINT = "Think about the rule in force."


@dataclass(frozen=True)
class Event:
    """What a reply did. `answered` carries the step answered, whether it was right and the points."""

    kind: EventKind
    step: Step | None = None
    text: str = ""  # the hint, or the reply that was not an option
    right: bool = False
    points: int = 0

    @property
    def moves(self) -> bool:
        """True when the walk left the step (the front end shows the next one, or stops)."""
        return self.kind in ("answered", "next", "back", "quit")


@dataclass(frozen=True)
class Summary:
    score: int
    total: int
    review: list[str] = field(default_factory=list)  # titles of the steps answered wrongly or not at all


def topic(txn: Transaction) -> str:
    return txn.tags[0] if txn.tags else "general"


def requiring_regimes(evaluator: Evaluator) -> set[str]:
    """Regimes with a rule that can require something (stronger than a licence exception)."""
    floor = Outcome.LICENSE_EXCEPTION.strength
    return {c.regime for c in evaluator.compiled if c.rule.outcome is not None and c.rule.outcome.strength > floor}


class Walkthrough:
    """The steps of one case, the step the trainee is at, and the attempt the answers go to."""

    def __init__(
        self,
        txn: Transaction,
        steps: list[Step],
        result: dict[str, Any],
        progress: Progress,
        attempt: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.txn, self.steps, self.result = txn, steps, result
        self.progress, self.attempt, self.clock = progress, attempt, clock
        done = progress.answers(attempt)
        self.resumed = len(done)  # answers already given in an earlier session
        self.index = 0
        if done:
            self.index = next((n for n, s in enumerate(steps) if s.scored and s.id not in done), len(steps))
        self._enter(self.index)

    @property
    def done(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def _enter(self, index: int) -> None:
        self.index, self._hint, self._started = index, False, self.clock()

    def _back(self) -> Event:
        """To the previous question, whose answer is forgotten (it is asked again)."""
        for j in range(self.index - 1, -1, -1):
            if self.steps[j].scored:
                self.progress.forget(self.attempt, self.steps[j].id)
                self._enter(j)
                return Event("back")
        self._enter(0)
        return Event("back")

    def handle(self, reply: str | None) -> Event:
        """One reply at the current step; None (end of input, Ctrl-C) stops the walk."""
        if reply is None:
            return Event("quit")
        step, text = self.step, reply.strip()
        low = text.lower()
        if low in ("q", "quit"):
            return Event("quit")
        if low in ("b", "back"):
            return self._back()
        if not step.scored:
            self._enter(self.index + 1)
            return Event("next")
        if not text:
            return Event("wait")
        if low in ("h", "hint"):
            self._hint = True
            return Event("hint", step, text=step.hint or DEFAULT_HINT, points=HINT_COST)
        if low in ("s", "skip"):
            chosen = ["(skipped)"]
        else:
            parsed = parse_answer(step, text)
            if parsed is None:
                return Event("invalid", step, text=text)
            chosen = parsed
        right = is_right(step, chosen)
        points = (POINTS - (HINT_COST if self._hint else 0)) if right else 0
        self.progress.record(self.attempt, step.id, chosen, right, self._hint, points, self.clock() - self._started)
        self._enter(self.index + 1)
        return Event("answered", step, right=right, points=points)

    def finish(self) -> Summary:
        """Mark the attempt finished; the score and what to review."""
        self.progress.finish(self.attempt)
        answers = self.progress.answers(self.attempt)
        review = [s.title for s in self.steps if s.scored and (s.id not in answers or not answers[s.id].correct)]
        return Summary(sum(a.points for a in answers.values()), max_score(self.steps), list(dict.fromkeys(review)))


def start_walk(path: Path, trainee: str, progress: Progress, evaluator: Evaluator) -> Walkthrough:
    """The walk-through of the case at `path` for `trainee`, resuming an unfinished attempt.
    Raises InputError when the case cannot be read."""
    txn = load_transaction(path)
    result = evaluator.evaluate(txn, file=str(path))
    steps = build_steps(txn, result, requiring_regimes(evaluator))
    attempt = progress.open_attempt(trainee, txn.id, topic(txn), txn.difficulty or "", max_score(steps))
    return Walkthrough(txn, steps, result, progress, attempt)


def load_answers(path: Path) -> list[str]:
    """Scripted answers: a YAML (or JSON) list, or a mapping with `answers:` holding one."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError.one(str(path), f"Cannot read the answers: {exc}.", "Write a YAML list of answers.") from None
    if isinstance(data, dict):
        data = data.get("answers")
    if not isinstance(data, list):
        raise InputError.one(
            str(path),
            "The answers file must be a list (or have 'answers:' with a list).",
            "Write one answer per line: '- 2', '- yes', '- h' for a hint ...",
        )
    return [str(a) for a in data]
