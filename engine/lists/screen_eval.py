"""Measure screening on a labelled set of name pairs: precision, recall, band errors, per category.

A pair is a query (with an optional country and identifiers), the entry it must be matched to
(or null: it must not match), and optionally the band it must land in. The screen's answer is
its best hit across the lists, in either band (an alert). Counting:
- true positive: the alert names the expected entry (and, when a band is labelled, lands in it);
- false positive: an alert for a pair that expects none, or that names another entry;
- false negative: no alert, or the wrong entry, for a pair that expects one.
A false positive is hard when the alert is in the match band (the party would be treated as
listed, or as the wrong listed party) and soft when it is a possible match for review.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from exportsim.engine.core.errors import InputError
from exportsim.engine.core.facts.screening import DEFAULT_MATCH, DEFAULT_REVIEW, ListIndex, Match
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.ruledefs import RuleFile
from exportsim.engine.core.transaction.source import load_file
from exportsim.engine.core.transaction.validation import validate
from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pair(_Strict):
    query: str = Field(min_length=1)
    country: str | None = None
    identifiers: dict[str, str] = {}
    expect: str | None
    band: Literal["match", "review"] | None = None
    category: str = "uncategorised"
    source: str | None = Field(default=None, description="Where the query comes from: a name, alias, variant, trap.")


class PairSet(_Strict):
    entries: str | None = Field(default=None, description="A file of list entries, relative to this file.")
    date: dt.date = Field(default_factory=dt.date.today)
    thresholds: dict[Literal["match", "review"], float] = {}
    pairs: list[Pair] = Field(min_length=1)


@dataclass
class PairResult:
    pair: Pair
    hit: Match | None
    verdict: Literal["tp", "fp", "fn", "tn"]


def load_set(path: Path, rules: RuleSet) -> tuple[PairSet, ListIndex, float, float]:
    data, lines = load_file(path)
    pairs = validate(PairSet, data, str(path), lines)
    if pairs.entries:
        epath = (path.parent / pairs.entries).resolve()
        edata, elines = load_file(epath)
        entries = validate(RuleFile, edata, str(epath), elines).entries
        if not entries:
            raise InputError.one(str(epath), "The entries file lists no entries.", "Add 'entries:'.")
    else:
        entries = list(rules.entries.values())
    match_at, review_at = thresholds(rules, pairs.date)
    return pairs, ListIndex(entries), pairs.thresholds.get("match", match_at), pairs.thresholds.get("review", review_at)


def thresholds(rules: RuleSet, day: dt.date) -> tuple[float, float]:
    """The match and review thresholds in force on `day` (the defaults if the rules lack them)."""

    def value(pid: str | None, default: float) -> float:
        p = rules.parameters.get(pid) if pid else None
        v = p.value_on(day) if p else None
        return float(v.value) if v else default

    bands = rules.screening  # `screening:` in the rule files names the parameters
    return (
        value(bands.match_threshold if bands else None, DEFAULT_MATCH),
        value(bands.review_threshold if bands else None, DEFAULT_REVIEW),
    )


def best_hit(index: ListIndex, pair: Pair, day: dt.date, match_at: float, review_at: float) -> Match | None:
    hits = index.screen_lists(
        [pair.query],
        frozenset(e.list for e in index.entries),
        day,
        country=pair.country,
        identifiers=pair.identifiers,
        match_at=match_at,
        review_at=review_at,
    )
    return hits[0] if hits else None


def judge(pair: Pair, hit: Match | None) -> Literal["tp", "fp", "fn", "tn"]:
    if pair.expect is None:
        return "tn" if hit is None else "fp"
    if hit is not None and hit.entry.id == pair.expect and (pair.band is None or hit.band == pair.band):
        return "tp"
    return "fn" if hit is None or hit.entry.id == pair.expect else "fp"


def evaluate(pairs: PairSet, index: ListIndex, match_at: float, review_at: float) -> dict[str, Any]:
    results = [
        PairResult(p, hit := best_hit(index, p, pairs.date, match_at, review_at), judge(p, hit)) for p in pairs.pairs
    ]
    counts = Counter(r.verdict for r in results)
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    per_category: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        per_category[r.pair.category][r.verdict] += 1
        if r.verdict == "fp" and r.hit is not None:
            per_category[r.pair.category]["fp_hard" if r.hit.band == "match" else "fp_soft"] += 1
    hard = sum(c["fp_hard"] for c in per_category.values())
    traps_in_match_band = [r for r in results if r.pair.expect is None and r.hit and r.hit.band == "match"]
    return {
        "pairs": len(results),
        "thresholds": {"match": match_at, "review": review_at},
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "counts": dict(counts),
        "traps_in_match_band": len(traps_in_match_band),
        "false_positives": {"hard": hard, "soft": counts["fp"] - hard},
        "per_category": {c: dict(v) for c, v in sorted(per_category.items())},
        "errors": [
            {
                "query": r.pair.query,
                "category": r.pair.category,
                "expected": r.pair.expect,
                "expected_band": r.pair.band,
                "got": r.hit.entry.id if r.hit else None,
                "band": r.hit.band if r.hit else None,
                "score": r.hit.score if r.hit else None,
                "why": r.hit.describe() if r.hit else "no candidate reached the review band",
            }
            for r in results
            if r.verdict in ("fp", "fn")
        ],
    }
