"""Name matching for restricted-party screening: normalise, transliterate, find candidates, score.

The score (0-100) is a small explainable token aligner rather than a black box:
- both names are normalised (NFKC, case, punctuation; traditional characters folded to
  simplified with OpenCC; legal forms abbreviated or spelled out in English, pinyin, Russian
  transliteration, the major European forms and Chinese characters: name_tables.py);
  Cyrillic and other scripts are transliterated with anyascii, Chinese characters are also
  written in pinyin (by words, by syllables, joined) with pypinyin;
- a query is also screened without its noise (attention line, parenthetical, the parts between
  commas or dashes): `query_variants`;
- romanisations of one name are made equal (Mohammed/Muhammad, Usama/Osama, Qadhafi/Gaddafi);
- words split or joined at any boundary are rejoined; each query token is paired with the
  closest unused list token of the same sense (keji ~ technology) or within an edit budget
  (exact for 1-3 letters, one edit for 4-7, two from 8; two swapped letters cost 0.6 of a letter;
  digits must match exactly); generic words and place names ("technology", "keji", "sichuan")
  and Russian patronymics weigh 0.3, department and address words 0.1, other words 1;
- score = 100 x (matched weight x similarity) / (matched + unmatched query weight + 0.2 x
  unmatched list weight); a name matched only on generic words scores at most 50, and one
  missing more than a quarter of the listed name's weight at most 89; when the whole listed
  name is in a longer query with other distinctive words, the score is the listed name's
  coverage and the result is `partial` (at most a possible match: screening.py);
- names in Chinese characters are compared by their longest common run once generic words
  and place names are set aside: four characters or a whole name of three: 90; at least two
  characters and half the shorter name: 78; a name of generic words and places only matches
  itself;
- the best score over the entry's name and strong aliases counts; a weak alias or initials
  derived from a name never reach the match band alone; an identifier (LEI, registration
  number) in common is a match; a country that differs from the entry's costs 15 points.
Candidates come from a token index built once per list (whole and joined names, distinctive
words, words one edit away, Chinese bigrams, and where rare prefixes and suffixes), so
screening one name does not scan the list, and no key is skipped for being common.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from exportsim.engine.core.facts.name_tables import (
    ACRONYM_SPLITS,
    ATTENTION_OPENERS,
    GENERIC_WORDS,
    HAN_GENERIC,
    HAN_LEGAL_FORMS,
    HAN_PLACES,
    LEGAL_FORMS,
    LEGAL_PHRASES,
    NOISE_WORDS,
    PLACE_WORDS,
    SENSE,
)
from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

GENERIC = GENERIC_WORDS | PLACE_WORDS
# Romanisations of one name that lists and documents use interchangeably (a small table, not a
# transliterator: the lists already carry their own Latin spellings and aliases).
EQUIVALENT = {
    "mohammad": "muhammad",
    "mohammed": "muhammad",
    "mohamed": "muhammad",
    "mohamad": "muhammad",
    "muhammed": "muhammad",
    "mohd": "muhammad",
    "usama": "osama",
    "jawad": "javad",
    "qadhafi": "gaddafi",
    "qaddafi": "gaddafi",
    "kadhafi": "gaddafi",
    "abdul": "abd",
    "abdel": "abd",
    "husayn": "hussein",
    "hussain": "hussein",
    "husain": "hussein",
    "yusuf": "yousef",
    "yusef": "yousef",
    "ladin": "laden",
}
_PATRONYMIC = re.compile(r"^[a-z]+(ovich|evich|ovna|evna|ichna)$")
GENERIC_WEIGHT = 0.3
NOISE_WEIGHT = 0.1
UNMATCHED_LIST_WEIGHT = 0.2
SINGLE_WORD_UNMATCHED_WEIGHT = 0.5
# When the whole listed name is found in a longer query, the listed words the query lacks
# (generic ones only, by then) cost this much: the score says how much of the listed name is there.
COVERAGE_UNMATCHED_WEIGHT = 0.1
# A match needs this share of the listed name's weight; with less, the score stays below the
# match band (MISSING_LISTED_CAP): a party is not taken for a listed one on part of its name.
MIN_LISTED_SHARE = 0.75
MISSING_LISTED_CAP = 89.0
# Two swapped letters cost this share of a word's length (in a six-letter brand: 0.9); any
# other edit costs a whole letter's share.
TRANSPOSITION_COST = 0.6
COUNTRY_PENALTY = 15.0
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")
_HAN_OR_NOT = re.compile(r"[\u3400-\u9fff]+|[^\s\u3400-\u9fff]+")
_PHRASES = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in LEGAL_PHRASES) + r")\b")
_SENSE_WORDS = frozenset(SENSE) | frozenset(SENSE.values())
_HAN_WORDS = tuple(sorted(set(HAN_GENERIC) | set(HAN_PLACES), key=len, reverse=True))


@dataclass(frozen=True)
class NameForm:
    """One way of writing a name for comparison."""

    text: str  # normalised, space separated
    tokens: tuple[str, ...]
    script: str  # "latin", "transliterated", "pinyin", "han" or "acronym"
    compact: str = field(init=False, compare=False)  # the text without spaces
    longest: int = field(init=False, compare=False)  # the longest word's length

    def __post_init__(self) -> None:
        # set once here: plain attributes are read far more often than names are written
        object.__setattr__(self, "compact", self.text.replace(" ", ""))
        object.__setattr__(self, "longest", max((len(t) for t in self.tokens), default=0))


@lru_cache(maxsize=1)
def _to_simplified():
    """OpenCC's traditional-to-simplified converter (Apache-2.0; loaded on the first Chinese name)."""
    import opencc

    return opencc.OpenCC("t2s")


