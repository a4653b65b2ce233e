"""Trainee progress in SQLite: attempts, every answer as it is given, scores, time, mastery.

Each answer is committed the moment it is given, so a crash or Ctrl-C loses nothing already
answered, and an unfinished attempt resumes at its first unanswered step. Several trainees share
one database (`trainee` on every row). Location: --db, else $EXPORTSIM_PROGRESS_DB, else
progress.sqlite in the data directory ($EXPORTSIM_DATA_DIR or ~/.local/share/exportsim).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportsim.engine.core.datadir import data_dir
from exportsim.engine.core.errors import InputError

MASTERY = 0.8  # share of the points that marks a case as mastered

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY, trainee TEXT NOT NULL, case_id TEXT NOT NULL, topic TEXT, difficulty TEXT,
    started TEXT NOT NULL, finished TEXT, score INTEGER NOT NULL DEFAULT 0, max_score INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id), step_id TEXT NOT NULL, answer TEXT NOT NULL,
    correct INTEGER NOT NULL, hint INTEGER NOT NULL, points INTEGER NOT NULL, seconds REAL NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (attempt_id, step_id)
);
"""


def default_path() -> Path:
    env = os.environ.get("EXPORTSIM_PROGRESS_DB")
    return Path(env) if env else data_dir() / "progress.sqlite"


@dataclass(frozen=True)
class Answered:
    step_id: str
    answer: list[str]
    correct: bool
    hint: bool
    points: int


class Progress:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as exc:
            raise InputError.one(
                str(self.path),
                f"Cannot use this progress database ({exc}).",
                "Give another path with --db or EXPORTSIM_PROGRESS_DB.",
            ) from None

    def _now(self) -> str:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def open_attempt(self, trainee: str, case_id: str, topic: str, difficulty: str, max_score: int) -> int:
        """The unfinished attempt at this case, or a new one."""
        row = self.db.execute(
            "SELECT id FROM attempts WHERE trainee=? AND case_id=? AND finished IS NULL ORDER BY id DESC LIMIT 1",
            (trainee, case_id),
        ).fetchone()
        if row:
            return int(row[0])
        with self.db:
            cur = self.db.execute(
                "INSERT INTO attempts(trainee, case_id, topic, difficulty, started, max_score) VALUES (?,?,?,?,?,?)",
                (trainee, case_id, topic, difficulty, self._now(), max_score),
            )
        return int(cur.lastrowid or 0)

    def answers(self, attempt: int) -> dict[str, Answered]:
        rows = self.db.execute(
            "SELECT step_id, answer, correct, hint, points FROM answers WHERE attempt_id=?", (attempt,)
        ).fetchall()
        return {r[0]: Answered(r[0], json.loads(r[1]), bool(r[2]), bool(r[3]), r[4]) for r in rows}

    def record(
        self, attempt: int, step_id: str, answer: list[str], correct: bool, hint: bool, points: int, seconds: float
    ) -> None:
        with self.db:  # committed at once: nothing answered is lost
            self.db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?)",
                (attempt, step_id, json.dumps(answer), int(correct), int(hint), points, seconds, self._now()),
            )
            self.db.execute(
                "UPDATE attempts SET score=(SELECT COALESCE(SUM(points),0) FROM answers WHERE attempt_id=?) WHERE id=?",
                (attempt, attempt),
            )

    def forget(self, attempt: int, step_id: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM answers WHERE attempt_id=? AND step_id=?", (attempt, step_id))

    def finish(self, attempt: int) -> None:
        with self.db:
            self.db.execute("UPDATE attempts SET finished=? WHERE id=?", (self._now(), attempt))

    def status(self, trainee: str) -> dict[str, str]:
        """Per case: mastered (a finished attempt at 80% or more), in progress (an unfinished
        attempt), attempted (finished below 80%), or absent (new)."""
        out: dict[str, str] = {}
        for case_id, score, max_score, finished in self.db.execute(
            "SELECT case_id, score, max_score, finished FROM attempts WHERE trainee=? ORDER BY id", (trainee,)
        ):
            if out.get(case_id) == "mastered":
                continue
            if finished is None:
                out[case_id] = "in progress"
            else:
                out[case_id] = "mastered" if max_score and score >= MASTERY * max_score else "attempted"
        return out

    def report(self, trainee: str | None = None) -> dict[str, Any]:
        where, args = ("WHERE trainee=?", (trainee,)) if trainee else ("", ())
        attempts = [
            dict(
                zip(
                    ("id", "trainee", "case_id", "topic", "difficulty", "started", "finished", "score", "max_score"),
                    row,
                    strict=True,
                )
            )
            for row in self.db.execute(
                f"SELECT id, trainee, case_id, topic, difficulty, started, finished, score, max_score FROM attempts "
                f"{where} ORDER BY id",
                args,
            )
        ]
        for a in attempts:
            a["seconds"] = self.db.execute(
                "SELECT COALESCE(SUM(seconds), 0) FROM answers WHERE attempt_id=?", (a["id"],)
            ).fetchone()[0]
        topics: dict[str, dict[str, Any]] = {}
        for a in attempts:
            if a["finished"] is None:
                continue
            t = topics.setdefault(
                f"{a['trainee']}|{a['topic']}",
                {"trainee": a["trainee"], "topic": a["topic"], "score": 0, "max_score": 0, "cases": set()},
            )
            t["score"] += a["score"]
            t["max_score"] += a["max_score"]
            if a["max_score"] and a["score"] >= MASTERY * a["max_score"]:
                t["cases"].add(a["case_id"])
        mastery = [
            {
                "trainee": t["trainee"],
                "topic": t["topic"],
                "mastery": round(t["score"] / t["max_score"], 3) if t["max_score"] else 0.0,
                "cases_mastered": len(t["cases"]),
            }
            for t in topics.values()
        ]
        return {"attempts": attempts, "topics": sorted(mastery, key=lambda m: (m["trainee"], m["topic"] or ""))}

    def reset(self, trainee: str | None = None) -> int:
        with self.db:
            ids = [
                r[0]
                for r in self.db.execute(
                    "SELECT id FROM attempts" + (" WHERE trainee=?" if trainee else ""), (trainee,) if trainee else ()
                )
            ]
            self.db.executemany("DELETE FROM answers WHERE attempt_id=?", [(i,) for i in ids])
            self.db.executemany("DELETE FROM attempts WHERE id=?", [(i,) for i in ids])
        return len(ids)
