"""Screening names against list entries: three bands (match, possible match, no match).

`ListIndex` is built once per rule set (every name, strong alias and weak alias of every entry,
in every written form, under blocking keys) and queried per party. A result records the entry,
the name or alias that matched, both normalised forms, the score and the evidence, for the
trace. Thresholds are dated parameters in the rules (`screening.match_threshold`,
`screening.review_threshold`); see engine/matching.py for how a score is made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from .matching import COUNTRY_PENALTY, NameIndex, compare, forms, normalise
from .ruledefs import ListEntry

DEFAULT_MATCH = 90.0
DEFAULT_REVIEW = 75.0
Band = Literal["match", "review"]

__all__ = ["DEFAULT_MATCH", "DEFAULT_REVIEW", "ListIndex", "Match", "normalise"]


@dataclass(frozen=True)
class Match:
    entry: ListEntry
    query: str
    matched_name: str
    normalised: str  # the query, normalised
    matched_normalised: str  # the list name, normalised
    score: float
    band: Band
    evidence: str  # "name", "alias", "weak alias", "identifier", with the script compared
    adjustments: tuple[str, ...] = ()

    def describe(self) -> str:
        extra = f"; {'; '.join(self.adjustments)}" if self.adjustments else ""
        return (
            f"'{self.query}' ~ '{self.matched_name}' ({self.evidence}, score {self.score:.0f}; normalised "
            f"'{self.normalised}' ~ '{self.matched_normalised}'{extra})"
        )


def _identifier_key(kind: str, value: str) -> tuple[str, str]:
    return kind.strip().casefold(), "".join(ch for ch in value.casefold() if ch.isalnum())


class ListIndex:
    """An index of every entry's names, built once per rule set (or imported list store)."""

    def __init__(self, entries: list[ListEntry]) -> None:
        self.entries = entries
        self.names = NameIndex()
        self.identifiers: dict[tuple[str, str], list[int]] = {}
        for n, e in enumerate(entries):
            self.names.add(n, e.name, "name")
            for alias in e.aliases:
                self.names.add(n, alias, "alias")
            for alias in e.weak_aliases:
                self.names.add(n, alias, "weak alias")
            for kind, value in e.identifiers.items():
                self.identifiers.setdefault(_identifier_key(kind, value), []).append(n)

    def screen(
        self,
        names: list[str],
        list_name: str,
        day: dt.date,
        *,
        country: str | None = None,
        identifiers: dict[str, str] | None = None,
        match_at: float = DEFAULT_MATCH,
        review_at: float = DEFAULT_REVIEW,
    ) -> list[Match]:
        """Every entry of `list_name` in force on `day` that reaches the review band, best first."""
        best: dict[int, Match] = {}
        for kind, value in (identifiers or {}).items():
            for n in self.identifiers.get(_identifier_key(kind, value), ()):
                e = self.entries[n]
                if e.list == list_name and e.in_force(day):
                    best[n] = Match(e, f"{kind} {value}", f"{kind} {value}", value, value, 100.0, "match", "identifier")
        for query in names:
            qforms = forms(query)
            for idx in self.names.candidates(qforms):
                owner, written, kind, lform = self.names.forms[idx]
                entry = self.entries[owner]
                if entry.list != list_name or not entry.in_force(day):
                    continue
                for qf in qforms:
                    raw = compare(qf, lform).score
                    if raw < review_at:
                        continue
                    score, notes = raw, []
                    if country and entry.country and country != entry.country:
                        score -= COUNTRY_PENALTY
                        notes.append(
                            f"country {country} differs from the entry's {entry.country}: -{COUNTRY_PENALTY:g}"
                        )
                    band: Band | None = "match" if score >= match_at else "review" if score >= review_at else None
                    if band == "match" and kind == "weak alias":
                        band = "review"
                        notes.append("a weak alias alone is only a possible match")
                    if band is None:
                        continue
                    script = "" if qf.script in ("latin", "han") else f" in {qf.script}"
                    m = Match(
                        entry,
                        query,
                        written,
                        qf.text,
                        lform.text,
                        round(score, 1),
                        band,
                        f"{kind}{script}",
                        tuple(notes),
                    )
                    old = best.get(owner)
                    if old is None or (m.band == "match", m.score) > (old.band == "match", old.score):
                        best[owner] = m
        return sorted(best.values(), key=lambda m: (m.band != "match", -m.score, m.entry.id))

    def find(self, names: list[str], list_name: str, day: dt.date, **kw) -> Match | None:
        """The best match in the match band, if any."""
        hits = [m for m in self.screen(names, list_name, day, **kw) if m.band == "match"]
        return hits[0] if hits else None
