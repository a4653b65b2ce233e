"""Matching party names against list entries.

This is deliberately the simple, explainable core: names and aliases on both sides are
normalised (Unicode NFKC, case, punctuation, legal-form words such as "Co., Ltd.") and compared
exactly. The match records which alias matched and both normalised forms for the trace.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .ruledefs import ListEntry

LEGAL_FORMS = {
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
    "gmbh", "ag", "sa", "sas", "bv", "nv", "oy", "ab", "jsc", "pjsc", "ooo", "pte", "pty", "kk",
}  # fmt: skip
HAN_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


@lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Casefolded words without punctuation or legal-form words (cached: the same names recur)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in HAN_LEGAL_FORMS:
        text = text.replace(form, " ")
    text = _PUNCT.sub(" ", text.replace("'", "").replace("’", ""))
    words = [w for w in text.split() if w not in LEGAL_FORMS]
    return " ".join(words)


@dataclass(frozen=True)
class Match:
    entry: ListEntry
    query: str
    matched_name: str
    normalised: str


class ListIndex:
    """An index of normalised names built once per rule set, queried per party."""

    def __init__(self, entries: list[ListEntry]) -> None:
        self._by_name: dict[str, list[tuple[ListEntry, str]]] = {}
        for entry in entries:
            for name in [entry.name, *entry.aliases]:
                key = normalise(name)
                if key:
                    self._by_name.setdefault(key, []).append((entry, name))

    def find(self, names: list[str], list_name: str, day: dt.date) -> Match | None:
        for query in names:
            key = normalise(query)
            for entry, matched in self._by_name.get(key, []):
                if entry.list == list_name and entry.in_force(day):
                    return Match(entry, query, matched, key)
        return None
