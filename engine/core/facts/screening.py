"""Screening names against list entries: three bands (match, possible match, no match).

`ListIndex` is built once per rule set (every name, strong alias and weak alias of every entry,
in every written form, under blocking keys) and queried per party. A result records the entry,
the name or alias that matched, both normalised forms, the score and the evidence, for the
trace. Thresholds are dated parameters in the rules (`screening.match_threshold`,
`screening.review_threshold`); see engine/core/facts/matching.py for how a score is made.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from exportsim.engine.core.facts.matching import COUNTRY_PENALTY, NameIndex, compare, normalise, query_forms
from exportsim.engine.core.ruleset.ruledefs import ListEntry

CACHE_SIZE = 8192
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


@dataclass(frozen=True)
class _Hit:
    """One comparison of a query form with a list name, before country and band."""

    owner: int  # index of the entry
    query: str
    written: str
    kind: str  # name, alias, weak alias
    normalised: str
    script: str
    listed: str
    raw: float
    partial: bool = False  # the query has distinctive words the listed name lacks


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
        # How a name compares with the list names depends on neither the day, nor the lists asked
        # about, nor the party's country: the comparisons are cached per name (and review floor)
        # and banded per question, so a name that recurs across a batch is compared once.
        self._cache: OrderedDict[tuple, list[_Hit]] = OrderedDict()

    def screen_cached(self, names: list[str], lists: frozenset[str], day: dt.date, **kw) -> list[Match]:
        """`screen_lists`, with the comparisons remembered for the last CACHE_SIZE distinct names."""
        review_at = kw.get("review_at", DEFAULT_REVIEW)
        key = (tuple(names), review_at)
        hits = self._cache.get(key)
        if hits is None:
            hits = self._cache[key] = self._compare(names, review_at)
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        if not hits and not kw.get("identifiers"):
            return []  # the common case in a batch: a name known to match nothing
        return self._filter(self._band(hits, **kw), lists, day)

    def screen(self, names: list[str], list_name: str, day: dt.date, **kw) -> list[Match]:
        """Every entry of `list_name` in force on `day` that reaches the review band, best first."""
        return self.screen_lists(names, frozenset({list_name}), day, **kw)

    def screen_lists(
        self,
        names: list[str],
        lists: frozenset[str],
        day: dt.date,
        *,
        extra_candidates: set[int] = frozenset(),  # type: ignore[assignment]
        fuzzy_keys: bool = True,
        **kw,
    ) -> list[Match]:
        """Every entry of the `lists` in force on `day` that reaches the review band, best first:
        the names are normalised and their candidates found once for all the lists."""
        hits = self._compare(names, kw.get("review_at", DEFAULT_REVIEW), extra_candidates, fuzzy_keys)
        return self._filter(self._band(hits, **kw), lists, day)

    @staticmethod
    def _filter(matches: list[Match], lists: frozenset[str], day: dt.date) -> list[Match]:
        return [m for m in matches if m.entry.list in lists and m.entry.window.contains(day)]

    def _compare(
        self,
        names: list[str],
        review_at: float,
        extra_candidates: set[int] = frozenset(),  # type: ignore[assignment]
        fuzzy_keys: bool = True,
        only_extra: bool = False,
    ) -> list[_Hit]:
        """Each comparison of a query form with a candidate list name that reaches `review_at`
        before any adjustment (adjustments only lower a score)."""
        hits = []
        for query in names:
            qforms = query_forms(query)
            found = extra_candidates if only_extra else self.names.candidates(qforms, fuzzy_keys) | extra_candidates
            for idx in found:
                owner, written, kind, lform = self.names.forms[idx]
                if kind == "acronym":  # initials of a listed name: the query must be exactly them
                    for qf in qforms:
                        if qf.compact == lform.text and qf.script != "han":
                            hits.append(_Hit(owner, query, written, kind, qf.text, qf.script, lform.text, 100.0))
                    continue
                for qf in qforms:
                    c = compare(qf, lform)
                    if c.score >= review_at:
                        hits.append(
                            _Hit(owner, query, written, kind, qf.text, qf.script, lform.text, c.score, c.partial)
                        )
        return hits

    def _band(
        self,
        hits: list[_Hit],
        *,
        country: str | None = None,
        identifiers: dict[str, str] | None = None,
        match_at: float = DEFAULT_MATCH,
        review_at: float = DEFAULT_REVIEW,
    ) -> list[Match]:
        """The best match per entry, whatever its list and dates, best first: identifiers match;
        a name compared is adjusted for the party's country and banded."""
        best: dict[int, Match] = {}
        for kind, value in (identifiers or {}).items():
            for n in self.identifiers.get(_identifier_key(kind, value), ()):
                e = self.entries[n]
                best[n] = Match(e, f"{kind} {value}", f"{kind} {value}", value, value, 100.0, "match", "identifier")
        for h in hits:
            entry = self.entries[h.owner]
            score, notes = h.raw, []
            if country and entry.country and country != entry.country:
                score -= COUNTRY_PENALTY
                notes.append(f"country {country} differs from the entry's {entry.country}: -{COUNTRY_PENALTY:g}")
            band: Band | None = "match" if score >= match_at else "review" if score >= review_at else None
            if band == "match" and h.kind == "weak alias":
                band = "review"
                notes.append("a weak alias alone is only a possible match")
            elif band == "match" and h.kind == "acronym":
                band = "review"
                notes.append("initials derived from the listed name are only a possible match")
            elif band == "match" and h.partial:
                band = "review"
                notes.append(
                    "the query has distinctive words the listed name lacks (a parent, subsidiary or namesake?): "
                    "only a possible match"
                )
            if band is None:
                continue
            script = "" if h.script in ("latin", "han") else f" in {h.script}"
            m = Match(
                entry,
                h.query,
                h.written,
                h.normalised,
                h.listed,
                round(score, 1),
                band,
                f"{h.kind}{script}",
                tuple(notes),
            )
            old = best.get(h.owner)
            if old is None or (m.band == "match", m.score) > (old.band == "match", old.score):
                best[h.owner] = m
        return sorted(best.values(), key=lambda m: (m.band != "match", -m.score, m.entry.id))


