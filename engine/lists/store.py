"""A local store of imported lists (SQLite), keeping the history of every entry across imports.

Each import is recorded (format, file, SHA-256, publish and download dates, row counts). An entry
is identified by its source id (OFAC ent_num, CSL id). Re-importing a newer file of the same
family (the OFAC SDN files, or the Consolidated Screening List) adds new entries, supersedes
changed ones and marks vanished ones removed as of the new file's date, without deleting any
row: the record of what each earlier file said is kept. An import is one transaction, so a
malformed file changes nothing.

Default location: $EXPORTSIM_DATA_DIR, else $XDG_DATA_HOME/exportsim, else ~/.local/share/exportsim.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exportsim.engine.core.datadir import data_dir
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.ruledefs import Citation, ListEntry
from pydantic import ValidationError

SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY, family TEXT NOT NULL, format TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    published TEXT, downloaded TEXT, imported_at TEXT NOT NULL,
    rows INTEGER NOT NULL, added INTEGER NOT NULL, changed INTEGER NOT NULL, removed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    row_id INTEGER PRIMARY KEY, uid TEXT NOT NULL, family TEXT NOT NULL, list TEXT NOT NULL, name TEXT NOT NULL,
    data TEXT NOT NULL, import_id INTEGER NOT NULL REFERENCES imports(id),
    superseded_by INTEGER REFERENCES imports(id), removed_by INTEGER REFERENCES imports(id)
);
CREATE INDEX IF NOT EXISTS entries_current ON entries(uid) WHERE superseded_by IS NULL;
"""
FAMILY = {"sdn-csv": "ofac-sdn", "sdn-xml": "ofac-sdn", "csl-csv": "csl", "csl-json": "csl"}


def default_path() -> Path:
    return data_dir() / "lists.sqlite"


@dataclass(frozen=True)
class ImportReport:
    import_id: int
    rows: int
    added: int
    changed: int
    removed: int
    unchanged: int


class ListStore:
    def __init__(self, path: Path | None = None, create: bool = True) -> None:
        self.path = path or default_path()
        if not self.path.exists() and not create:
            raise InputError.one(
                str(self.path), "No list store here.", "Import a list first: exportsim lists import --format ... FILE."
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path)
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError.one(
                str(self.path),
                f"This is not an exportsim list store ({exc}).",
                "Give the path of a store made by 'exportsim lists import', or a new path.",
            ) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN")
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def import_entries(
        self, fmt: str, file: Path, entries: list[dict[str, Any]], published: str | None, downloaded: str | None
    ) -> ImportReport:
        family = FAMILY[fmt]
        digest = hashlib.sha256(
            file.read_bytes() if file.is_file() else b"".join(p.read_bytes() for p in sorted(file.glob("*.csv")))
        ).hexdigest()
        seen: set[str] = set()
        for e in entries:
            if e["uid"] in seen:
                raise InputError.one(str(file), f"Entry {e['uid']} appears twice.", "Use the file as published.")
            seen.add(e["uid"])
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO imports(family, format, file, sha256, published, downloaded, imported_at, rows, added, "
                "changed, removed) VALUES (?,?,?,?,?,?,?,?,0,0,0)",
                (family, fmt, str(file), digest, published, downloaded, now, len(entries)),
            )
            import_id = int(cur.lastrowid or 0)
            current = {
                uid: (row_id, data)
                for row_id, uid, data in db.execute(
                    "SELECT row_id, uid, data FROM entries "
                    "WHERE family=? AND superseded_by IS NULL AND removed_by IS NULL",
                    (family,),
                )
            }
            added = changed = unchanged = 0
            for e in entries:
                data = json.dumps(e, sort_keys=True, ensure_ascii=False)
                old = current.get(e["uid"])
                if old is not None and old[1] == data:
                    unchanged += 1
                    continue
                if old is not None:
                    db.execute("UPDATE entries SET superseded_by=? WHERE row_id=?", (import_id, old[0]))
                    changed += 1
                else:
                    added += 1
                db.execute(
                    "INSERT INTO entries(uid, family, list, name, data, import_id) VALUES (?,?,?,?,?,?)",
                    (e["uid"], family, e["list"], e["name"], data, import_id),
                )
            gone = [row_id for uid, (row_id, _) in current.items() if uid not in seen]
            db.executemany("UPDATE entries SET removed_by=? WHERE row_id=?", [(import_id, r) for r in gone])
            db.execute(
                "UPDATE imports SET added=?, changed=?, removed=? WHERE id=?", (added, changed, len(gone), import_id)
            )
        return ImportReport(import_id, len(entries), added, changed, len(gone), unchanged)

    def imports(self) -> list[dict[str, Any]]:
        cols = (
            "id",
            "family",
            "format",
            "file",
            "sha256",
            "published",
            "downloaded",
            "imported_at",
            "rows",
            "added",
            "changed",
            "removed",
        )
        rows = self.db.execute(f"SELECT {', '.join(cols)} FROM imports ORDER BY id").fetchall()
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT list, COUNT(*) FROM entries WHERE superseded_by IS NULL AND removed_by IS NULL GROUP BY list"
        ).fetchall()
        return dict(rows)

    def history(self, uid: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT import_id, superseded_by, removed_by, data FROM entries WHERE uid=? ORDER BY row_id", (uid,)
        ).fetchall()
        return [{"import": i, "superseded_by": s, "removed_by": r, **json.loads(d)} for i, s, r, d in rows]

    def entries(self) -> list[ListEntry]:
        """The latest state of every entry ever imported; an entry a later file dropped carries
        `removed` = the day before that file's date, so earlier transactions still match it."""
        dates = {i["id"]: (i["published"] or i["downloaded"] or i["imported_at"][:10]) for i in self.imports()}
        out = []
        for import_id, removed_by, data in self.db.execute(
            "SELECT import_id, removed_by, data FROM entries WHERE superseded_by IS NULL ORDER BY uid"
        ):
            e = json.loads(data)
            removed = None
            if removed_by is not None:
                removed = (dt.date.fromisoformat(dates[removed_by]) - dt.timedelta(days=1)).isoformat()
            try:
                out.append(
                    ListEntry(
                        id=e["id"],
                        list=e["list"],
                        name=e["name"],
                        aliases=e.get("aliases", []),
                        weak_aliases=e.get("weak_aliases", []),
                        identifiers=e.get("identifiers", {}),
                        country=e.get("country"),
                        added=e.get("added") or "1900-01-01",
                        removed=removed,
                        review_policy=e.get("review_policy"),
                        license_requirement=e.get("license_requirement"),
                        programs=e.get("programs", []),
                        citation=Citation(
                            instrument={"entity_list": "Entity List", "sdn": "SDN List"}.get(
                                e["list"], e["list"].upper()
                            ),
                            reference=e.get("citation_reference") or f"imported list, {dates[import_id]}",
                            source=f"exportsim list store {self.path.name}, import {import_id}",
                        ),
                    )
                )
            except ValidationError as exc:
                raise InputError.one(
                    str(self.path), f"Stored entry {e.get('uid')} is not usable: {exc}.", "Re-import the list."
                ) from None
        return out


def with_store_entries(rules: RuleSet, base: RuleSet, store_path: Path) -> RuleSet:
    """`rules` with the list entries of its rule files replaced by the store's; entries a
    variant added (present in `rules`, absent from `base`) are kept."""
    added_by_variants = {k: v for k, v in rules.entries.items() if k not in base.entries}
    stored = {e.id: e for e in ListStore(store_path, create=False).entries()}
    return dataclasses.replace(rules, entries={**stored, **added_by_variants})
