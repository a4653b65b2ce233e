"""The engine APIs the CLI calls, tested without click: the walk-through session, the case
expectation checks and the batch resume policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from exportsim.engine.batch.resume import prepare_output
from exportsim.engine.batch.runner import BatchConfig, manifest_path
from exportsim.engine.core.errors import InputError
from exportsim.engine.suites.case_check import check_expectation
from exportsim.engine.suites.suite import load_cases
from exportsim.engine.training.library import course_order, next_case
from exportsim.engine.training.progress import Progress
from exportsim.engine.training.session import load_answers, start_walk
from exportsim.engine.training.walkthrough import HINT_COST, POINTS, max_score

CASES = Path(__file__).resolve().parent.parent / "cases"
CASE = CASES / "el-huawei-ear99-2019.yaml"


def right(step) -> str:
    return ",".join(str(step.options.index(a) + 1) for a in step.answer)


def walk_through(walk, replies):
    """Feed replies (info steps get an empty reply); the events, until done or the replies end."""
    events, replies = [], list(replies)
    while not walk.done:
        reply = "" if not walk.step.scored else (replies.pop(0) if replies else None)
        events.append(walk.handle(reply))
        if events[-1].kind == "quit":
            break
    return events


@pytest.fixture()
def progress(tmp_path):
    return Progress(tmp_path / "p.sqlite")


def test_a_walk_answered_right_scores_full_marks(progress, durable):
    walk = start_walk(CASE, "ann", progress, durable)
    answers = [right(s) for s in walk.steps if s.scored]
    events = walk_through(walk, answers)
    assert [e.kind for e in events if e.kind == "answered"] == ["answered"] * len(answers)
    assert all(e.right and e.points == POINTS for e in events if e.kind == "answered")
    summary = walk.finish()
    assert summary.score == summary.total == max_score(walk.steps) and summary.review == []
    assert progress.status("ann")[walk.txn.id] == "mastered"


def test_hint_invalid_skip_and_back(progress, durable):
    walk = start_walk(CASE, "bob", progress, durable)
    walk_through(walk, [])  # up to the first question, then end of input: quit
    first = walk.step
    assert first.scored
    hint = walk.handle("h")
    assert hint.kind == "hint" and hint.points == HINT_COST and hint.text and not hint.moves
    assert walk.handle("").kind == "wait"
    bad = walk.handle("no such option")
    assert bad.kind == "invalid" and walk.step is first
    done = walk.handle(right(first))
    assert done.kind == "answered" and done.right and done.points == POINTS - HINT_COST
    while not walk.step.scored:
        walk.handle("")
    second = walk.step
    assert walk.handle("s").points == 0  # skipped: recorded as not right
    assert second.id in progress.answers(walk.attempt)
    back = walk.handle("b")
    assert back.kind == "back" and walk.step is second  # back to the skipped question, its answer forgotten
    assert second.id not in progress.answers(walk.attempt)


def test_quitting_keeps_the_answers_and_the_next_session_resumes(progress, durable):
    walk = start_walk(CASE, "cy", progress, durable)
    answers = [right(s) for s in walk.steps if s.scored]
    walk_through(walk, answers[:2])
    assert walk.handle(None).kind == "quit"
    again = start_walk(CASE, "cy", progress, durable)
    assert again.attempt == walk.attempt and again.resumed == 2
    assert again.step.id == [s for s in again.steps if s.scored][2].id
    walk_through(again, answers[2:])
    assert again.finish().score == max_score(again.steps)


def test_answers_files(tmp_path):
    good = tmp_path / "a.yaml"
    good.write_text("answers: [1, 'h', yes]\n")
    assert load_answers(good) == ["1", "h", "True"]
    bad = tmp_path / "b.yaml"
    bad.write_text("just text\n")
    with pytest.raises(InputError, match="must be a list"):
        load_answers(bad)


def test_next_case_in_course_order(progress):
    cases, _ = load_cases(sorted(CASES.glob("*.yaml")))
    order = course_order([(c.path, c.txn) for c in cases])
    assert [t.difficulty for _, t in order] == sorted(
        (t.difficulty for _, t in order), key=("intro", "intermediate", "advanced").index
    )
    assert next_case(order, {})[1].id == order[0][1].id
    assert next_case(order, {t.id: "mastered" for _, t in order}) is None


def test_case_check_names_unknown_regimes_and_rules_at_their_lines(tmp_path, ruleset):
    case = tmp_path / "c.yaml"
    case.write_text(CASE.read_text())
    (sound,), problems = load_cases([case])
    assert problems == [] and check_expectation(sound, ruleset) == []
    text = CASE.read_text().replace("ofac_sdn: {outcome: no_license_required}", "no_such: {outcome: prohibited}")
    text = text.replace("rules: [el.license_required]", "rules: [el.no_such_rule]")
    case.write_text(text)
    (broken,), _ = load_cases([case])
    found = check_expectation(broken, ruleset)
    lines = text.splitlines()
    by_message = {p.message: p.line for p in found}
    regime = next(m for m in by_message if "'no_such'" in m)
    rule = next(m for m in by_message if "'el.no_such_rule'" in m)
    assert "no_such" in lines[by_message[regime] - 1] and "el.no_such_rule" in lines[by_message[rule] - 1]
    assert any("weaker than a regime" in m for m in by_message)  # prohibited expected of a regime


def test_resume_policy(tmp_path):
    out = tmp_path / "res.jsonl"
    config = BatchConfig(engine="python")
    assert prepare_output(out, "in.jsonl", config, "abc", force=False) == 0
    assert out.read_text() == "" and json.loads(manifest_path(out).read_text())["rules_digest"] == "abc"
    out.write_text('{"line": 1}\n{"line": 2}\n{"li')  # killed while writing line 3
    assert prepare_output(out, "in.jsonl", config, "abc", force=False) == 2
    assert out.read_text() == '{"line": 1}\n{"line": 2}\n'
    with pytest.raises(InputError, match="different batch") as err:
        prepare_output(out, "in.jsonl", config, "other digest", force=False)
    assert err.value.problems[0].file == str(out) and "--force" in err.value.problems[0].fix
    assert out.read_text() == '{"line": 1}\n{"line": 2}\n'  # left as it was
    stranger = tmp_path / "notes.txt"
    stranger.write_text("mine\n")
    with pytest.raises(InputError, match="not the output of an exportsim batch"):
        prepare_output(stranger, "in.jsonl", config, "abc", force=False)
    assert prepare_output(stranger, "in.jsonl", config, "abc", force=True) == 0 and stranger.read_text() == ""