def fold_han(text: str) -> str:
    """Traditional characters folded to simplified ones (長 -> 长, 廈 -> 厦), so that legal forms,
    generic words and pinyin are read from one table, and pypinyin does not misread them."""
    return _to_simplified().convert(text) if _HAN.search(text) else text


@lru_cache(maxsize=16384)
def normalise(name: str) -> str:
    """Casefolded words without punctuation or legal forms (spelled out, abbreviated, in pinyin or
    in Chinese characters, simplified or traditional)."""
    text = fold_han(unicodedata.normalize("NFKC", name).casefold())
    for form in HAN_LEGAL_FORMS:
        text = text.replace(form, " ")
    text = text.replace("'", "").replace("’", "").replace(".", "")
    text = " ".join(_PUNCT.sub(" ", text).split())
    text = _PHRASES.sub(" ", text)
    return " ".join(EQUIVALENT.get(w, _singular(w)) for w in text.split() if w not in LEGAL_FORMS)


def _singular(word: str) -> str:
    """A light plural strip (technologies -> technology, systems -> system) for words of 5+
    letters, so that plurals, abbreviations and typos meet on one form; both sides get it."""
    if len(word) < 5 or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _pinyin_words(han: str) -> list[str]:
    """Chinese characters as pinyin words: known generic words and place names (科技 -> keji,
    上海 -> shanghai) are words of their own, the runs between them (the brand) one word each,
    so that 依图科技 reads "yitu keji" and meets the Latin brand "Yitu"."""
    from pypinyin import lazy_pinyin  # imported on first use: it loads large dictionaries

    out: list[str] = []
    run = ""
    i = 0
    while i < len(han):
        word = next((w for w in _HAN_WORDS if han.startswith(w, i)), None)
        if word is None:
            run += han[i]
            i += 1
            continue
        if run:
            out.append("".join(lazy_pinyin(run)))
            run = ""
        if len(word) > 1:  # 市 and 省 (city, province) are dropped
            out.append("".join(lazy_pinyin(word)))
        i += len(word)
    if run:
        out.append("".join(lazy_pinyin(run)))
    return [w for w in out if w.isascii() and w.strip()]


@lru_cache(maxsize=16384)
def forms(name: str) -> tuple[NameForm, ...]:
    """The name as written (normalised), transliterated, and for Chinese characters in pinyin:
    by words (brand and generic words apart), by syllables, and joined."""
    base = normalise(name)
    if not base:
        return ()
    out = [NameForm(base, tuple(base.split()), "latin")]
    if _HAN.search(base):
        from pypinyin import lazy_pinyin  # imported on first use: it loads large dictionaries

        han = "".join(_HAN.findall(base))
        out[0] = NameForm(base, tuple(base.split()), "han")
        words: list[str] = []
        for piece in _HAN_OR_NOT.findall(base):
            words.extend(_pinyin_words(piece) if _HAN.match(piece) else [piece])
        if words:
            out.append(NameForm(" ".join(words), tuple(words), "pinyin"))
        syllables = [s for s in lazy_pinyin(han) if s.strip()]
        out.append(NameForm(" ".join(syllables), tuple(syllables), "pinyin"))
        out.append(NameForm("".join(syllables), ("".join(syllables),), "pinyin"))
    elif not base.isascii():
        from anyascii import anyascii

        latin = normalise(anyascii(base))
        if latin and latin != base:
            out.append(NameForm(latin, tuple(latin.split()), "transliterated"))
    seen: set[str] = set()
    return tuple(f for f in out if not (f.text in seen or seen.add(f.text)))  # type: ignore[func-returns-value]


