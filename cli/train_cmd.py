"""Trainee mode: `exportsim train` (the library and the next case), `exportsim walk CASE` (one
guided walk-through), `exportsim progress` (scores and mastery). Exit codes: 0, 2 bad input."""

from __future__ import annotations

import getpass
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
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
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .common import builtin_cases, fail_input, format_option, load_ruleset, make_evaluator, resolve_case
from .main import cli
from .render import result_tree

DIFFICULTIES = ("intro", "intermediate", "advanced")
trainee_option = click.option(
    "--trainee",
    default=lambda: os.environ.get("EXPORTSIM_TRAINEE") or getpass.getuser(),
    show_default="$EXPORTSIM_TRAINEE or your login name",
    help="Whose progress to use (several trainees can share a machine).",
)
db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Progress database (default: $EXPORTSIM_PROGRESS_DB or progress.sqlite in the data directory).",
)


def _console() -> Console:
    return Console(highlight=False)


def _progress(db: Path | None) -> Progress:
    try:
        return Progress(db)
    except InputError as err:
        fail_input(err)


def _topic(txn: Transaction) -> str:
    return txn.tags[0] if txn.tags else "general"


class Walk:
    """One walk-through: shows steps, reads answers, gives feedback, saves every answer at once."""

    def __init__(
        self,
        console: Console,
        txn: Transaction,
        steps: list[Step],
        result: dict,
        progress: Progress,
        attempt: int,
        ask: Callable[[str], str | None],
        interactive: bool,
    ) -> None:
        self.c, self.txn, self.steps, self.result = console, txn, steps, result
        self.progress, self.attempt, self.ask, self.interactive = progress, attempt, ask, interactive

    def run(self) -> bool:
        """True when the case was finished, False when the trainee quit (progress kept)."""
        done = self.progress.answers(self.attempt)
        i = 0
        if done:
            i = next((n for n, s in enumerate(self.steps) if s.scored and s.id not in done), len(self.steps))
            self.c.print(f"[bold]Resuming[/] {escape(self.txn.id)}: {len(done)} answers already given.")
        while i < len(self.steps):
            step = self.steps[i]
            move = self._show(step, i)
            if move == "quit":
                self.c.print("Stopped. Your answers are saved; run the same command to carry on.")
                return False
            i = max(0, self._previous(i)) if move == "back" else i + 1
        self._finish()
        return True

    def _previous(self, i: int) -> int:
        for j in range(i - 1, -1, -1):
            if self.steps[j].scored:
                self.progress.forget(self.attempt, self.steps[j].id)
                return j
        return 0

    def _show(self, step: Step, i: int) -> str:
        self.c.rule(f"{i + 1}/{len(self.steps)}  {step.title}", style="dim")
        if step.text:
            self.c.print(escape(step.text))
        if step.table:
            table = Table(show_header=False, box=None, pad_edge=False)
            table.add_column(style="bold", no_wrap=False)
            table.add_column()
            for k, v in step.table:
                table.add_row(escape(k), escape(v))
            self.c.print(table)
        if not step.scored:
            if not self.interactive:
                return "next"
            reply = self.ask("Press Enter to continue (b back, q quit)")
            if reply is None or reply.strip().lower() in ("q", "quit"):
                return "quit"
            return "back" if reply.strip().lower() in ("b", "back") else "next"
        for n, option in enumerate(step.options, start=1):
            self.c.print(f"  {n}. {escape(option.replace('_', ' '))}")
        several = " (several: 1,3)" if step.kind == "multi" else ""
        hint = False
        started = time.monotonic()
        while True:
            reply = self.ask(f"Answer{several}; h hint, s skip, b back, q quit")
            if reply is None:
                return "quit"
            text = reply.strip()
            low = text.lower()
            if not text:
                continue
            if low in ("q", "quit"):
                return "quit"
            if low in ("b", "back"):
                return "back"
            if low in ("h", "hint"):
                hint = True
                self.c.print(
                    f"[cyan]Hint (costs {HINT_COST} points):[/] {step.hint or 'Think about the rule in force.'}"
                )
                continue
            if low in ("s", "skip"):
                chosen = ["(skipped)"]
                break
            parsed = parse_answer(step, text)
            if parsed is None:
                self.c.print(
                    f"'{text}' is not one of the options: answer with a number from 1 to {len(step.options)} "
                    "or the option's text."
                )
                continue
            chosen = parsed
            break
        right = is_right(step, chosen)
        points = (POINTS - (HINT_COST if hint else 0)) if right else 0
        self.progress.record(self.attempt, step.id, chosen, right, hint, points, time.monotonic() - started)
        if right:
            self.c.print(f"[green]Right[/] (+{points}).")
        else:
            self.c.print(
                f"[red]Not quite.[/] The answer is: {escape(', '.join(a.replace('_', ' ') for a in step.answer))}."
            )
        for line in step.explanation:
            self.c.print(f"  {escape(line)}", soft_wrap=False)
        return "next"

    def _finish(self) -> None:
        self.progress.finish(self.attempt)
        answers = self.progress.answers(self.attempt)
        score = sum(a.points for a in answers.values())
        total = max_score(self.steps)
        self.c.rule("The full explanation", style="dim")
        self.c.print(result_tree(self.result, show_trace=True))
        if self.txn.teaching and self.txn.teaching.note:
            self.c.print(f"[bold]Teaching note:[/] {escape(self.txn.teaching.note)}")
        review = [s.title for s in self.steps if s.scored and (s.id not in answers or not answers[s.id].correct)]
        self.c.print(f"[bold]Score: {score} of {total}[/]")
        if review:
            self.c.print("To review: " + "; ".join(dict.fromkeys(review)))
        else:
            self.c.print("Every step right.")