class BulkScreen:
    """Screen many names at once: rapidfuzz's `process.cdist` (token-sort ratio, computed as the
    plain ratio of pre-sorted token strings; one C++ call per chunk of queries, bounded memory)
    proposes the typo candidates that prefix and suffix keys find for single names, and the same
    explainable `compare` scores them, so a bulk screen gives what screening each name gives,
    and sometimes a candidate more (a name whose every word has a typo in its first and last
    three letters escapes the index, not the bulk pass)."""

    CANDIDATE_CUTOFF = 80  # token-sort ratio from which a pair is worth the aligner's time

    def __init__(self, index: ListIndex, list_name: str, day: dt.date) -> None:
        self.index = index
        keep = [
            n
            for n, (owner, _, kind, _) in enumerate(index.names.forms)
            if kind != "acronym"
            and index.entries[owner].list == list_name
            and index.entries[owner].window.contains(day)
        ]
        self.form_ids = keep
        # token_sort_ratio is the ratio of the sorted-token strings: sorted once, not per pair
        self.choices = [index.names.sorted_text[n] for n in keep]
        self.list_name = list_name
        self.day = day

    def screen(
        self, names: list[str], *, match_at: float = DEFAULT_MATCH, review_at: float = DEFAULT_REVIEW, chunk: int = 1000
    ) -> list[list[Match]]:
        import numpy as np
        from rapidfuzz import fuzz, process

        index, lists = self.index, frozenset({self.list_name})

        def banded(hits: list[_Hit]) -> list[Match]:
            return index._filter(index._band(hits, match_at=match_at, review_at=review_at), lists, self.day)

        out: list[list[Match]] = []
        for start in range(0, len(names), chunk):
            part = names[start : start + chunk]
            hits = [index._compare([name], review_at, fuzzy_keys=False) for name in part]
            results = [banded(h) for h in hits]
            # Names already matched through the index need no cdist pass; the others get one.
            todo = [i for i, r in enumerate(results) if not r or r[0].band != "match"]
            flat = [(i, f) for i in todo for f in query_forms(part[i]) if f.script != "han"]
            if flat:
                matrix = process.cdist(
                    [" ".join(sorted(f.tokens)) for _, f in flat],
                    self.choices,
                    scorer=fuzz.ratio,
                    score_cutoff=self.CANDIDATE_CUTOFF,
                    dtype=np.uint8,
                    workers=1,
                )
                extra: dict[int, set[int]] = {}
                for row, col in zip(*np.nonzero(matrix), strict=True):
                    extra.setdefault(flat[row][0], set()).add(self.form_ids[col])
                for i, found in extra.items():  # only the new candidates are compared
                    more = index._compare([part[i]], review_at, extra_candidates=found, only_extra=True)
                    results[i] = banded(hits[i] + more)
            out.extend(results)
        return out