_OPENER = re.compile(r"^\s*(?:" + "|".join(re.escape(o) for o in ATTENTION_OPENERS) + r")[\s.:]*", re.IGNORECASE)
_NOISY = re.compile(r"[,;:()（）]| [-–—] |^\s*(?:attn|attention|c/o|care of)\b", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\([^)]*\)|（[^）]*）")
_SEPARATORS = re.compile(r"[,;:]| [-–—] ")


@lru_cache(maxsize=16384)
def query_variants(name: str) -> tuple[str, ...]:
    """A query as written and without its noise: an attention line ("Attn: Procurement, ..."),
    a parenthetical ("(Shenzhen office)"), and each part between commas, semicolons or dashes
    (a department before the name, an address after it). Only queries get variants: a listed
    name's parts are not names of the entry."""
    if not _NOISY.search(name):
        return (name,)
    out = [name]
    bare = _OPENER.sub("", name)
    for text in (bare, _PARENTHETICAL.sub(" ", bare)):
        out.append(text)
        parts = [p for p in _SEPARATORS.split(text) if any(ch.isalnum() for ch in p)]
        if len(parts) > 1:
            out.extend(parts[:8])
    seen: set[str] = set()
    return tuple(v.strip() for v in out if v.strip() and not (v.strip() in seen or seen.add(v.strip())))  # type: ignore[func-returns-value]


@lru_cache(maxsize=16384)
def query_forms(name: str) -> tuple[NameForm, ...]:
    """The forms of every variant of a query, each written form once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for variant in query_variants(name):
        for f in forms(variant):
            if (f.text, f.script) not in seen:
                seen.add((f.text, f.script))
                out.append(f)
    return tuple(out)


@lru_cache(maxsize=16384)
def acronym(name: str) -> str | None:
    """The initials of a name of three or more words (legal forms and "of", "and", "the"
    aside; North-Western counts as two): Northwestern Polytechnical University -> nwpu."""
    words: list[str] = []
    for w in normalise(name).split():
        words.extend(ACRONYM_SPLITS.get(w, (w,)))
    if len(words) < 3 or not all(w.isascii() and w[0].isalpha() for w in words):
        return None
    return "".join(w[0] for w in words)


@lru_cache(maxsize=16384)
def _weight(token: str) -> float:
    """Generic words, place names, patronymics and initials say little about who a party is;
    department, address and attention words even less."""
    if token in NOISE_WORDS:
        return NOISE_WEIGHT
    return GENERIC_WEIGHT if token in GENERIC or len(token) == 1 or _PATRONYMIC.match(token) else 1.0


@dataclass(frozen=True)
class Comparison:
    score: float
    pairs: tuple[tuple[str, str], ...]  # (query token, list token) paired
    # The whole listed name is in the query, which has distinctive words besides: a parent, a
    # subsidiary or a namesake may be meant, so this is at most a possible match.
    partial: bool = False


@lru_cache(maxsize=16384)
def _by_weight(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Distinctive and long words first: they claim their best partner before generic words do."""
    return tuple(sorted(tokens, key=lambda t: (-_weight(t), -len(t))))


