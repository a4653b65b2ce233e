"""Trainee mode: `exportsim train` (the library and the next case), `exportsim walk CASE` (one
guided walk-through), `exportsim progress` (scores and mastery). Exit codes: 0, 2 bad input.

The walk's moves (resume, hint, skip, back, quit, scoring) are engine/training/session.py; this
module shows the steps and reads the replies.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import Evaluator
from exportsim.engine.training.library import DIFFICULTIES, course_order, next_case
from exportsim.engine.training.progress import Progress
from exportsim.engine.training.session import Event, Walkthrough, load_answers, start_walk, topic
from exportsim.engine.training.walkthrough import Step
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .common import builtin_cases, fail_input, format_option, load_evaluator, resolve_case
from .render import result_tree

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


def _show_step(c: Console, step: Step, i: int, total: int) -> None:
    c.rule(f"{i + 1}/{total}  {step.title}", style="dim")
    if step.text:
        c.print(escape(step.text))
    if step.table:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold", no_wrap=False)
        table.add_column()
        for k, v in step.table:
            table.add_row(escape(k), escape(v))
        c.print(table)
    for n, option in enumerate(step.options if step.scored else [], start=1):
        c.print(f"  {n}. {escape(option.replace('_', ' '))}")


def _prompt(step: Step) -> str:
    if not step.scored:
        return "Press Enter to continue (b back, q quit)"
    several = " (several: 1,3)" if step.kind == "multi" else ""
    return f"Answer{several}; h hint, s skip, b back, q quit"


def _show_event(c: Console, event: Event) -> None:
    step = event.step
    if event.kind == "hint":
        c.print(f"[cyan]Hint (costs {event.points} points):[/] {escape(event.text)}")
    elif event.kind == "invalid" and step is not None:
        c.print(
            escape(
                f"'{event.text}' is not one of the options: answer with a number from 1 to {len(step.options)} "
                "or the option's text."
            )
        )
    elif event.kind == "answered" and step is not None:
        if event.right:
            c.print(f"[green]Right[/] (+{event.points}).")
        else:
            c.print(f"[red]Not quite.[/] The answer is: {escape(', '.join(a.replace('_', ' ') for a in step.answer))}.")
        for line in step.explanation:
            c.print(f"  {escape(line)}", soft_wrap=False)


def run_walk(c: Console, walk: Walkthrough, ask: Callable[[str], str | None], interactive: bool) -> bool:
    """True when the case was finished, False when the trainee quit (progress kept)."""
    if walk.resumed:
        c.print(f"[bold]Resuming[/] {escape(walk.txn.id)}: {walk.resumed} answers already given.")
    while not walk.done:
        step = walk.step
        _show_step(c, step, walk.index, len(walk.steps))
        while True:
            reply = "" if not step.scored and not interactive else ask(_prompt(step))
            event = walk.handle(reply)
            _show_event(c, event)
            if event.kind == "quit":
                c.print("Stopped. Your answers are saved; run the same command to carry on.")
                return False
            if event.moves:
                break
    summary = walk.finish()
    c.rule("The full explanation", style="dim")
    c.print(result_tree(walk.result, show_trace=True))
    if walk.txn.teaching and walk.txn.teaching.note:
        c.print(f"[bold]Teaching note:[/] {escape(walk.txn.teaching.note)}")
    c.print(f"[bold]Score: {summary.score} of {summary.total}[/]")
    c.print("To review: " + "; ".join(summary.review) if summary.review else "Every step right.")
    return True


def _scripted(path: Path, console: Console) -> Callable[[str], str | None]:
    """Answers replayed from a YAML/JSON list, echoed as a transcript."""
    try:
        queue = load_answers(path)
    except InputError as err:
        fail_input(err)

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


def walk_case(path: Path, trainee: str, db: Path | None, answers: Path | None, evaluator: Evaluator) -> bool:
    console = _console()
    ask = _scripted(answers, console) if answers else _interactive(console)
    try:
        walk = start_walk(path, trainee, _progress(db), evaluator)
    except InputError as err:
        fail_input(err)
    txn = walk.txn
    console.print(
        f"[bold]{escape(txn.id)}[/] — {escape(txn.title)} "
        f"[dim]({txn.difficulty or 'no difficulty'}; trainee {escape(trainee)})[/]"
    )
    return run_walk(console, walk, ask, interactive=answers is None)


@click.command("walk")
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
    walk_case(path, trainee, db, answers, load_evaluator(None))


@click.command("train")
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
            table.add_row(p.stem, topic(t), status.get(t.id, "new"))
        console.print(table)
    order = course_order(cases)
    evaluator = None
    while True:
        nxt = next_case(order, progress.status(trainee))
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
        evaluator = evaluator or load_evaluator(None)
        if not walk_case(nxt[0], trainee, db, None, evaluator):
            return  # the trainee stopped in the middle: leave the library for now


@click.command("progress")
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
