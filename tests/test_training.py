"""Trainee mode: step generation over every library case, scripted replays, progress, and the real
program driven in a pseudo-terminal (a whole case, quitting and resuming, bad input at prompts)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli
from exportsim.engine.core.evaluate import load_transaction
from exportsim.engine.training.session import requiring_regimes
from exportsim.engine.training.walkthrough import build_steps, max_score, parse_answer

EXE = str(Path(sys.executable).parent / "exportsim")
CASE = "el-huawei-ear99-2019"
run = CliRunner().invoke


@pytest.mark.parametrize("path", builtin_case_paths(), ids=[p.stem for p in builtin_case_paths()])
def test_every_case_is_walkable_and_its_answers_are_the_expected_ones(path, durable):
    txn = load_transaction(path)
    steps = build_steps(txn, durable.evaluate(txn), requiring_regimes(durable))
    assert steps[0].id == "read" and steps[-1].id == "overall"
    assert len({s.id for s in steps}) == len(steps)
    for s in steps:
        if s.scored:
            assert s.answer and set(s.answer) <= set(s.options), s.id
            assert parse_answer(s, ",".join(str(s.options.index(a) + 1) for a in s.answer)) == sorted(s.answer)
    assert steps[-1].answer == [txn.expected.outcome]
    for name, exp in txn.expected.regimes.items():
        step = next((s for s in steps if s.id == f"regime:{name}"), None)
        if exp.outcome != "no_license_required" and step is not None:
            assert step.answer == [exp.outcome]


def _right_answers(case: str, durable) -> list[str]:
    txn = load_transaction(next(p for p in builtin_case_paths() if p.stem == case))
    steps = build_steps(txn, durable.evaluate(txn), requiring_regimes(durable))
    return [",".join(str(s.options.index(a) + 1) for a in s.answer) for s in steps if s.scored], steps


def test_scripted_replay_scores_and_saves(tmp_path, durable):
    answers, steps = _right_answers(CASE, durable)
    script = tmp_path / "answers.yaml"
    script.write_text(json.dumps(answers))
    db = tmp_path / "p.sqlite"
    out = run(cli, ["walk", CASE, "--answers", str(script), "--db", str(db), "--trainee", "ann"])
    assert out.exit_code == 0, out.output
    assert f"Score: {max_score(steps)} of {max_score(steps)}" in out.output
    assert "Every step right." in out.output
    report = json.loads(run(cli, ["progress", "--db", str(db), "--format", "json"]).output)
    (attempt,) = report["attempts"]
    assert attempt["trainee"] == "ann" and attempt["finished"] and attempt["score"] == max_score(steps)
    assert report["topics"][0]["cases_mastered"] == 1


def test_hints_cost_points_and_wrong_answers_are_explained(tmp_path, durable):
    answers, steps = _right_answers(CASE, durable)
    wrong_last = str(len(steps[-1].options) - steps[-1].options.index(steps[-1].answer[0]))  # another option
    script = tmp_path / "a.yaml"
    script.write_text(json.dumps(["h", answers[0], *answers[1:-1], wrong_last]))
    out = run(cli, ["walk", CASE, "--answers", str(script), "--db", str(tmp_path / "p.sqlite")])
    assert "Hint (costs 3 points)" in out.output and "+7" in out.output
    assert "Not quite." in out.output and "To review: Overall outcome" in out.output
    assert f"Score: {max_score(steps) - 3 - 10} of" in out.output


def test_authored_questions_and_notes_are_shown(tmp_path, durable):
    src = next(p for p in builtin_case_paths() if p.stem == CASE)
    case = tmp_path / "case.yaml"
    case.write_text(
        src.read_text()
        + (
            "teaching:\n  note: Listing dates matter.\n  mistakes: [Thinking EAR99 never needs a licence.]\n"
            "  questions:\n    - {after: lists, prompt: 'Which FR notice listed Huawei?',"
            " options: [84 FR 22961, 85 FR 51596], answer: 84 FR 22961, explanation: The May 2019 rule.}\n"
        )
    )
    answers, _ = _right_answers(CASE, durable)
    script = tmp_path / "a.yaml"
    lists_at = 2  # parties, subject to EAR, lists: the authored question comes after the third answer
    script.write_text(json.dumps([*answers[: lists_at + 1], "84 FR 22961", *answers[lists_at + 1 :]]))
    out = run(cli, ["walk", str(case), "--answers", str(script), "--db", str(tmp_path / "p.sqlite")])
    assert "A question from your trainer" in out.output and "The May 2019 rule." in out.output
    assert "Common mistake: Thinking EAR99" in out.output and "Teaching note: Listing dates matter." in out.output
    assert "Every step right." in out.output


def test_bad_authored_answer_is_located(tmp_path):
    case = tmp_path / "c.yaml"
    case.write_text(
        "id: c\nkind: export\norigin: US\ndestination: DE\nteaching:\n  questions:\n"
        "    - {prompt: Q, options: [a, b], answer: c}\n"
    )
    out = run(cli, ["case", "check", str(case)])
    assert out.exit_code == 2 and "c.yaml:7" in out.output and "not one of the options" in out.output


def test_progress_reset_asks_first(tmp_path, durable):
    db = tmp_path / "p.sqlite"
    answers, _ = _right_answers(CASE, durable)
    script = tmp_path / "a.yaml"
    script.write_text(json.dumps(answers))
    run(cli, ["walk", CASE, "--answers", str(script), "--db", str(db)])
    kept = run(cli, ["progress", "--db", str(db), "--reset"], input="n\n")
    assert "Nothing deleted." in kept.output
    gone = run(cli, ["progress", "--db", str(db), "--reset"], input="y\n")
    assert "Deleted 1 attempts." in gone.output


# -- the real program in a pseudo-terminal --------------------------------------------------


def spawn(args: list[str], db: Path) -> pexpect.spawn:
    env = dict(os.environ, EXPORTSIM_PROGRESS_DB=str(db), NO_COLOR="1", COLUMNS="80", EXPORTSIM_TRAINEE="pty")
    return pexpect.spawn(EXE, args, env=env, encoding="utf-8", timeout=60, dimensions=(40, 80))


def answer_all(child: pexpect.spawn, answers: list[str]) -> None:
    """Press Enter at reading steps and give each answer at the questions, checking each is right."""
    queue = list(answers)
    while queue:
        if child.expect(["Press Enter to continue", "Answer"]) == 0:
            child.sendline("")
            continue
        child.sendline(queue.pop(0))
        child.expect(r"Right \(\+10\)")


def test_whole_case_in_a_terminal(tmp_path, durable):
    answers, steps = _right_answers(CASE, durable)
    child = spawn(["walk", CASE], tmp_path / "p.sqlite")
    answer_all(child, answers)
    child.expect(f"Score: {max_score(steps)} of {max_score(steps)}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_quit_in_the_middle_and_resume(tmp_path, durable):
    answers, steps = _right_answers(CASE, durable)
    db = tmp_path / "p.sqlite"
    child = spawn(["walk", CASE], db)
    child.expect("Press Enter")
    child.sendline("")
    child.expect("Answer")
    child.sendline(answers[0])
    child.expect("Answer")
    child.sendcontrol("c")  # Ctrl-C in the middle of the second question
    child.expect("answers are saved")
    child.expect(pexpect.EOF)
    child = spawn(["walk", CASE], db)
    child.expect("Resuming")
    child.expect("1 answers already given")
    answer_all(child, answers[1:])
    child.expect(f"Score: {max_score(steps)} of {max_score(steps)}")
    child.expect(pexpect.EOF)


def test_odd_input_at_the_prompts(tmp_path, durable):
    answers, _ = _right_answers(CASE, durable)
    child = spawn(["walk", CASE], tmp_path / "p.sqlite")
    child.expect("Press Enter")
    child.sendline("")
    child.expect("Answer")
    child.sendline("")  # an empty line re-asks
    child.expect("Answer")
    child.sendline("banana")  # not an option
    child.expect("is not one of the options")
    child.sendline("99")  # out of range
    child.expect("is not one of the options")
    child.sendline(answers[0])
    child.expect("Right")
    child.expect("Answer")
    child.sendeof()  # EOF at a prompt: stop cleanly, keep the answers
    child.expect("answers are saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_train_lists_the_library_and_starts_the_next_case(tmp_path):
    child = spawn(["train"], tmp_path / "p.sqlite")
    child.expect("intro cases")
    child.expect("Next: ")
    child.expect(r"Start it now\?")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_brackets_in_case_text_are_shown_not_parsed_as_markup(tmp_path):
    """Rich markup in user text ("[/]") would raise inside rich; it must print as written."""
    case = tmp_path / "brk.yaml"
    case.write_text(
        "id: brk\ntitle: 'Odd [/] title'\nnarrative: 'See [/] and [U].'\ndifficulty: intro\ndate: '2025-01-02'\n"
        "kind: export\norigin: US\ndestination: DE\n"
        "parties: [{name: 'Acme [/] GmbH', roles: [end_user], country: DE},"
        " {name: S, roles: [exporter], country: US}]\n"
        "items: [{description: 'widgets [/]', eccn: EAR99, us_origin: true}]\nexpected: {outcome: license_required}\n"
    )
    script = tmp_path / "a.yaml"
    script.write_text("[q]")
    out = run(cli, ["walk", str(case), "--answers", str(script), "--db", str(tmp_path / "p.sqlite")])
    assert out.exit_code == 0, out.output
    assert "Odd [/] title" in out.output and "Acme [/] GmbH" in out.output
    tested = run(cli, ["test", str(case)])
    assert tested.exit_code == 1 and "FAILED" in tested.output


def test_status_and_the_next_recommended_case(tmp_path, durable):
    from exportsim.engine.training.library import next_case as _next_case
    from exportsim.engine.training.progress import Progress

    progress = Progress(tmp_path / "p.sqlite")
    order = [(p, load_transaction(p)) for p in builtin_case_paths()[:3]]
    a, b, _c = (t.id for _, t in order)
    assert _next_case(order, progress.status("t"))[1].id == a  # nothing yet: the first new case
    done = progress.open_attempt("t", a, "x", "intro", 10)
    progress.record(done, "s", ["1"], True, False, 10, 1.0)
    progress.finish(done)
    low = progress.open_attempt("t", b, "x", "intro", 10)
    progress.finish(low)  # finished with 0 of 10: attempted, not mastered
    assert progress.status("t") == {a: "mastered", b: "attempted"}
    assert _next_case(order, progress.status("t"))[1].id == order[2][1].id  # new before a retry
    progress.open_attempt("t", b, "x", "intro", 10)  # a new, unfinished attempt at b
    assert progress.status("t")[b] == "in progress"
    assert _next_case(order, progress.status("t"))[1].id == b  # carry on what was started


def test_a_case_whose_facts_do_not_decide_asks_what_is_missing(durable):
    """Trainee mode: the missing facts become a question ("what would you need to know?"), scored
    against the facts the result names, with decoys that decide nothing; the outcome steps expect
    insufficient_facts."""
    path = next(p for p in builtin_case_paths() if p.stem == "ear-us-content-missing-to-huawei")
    txn = load_transaction(path)
    result = durable.evaluate(txn)
    steps = build_steps(txn, result, requiring_regimes(durable))
    step = next(s for s in steps if s.id == "missing")
    assert step.kind == "multi" and len(step.options) > len(step.answer) >= 1
    assert set(step.answer) == {m["question"] for m in result["missing_facts"]}
    assert any("US-origin controlled content" in q for q in step.answer)
    assert all("under" in line for line in step.explanation)
    assert steps[-1].answer == ["insufficient_facts"]
    assert [s.id for s in steps].index("missing") < [s.id for s in steps].index("regimes")