def _rejoin(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """`a` with runs of two or three words joined where the joined word is a word of `b`
    ("hik vision" ~ "hikvision", "alfa bank" ~ "alfabank"): a split at any boundary."""
    if len(a) < 2:
        return a
    joined = "".join(a)
    wanted = {t for t in b if len(t) >= 4 and t in joined and t not in a}
    if not wanted:
        return a
    out: list[str] = []
    i = 0
    while i < len(a):
        for k in (3, 2):
            if i + k <= len(a) and "".join(a[i : i + k]) in wanted:
                out.append("".join(a[i : i + k]))
                i += k
                break
        else:
            out.append(a[i])
            i += 1
    return tuple(out)


def _swapped(a: str, b: str) -> bool:
    """Whether b is a with two neighbouring letters swapped."""
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def compare(q: NameForm, item: NameForm) -> Comparison:
    """How well one form of the query matches one form of a listed name (0-100)."""
    if q.text == item.text:
        return Comparison(100.0, tuple(zip(q.tokens, item.tokens, strict=False)))
    if q.script == "han" and item.script == "han":
        return _compare_han(q, item)
    if q.compact == item.compact and len(q.compact) >= 6:
        return Comparison(97.0, ((q.compact, item.compact),))
    if q.script == "pinyin" and item.script == "pinyin":
        # both read from characters: the characters were compared (by sound) already, and
        # syllables as words would make every shared generic word (科技: ke ji) distinctive
        return Comparison(0.0, ())
    # a joined word is longer than each of its parts: only then can words be rejoined
    q_tokens = _rejoin(q.tokens, item.tokens) if item.longest > q.longest and len(q.tokens) > 1 else q.tokens
    free = list(_rejoin(item.tokens, q_tokens) if q.longest > item.longest and len(item.tokens) > 1 else item.tokens)
    matched = total = unmatched_q = 0.0
    extra_distinctive = False
    distinctive = False
    pairs = []
    for token in _by_weight(q_tokens):
        w = _weight(token)
        best, best_sim = None, 0.0
        sense = SENSE.get(token, token) if token in _SENSE_WORDS else None
        n = len(token)
        alpha = token.isalpha()
        for cand in free:
            if cand == token or (sense is not None and SENSE.get(cand, cand) == sense):
                best, best_sim = cand, 1.0
                break
            m = len(cand)
            gap = m - n if m > n else n - m
            if n < 4 and m < 4 or gap > 2 or not alpha:
                continue
            # edits allowed (inline: the aligner's innermost loop): none with digits or up to 3
            # letters, 1 up to 7, then 2
            longer = m if m > n else n
            budget = 0 if longer <= 3 or not cand.isalpha() else 1 if longer <= 7 else 2
            if budget and gap <= budget:
                d = OSA.distance(token, cand, score_cutoff=budget)
                if d <= budget:
                    # two letters swapped (the commonest slip) cost less than a changed letter,
                    # which may make another name (Xinlu, Jinlu)
                    cost = TRANSPOSITION_COST if d == 1 and len(token) == len(cand) and _swapped(token, cand) else 1.0
                    sim = 1.0 - cost * d / max(len(token), len(cand))
                    if sim > best_sim:
                        best, best_sim = cand, sim
        if best is not None:
            free.remove(best)
            total += w
            matched += w * best_sim
            pairs.append((token, best))
            distinctive = distinctive or w == 1.0
        else:
            unmatched_q += w
            extra_distinctive = extra_distinctive or w == 1.0
    unmatched_l = 0.0
    covered = True  # no distinctive listed word left unmatched
    for t in free:
        w = _weight(t)
        unmatched_l += w
        covered = covered and w < 1.0
    # One word found inside a longer listed name ("Air" in "Mahan Air") is weaker evidence.
    per_listed = UNMATCHED_LIST_WEIGHT if len(q_tokens) > 1 else SINGLE_WORD_UNMATCHED_WEIGHT
    denominator = total + unmatched_q + per_listed * unmatched_l
    score = 100.0 * matched / denominator if denominator else 0.0
    if not distinctive:
        # Generic words alone say nothing, unless the listed name is nothing but generic words
        # and the query has them all and no other distinctive word ("Sichuan University").
        whole_generic_name = not free and not extra_distinctive and all(_weight(t) < 1.0 for t in item.tokens)
        if not (whole_generic_name and len(item.tokens) >= 2):
            score = min(score, 50.0)
        return Comparison(score, tuple(pairs))
    short_alias = len(item.tokens) == 1 and len(item.tokens[0]) <= 3
    if covered and extra_distinctive and not short_alias:
        coverage = 100.0 * matched / (total + COVERAGE_UNMATCHED_WEIGHT * unmatched_l)
        return Comparison(max(score, coverage), tuple(pairs), partial=True)
    if unmatched_l > (1.0 - MIN_LISTED_SHARE) * (total + unmatched_l):
        # Most of a listed name missing ("Mining Development" for "Korea Mining Development
        # Trading"): whatever the words found, only a possible match.
        score = min(score, MISSING_LISTED_CAP)
    return Comparison(score, tuple(pairs))


def _compare_han(q: NameForm, item: NameForm) -> Comparison:
    """Names in characters, compared by sound (one symbol per pinyin syllable, so that 华为 and
    a homophone spelling agree) once generic words and place names are set aside: a common run
    of four characters, or a whole name of three: 90; two characters and half the shorter: 78.
    A name of generic words and places alone only matches itself (四川大学 is not 四川科技)."""
    a, b = _by_sound(_han_core(q.text)), _by_sound(_han_core(item.text))
    if not a or not b:
        return Comparison(0.0, ())
    common = _longest_common(a, b)
    if len(common) >= 4 or (common and common in (a, b) and len(common) >= 3):
        return Comparison(90.0, ((a, b),))
    if len(common) >= 2 and len(common) >= 0.5 * min(len(a), len(b)):
        return Comparison(78.0, ((a, b),))
    return Comparison(0.0, ())


def _han_core(text: str) -> str:
    han = "".join(_HAN.findall(text))
    for word in _HAN_WORDS:
        han = han.replace(word, "")
    return han


_SYLLABLES: dict[str, str] = {}


@lru_cache(maxsize=16384)
def _by_sound(han: str) -> str:
    """One private-use symbol per pinyin syllable, so that runs can be compared as strings."""
    from pypinyin import lazy_pinyin

    return "".join(_SYLLABLES.setdefault(s, chr(0xE000 + len(_SYLLABLES))) for s in lazy_pinyin(han))


def _longest_common(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


@lru_cache(maxsize=65536)
def _deletions(token: str) -> tuple[str, ...]:
    """The word and the word less any one letter, as keys: a word one edit away (a letter
    changed, dropped, added or two swapped) shares at least one of them, whatever the list's
    size (SymSpell's idea). Words of up to 14 letters."""
    if len(token) > 14:
        return (f"d:{token}",)
    return (f"d:{token}", *{f"d:{token[:i]}{token[i + 1 :]}" for i in range(len(token))})


def blocking_keys(form: NameForm) -> set[str]:
    """Keys shared by names that may match: the whole name, distinctive tokens and their 3-letter
    prefixes and suffixes, the joined form's first letters, and bigrams of Chinese characters."""
    keys = set()
    if form.script == "han":
        han = _han_core(form.text) or "".join(_HAN.findall(form.text))
        keys.update(f"h:{han[i : i + 2]}" for i in range(max(1, len(han) - 1)))
        return keys
    distinctive = [t for t in form.tokens if _weight(t) == 1.0] or list(form.tokens)
    for t in distinctive:
        keys.add(f"t:{t}")
        if len(t) >= 4:
            keys.add(f"p:{t[:3]}")
            keys.add(f"s:{t[-3:]}")
            keys.update(_deletions(t))
    if len(form.compact) >= 6:
        keys.add(f"c:{form.compact[:5]}")
    keys.add(f"x:{form.text}")
    keys.add(f"j:{form.compact}")
    return keys


class NameIndex:
    """Every name and alias of a list, in all its forms, indexed by blocking keys (built once)."""

    # Token-sort ratios a candidate must reach to be scored: C-speed filters before the aligner.
    FUZZY_FLOOR = 60  # sharing only a prefix, suffix or joined start (typos keep most letters)
    # A word shared by more forms than this is common: the forms it reaches are filtered (two
    # words in common, or no other distinctive word, and the token-sort ratio), never skipped.
    SMALL_POSTING = 64
    COMMON_FLOOR = 70  # reached through common words only: closer than a prefix

    def __init__(self) -> None:
        self.forms: list[tuple[int, str, str, NameForm]] = []  # (owner index, name as written, kind, form)
        self.sorted_text: list[str] = []  # each form's tokens sorted: token-sort ratio in one C call
        self.index: dict[str, list[int]] = defaultdict(list)
        self.distinct_words: list[int] = []  # distinctive words per form
        self._long_sets: dict[str, tuple[frozenset[int], frozenset[int]]] = {}

    def add(self, owner: int, name: str, kind: str) -> None:
        for form in forms(name):
            self._add(owner, name, kind, form)
        short = acronym(name) if kind in ("name", "alias") else None
        if short and not any(f.compact == short for f in forms(name)):
            self._add(owner, name, "acronym", NameForm(short, (short,), "acronym"))

    def _add(self, owner: int, name: str, kind: str, form: NameForm) -> None:
        n = len(self.forms)
        self.forms.append((owner, name, kind, form))
        self.sorted_text.append(" ".join(sorted(form.tokens)))
        self.distinct_words.append(sum(1 for t in form.tokens if _weight(t) == 1.0))
        keys = {f"x:{form.text}"} if form.script == "acronym" else blocking_keys(form)
        for key in keys:
            self.index[key].append(n)

    def _long(self, key: str) -> tuple[frozenset[int], frozenset[int]]:
        """A long posting as a set, and the part of it whose forms have at most one distinctive
        word (made on first use, then kept)."""
        got = self._long_sets.get(key)
        if got is None:
            posting = self.index[key]
            got = self._long_sets[key] = (
                frozenset(posting),
                frozenset(n for n in posting if self.distinct_words[n] <= 1),
            )
        return got

    def candidates(self, query_forms: tuple[NameForm, ...], fuzzy_keys: bool = True) -> set[int]:
        """Forms worth scoring: those with the same whole or joined name or Chinese characters in
        common, and those sharing a distinctive word, or a word one edit away (deletion keys),
        or (where rare) a prefix, suffix or joined start whose token-sort ratio reaches the
        floor for that kind of key. No word is skipped for being common, so that recall does
        not depend on the list's size: a form reached only through common words ("Ivan",
        "Dubai") is kept when it shares two of the query's words, or has no other distinctive
        word, and its token-sort ratio reaches the floor. Without `fuzzy_keys` (bulk
        screening, where cdist proposes typo candidates) prefixes and suffixes are not used."""
        strong: set[int] = set()
        fuzzy: set[int] = set()
        common: list = []  # per query word: the forms reached through its long postings
        for form in query_forms:
            words = set()
            for key in blocking_keys(form):
                posting = self.index.get(key)
                if not posting:
                    continue
                kind = key[0]
                if kind in "xjh":
                    strong.update(posting)
                elif kind == "d" and not fuzzy_keys:
                    continue  # bulk screening: cdist proposes the typo candidates
                elif kind in "td":
                    if len(posting) > self.SMALL_POSTING:
                        words.add(key)
                    elif kind == "t":
                        strong.update(posting)
                    else:  # a word one edit away: filtered by the ratio like a prefix
                        fuzzy.update(posting)
                elif len(posting) <= self.SMALL_POSTING and (fuzzy_keys or kind == "c"):
                    # prefixes, suffixes and joined starts: an extra net for two-edit typos and
                    # split words; one-edit typos are caught by the deletion keys
                    fuzzy.update(posting)
            common.extend(self._by_word(form, words))
        queries = [" ".join(sorted(f.tokens)) for f in query_forms if f.script != "han"]
        shared: set[int] = set()
        for i, (reach, single) in enumerate(common):
            shared |= single
            for other, _ in common[i + 1 :]:
                shared |= reach & other
        shared -= strong
        for group, floor in ((shared, self.COMMON_FLOOR), (fuzzy - strong - shared, self.FUZZY_FLOOR)):
            if group and queries:
                strong.update(self._passing(group, queries, floor))
        return strong

    def _passing(self, group: set[int], queries: list[str], floor: float) -> list[int]:
        """The forms of `group` whose token-sort ratio with one of the queries reaches `floor`
        (one C call for a large group)."""
        texts = self.sorted_text
        if len(group) < 48:
            return [n for n in group if any(ratio(q, texts[n], score_cutoff=floor) for q in queries)]
        import numpy as np
        from rapidfuzz import process

        ids = list(group)
        scores = process.cdist(queries, [texts[n] for n in ids], scorer=ratio, score_cutoff=floor, dtype=np.uint8)
        return [ids[i] for i in np.nonzero(scores.max(axis=0))[0]]

    def _by_word(self, form: NameForm, long_keys: set[str]) -> list[tuple[set[int], set[int]]]:
        """For each distinctive word of the form with long postings: the forms they reach, and
        those of them with at most one distinctive word (once per word, so that two words in
        common count two)."""
        if not long_keys:
            return []
        out = []
        for t in [t for t in form.tokens if _weight(t) == 1.0] or list(form.tokens):
            mine = [k for k in (f"t:{t}", *(_deletions(t) if len(t) >= 4 else ())) if k in long_keys]
            if mine:
                reach: set[int] = set()
                single: set[int] = set()
                for k in mine:
                    full, few = self._long(k)
                    reach |= full
                    single |= few
                out.append((reach, single))
        return out
