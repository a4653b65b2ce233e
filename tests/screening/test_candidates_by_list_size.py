"""Candidate search: recall of misspelled list names does not depend on the list's size.

The former stop-key rule (a key shared by more than max(100, forms // 200) forms was skipped)
made recall fall as the list grew (83% at 100,000 entries). Here the same 200 list names, each
with two letters swapped in its longest word, are screened name by name against lists of
1,000, 10,000 and 100,000 synthetic entries (seeded; company names of place, brand, trade word
and legal form, and person names from small given- and family-name lists, so that many words are
common, as in the real lists)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from exportsim.engine.core.facts.screening import ListIndex
from exportsim.engine.core.ruleset.ruledefs import Citation, ListEntry

SYLLABLES = [
    "an",
    "bo",
    "chen",
    "da",
    "fei",
    "gang",
    "hao",
    "jin",
    "kai",
    "long",
    "ming",
    "ning",
    "pei",
    "qiang",
    "rong",
    "shan",
    "tian",
    "wei",
    "xin",
    "yang",
    "zhi",
    "lu",
    "mei",
]
SYLLABLES += [
    "sun",
    "tek",
    "vo",
    "ra",
    "kor",
    "del",
    "mar",
    "tor",
    "vel",
    "zen",
    "lin",
    "po",
    "quo",
    "ser",
    "gal",
    "nik",
    "ost",
    "ural",
    "volk",
    "dar",
    "pars",
    "kav",
    "ard",
    "bel",
]
WORDS = [
    "Trading",
    "Logistics",
    "Electronics",
    "Shipping",
    "Marine",
    "Energy",
    "Precision",
    "Optics",
    "Robotics",
    "Devices",
]
PLACES = [
    "Shenzhen",
    "Dubai",
    "Moscow",
    "Tehran",
    "Minsk",
    "Istanbul",
    "Almaty",
    "Tashkent",
    "Yerevan",
    "Baku",
    "Singapore",
]
GIVEN = [
    "Ivan",
    "Sergei",
    "Olga",
    "Ali",
    "Reza",
    "Hassan",
    "Wei",
    "Jun",
    "Kim",
    "Omar",
    "Yusuf",
    "Elena",
    "Dmitri",
    "Farid",
    "Mehdi",
    "Anton",
]
FAMILY = [
    "Petrov",
    "Ivanov",
    "Smirnov",
    "Hosseini",
    "Rezaei",
    "Karimi",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Park",
    "Aliyev",
    "Kuznetsov",
]
FORMS = ["Co., Ltd.", "LLC", "Limited", "JSC", "FZE", "GmbH"]
DAY = dt.date(2026, 11, 24)
CITE = Citation(instrument="synthetic", source="test")


def _name(rng: random.Random, n: int) -> str:
    if n % 3:
        brand = "".join(rng.sample(SYLLABLES, 3)).capitalize()
        return f"{rng.choice(PLACES)} {brand} {rng.choice(WORDS)} {rng.choice(FORMS)}"
    return f"{rng.choice(GIVEN)} {rng.choice(GIVEN)} {rng.choice(FAMILY)}{rng.choice(('', 'ov', 'zadeh'))}"


def _swap(rng: random.Random, name: str) -> str:
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


@pytest.fixture(scope="module")
def names() -> list[str]:
    rng = random.Random(5)
    return [_name(rng, n) for n in range(100_000)]


@pytest.mark.parametrize("size", [1_000, 10_000, 100_000])
def test_misspelled_list_names_are_found_whatever_the_list_size(names, size):
    index = ListIndex(
        [
            ListEntry(id=f"sdn.s{n}", list="sdn", name=nm, added="2000-01-01", citation=CITE)
            for n, nm in enumerate(names[:size])
        ]
    )
    rng = random.Random(9)
    planted = range(0, 1_000, 5)
    found = sum(
        any(m.entry.id == f"sdn.s{n}" for m in index.screen([_swap(rng, names[n])], "sdn", DAY)) for n in planted
    )
    assert found >= 0.98 * len(planted), (size, found)