def _scripted(path: Path, console: Console) -> Callable[[str], str | None]:
    """Answers replayed from a YAML/JSON list, echoed as a transcript."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        fail_input(InputError.one(str(path), f"Cannot read the answers: {exc}.", "Write a YAML list of answers."))
    if isinstance(data, dict):
        data = data.get("answers")
    if not isinstance(data, list):
        fail_input(
            InputError.one(
                str(path),
                "The answers file must be a list (or have 'answers:' with a list).",
                "Write one answer per line: '- 2', '- yes', '- h' for a hint ...",
            )
        )
    queue = [str(a) for a in data]

    def ask(prompt: str) -> str | None:
        if not queue:
            console.print(escape(f"{prompt}: (no more scripted answers)"))
            return None
        answer = queue.pop(0)
        console.print(escape(f"{prompt}: {answer}"))
        return answer

    return ask


def _interactive(console: Console) -> Callable[[str], str | None]:
    def ask(prompt: str) -> str | None:
        try:
            return console.input(f"[bold]{prompt}[/]: ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return None

    return ask


def requiring_regimes(evaluator: Evaluator) -> set[str]:
    """Regimes with a rule that can require something (stronger than a licence exception)."""
    floor = Outcome.LICENSE_EXCEPTION.strength
    return {c.regime for c in evaluator.compiled if c.rule.outcome is not None and c.rule.outcome.strength > floor}


def walk_case(path: Path, trainee: str, db: Path | None, answers: Path | None, evaluator: Evaluator) -> bool:
    console = _console()
    try:
        txn = load_transaction(path)
    except InputError as err:
        fail_input(err)
    result = evaluator.evaluate(txn, file=str(path))
    steps = build_steps(txn, result, requiring_regimes(evaluator))
    progress = _progress(db)
    attempt = progress.open_attempt(trainee, txn.id, _topic(txn), txn.difficulty or "", max_score(steps))
    console.print(
        f"[bold]{escape(txn.id)}[/] — {escape(txn.title)} "
        f"[dim]({txn.difficulty or 'no difficulty'}; trainee {escape(trainee)})[/]"
    )
    ask = _scripted(answers, console) if answers else _interactive(console)
    return Walk(console, txn, steps, result, progress, attempt, ask, interactive=answers is None).run()


@cli.command("walk")
@click.argument("case")
@trainee_option
@db_option
@click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replay scripted answers (a YAML list) and print the transcript and score.",
)
def walk(case, trainee, db, answers) -> None:
    """Walk through CASE (a built-in case name or a file) step by step, with feedback."""
    try:
        path = resolve_case(case)
    except InputError as err:
        fail_input(err)
    walk_case(path, trainee, db, answers, make_evaluator(load_ruleset(None), "durable"))


@cli.command("train")
@trainee_option
@db_option
def train(trainee, db) -> None:
    """The case library by difficulty and topic with your status on each, then the next case."""
    console = _console()
    progress = _progress(db)
    status = progress.status(trainee)
    cases = builtin_cases()
    for level in DIFFICULTIES:
        table = Table(title=f"{level} cases", title_justify="left")
        table.add_column("case", overflow="fold")
        table.add_column("topic")
        table.add_column("status")
        for p, t in (c for c in cases if c[1].difficulty == level):
            table.add_row(p.stem, _topic(t), status.get(t.id, "new"))
        console.print(table)
    order = [c for level in DIFFICULTIES for c in cases if c[1].difficulty == level]
    evaluator = None
    while True:
        nxt = _next_case(order, progress.status(trainee))
        if nxt is None:
            console.print("Every case mastered: walk any again with 'exportsim walk CASE'.")
            return
        console.print(f"Next: [bold]{escape(nxt[0].stem)}[/] — {escape(nxt[1].title)}")
        if not sys.stdin.isatty():
            console.print(f"Start it with: exportsim walk {nxt[0].stem}")
            return
        try:
            start = click.confirm("Start it now?", default=True)
        except click.Abort:
            return
        if not start:
            return
        evaluator = evaluator or make_evaluator(load_ruleset(None), "durable")
        if not walk_case(nxt[0], trainee, db, None, evaluator):
            return  # the trainee stopped in the middle: leave the library for now


def _next_case(order: list[tuple[Path, Transaction]], status: dict[str, str]) -> tuple[Path, Transaction] | None:
    """A case in progress first, then the first new case, then one not yet mastered; easiest first."""
    for wanted in ("in progress", None, "attempted"):
        found = next((c for c in order if status.get(c[1].id) == wanted), None)
        if found:
            return found
    return None


@cli.command("progress")
@click.option("--trainee", default=None, help="One trainee (default: everyone).")
@db_option
@format_option
@click.option("--reset", is_flag=True, help="Delete the progress (asks first).")
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
def progress_cmd(trainee, db, fmt, reset, yes) -> None:
    """Attempts, scores, time and per-topic mastery, as a table or --format json."""
    progress = _progress(db)
    if reset:
        who = f"trainee {trainee}" if trainee else "every trainee"
        n = len(progress.report(trainee)["attempts"])
        if not yes and not click.confirm(f"Delete {n} attempts of {who} in {progress.path}?", default=False):
            click.echo("Nothing deleted.")
            return
        click.echo(f"Deleted {progress.reset(trainee)} attempts.")
        return
    report = progress.report(trainee)
    if fmt == "json":
        import json

        click.echo(json.dumps(report, indent=2))
        return
    console = _console()
    table = Table(title="Attempts")
    for col in ("trainee", "case", "difficulty", "score", "minutes", "status"):
        table.add_column(col)
    for a in report["attempts"]:
        done = "finished" if a["finished"] else "in progress"
        table.add_row(
            a["trainee"],
            a["case_id"],
            a["difficulty"] or "",
            f"{a['score']}/{a['max_score']}",
            f"{a['seconds'] / 60:.1f}",
            done,
        )
    console.print(table)
    topics = Table(title="Mastery by topic (finished attempts)")
    for col in ("trainee", "topic", "mastery", "cases mastered"):
        topics.add_column(col)
    for t in report["topics"]:
        topics.add_row(t["trainee"], t["topic"] or "", f"{t['mastery']:.0%}", str(t["cases_mastered"]))
    console.print(topics)
