"""Name matching for restricted-party screening: normalise, transliterate, find candidates, score.

The score (0-100) is a small explainable token aligner rather than a black box:
- both names are normalised (NFKC, case, punctuation, legal-form words in English and Chinese);
  Cyrillic and other scripts are transliterated with anyascii, Chinese characters are also
  written in pinyin (spaced and joined) with pypinyin;
- romanisations of one name are made equal (Mohammed/Muhammad, Usama/Osama, Qadhafi/Gaddafi);
- each query token is paired with the closest unused list token within an edit budget (exact
  for 1-3 letters, one edit for 4-7, two from 8; digits must match exactly); generic words
  ("technology", "international", "china", ...) and Russian patronymics weigh 0.3, other words 1;
- score = 100 x (matched weight x similarity) / (query weight + 0.2 x unmatched list weight);
  a name matched only on generic words scores at most 50;
- names in Chinese characters are compared by their longest common run once generic words
  (科技, 技术, 集团, place names ...) are set aside: four characters or a whole name of three: 90;
  at least two characters and half the shorter name: 78;
- the best score over the entry's name and strong aliases counts; a weak alias alone never
  reaches the match band; an identifier (LEI, registration number) in common is a match; a
  country that differs from the entry's costs 15 points.
Candidates come from a token index built once per list (prefixes, suffixes, whole tokens,
joined forms, Chinese bigrams), so screening one name does not scan the list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio

LEGAL_FORMS = {
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "lp",
    "llp",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "jsc",
    "pjsc",
    "ojsc",
    "cjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "pte",
    "pty",
    "kk",
    "sdn",
    "bhd",
    "fze",
    "fzco",
    "the",
    "and",
    "of",
}
HAN_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
GENERIC = {
    "technology",
    "technologies",
    "tech",
    "international",
    "intl",
    "trading",
    "trade",
    "group",
    "holding",
    "holdings",
    "industry",
    "industries",
    "industrial",
    "china",
    "chinese",
    "global",
    "science",
    "scientific",
    "electronics",
    "electronic",
    "digital",
    "system",
    "systems",
    "research",
    "institute",
    "development",
    "engineering",
    "equipment",
    "import",
    "export",
    "investment",
    "network",
    "networks",
    "software",
    "information",
    "communication",
    "communications",
    "service",
    "services",
    "semiconductor",
    "intelligent",
    "intelligence",
    "bank",
    "enterprise",
    "enterprises",
    "logistics",
    "shipping",
    "energy",
    "machinery",
    "materials",
    "products",
    "solutions",
    "new",
    "general",
    "national",
    "state",
    "hong",
    "kong",
    "beijing",
    "shanghai",
    "shenzhen",
    "hangzhou",
    "university",
    "security",
    "public",
    "bureau",
    "municipal",
    "province",
    "provincial",
    "iran",
    "russia",
    "russian",
    "logistic",
    "material",
    "product",
    "solution",
}
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
    # abbreviations seen on purchase orders and in audits
    "tech": "technology",
    "intl": "international",
    "grp": "group",
    "mfg": "manufacturing",
    "svcs": "services",
    "srvces": "services",
    "elec": "electronics",
    "univ": "university",
}
_PATRONYMIC = re.compile(r"^[a-z]+(ovich|evich|ovna|evna|ichna)$")
GENERIC_WEIGHT = 0.3
UNMATCHED_LIST_WEIGHT = 0.2
SINGLE_WORD_UNMATCHED_WEIGHT = 0.5
# Words common to many Chinese company names, set aside before comparing names in characters.
HAN_GENERIC = (
    "半导体",
    "科技",
    "技术",
    "股份",
    "集团",
    "中国",
    "国际",
    "电子",
    "信息",
    "数字",
    "创新",
    "大学",
    "北京",
    "上海",
    "深圳",
    "杭州",
    "浙江",
    "江苏",
    "广东",
    "市",
    "省",
)
COUNTRY_PENALTY = 15.0
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class NameForm:
    """One way of writing a name for comparison."""

    text: str  # normalised, space separated
    tokens: tuple[str, ...]
    script: str  # "latin", "transliterated", "pinyin" or "han"

    @property
    def compact(self) -> str:
        return self.text.replace(" ", "")


@lru_cache(maxsize=16384)
def normalise(name: str) -> str:
    """Casefolded words without punctuation or legal-form words (Chinese legal forms too)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in HAN_LEGAL_FORMS:
        text = text.replace(form, " ")
    text = text.replace("'", "").replace("’", "").replace(".", "")
    text = _PUNCT.sub(" ", text)
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


@lru_cache(maxsize=16384)
def forms(name: str) -> tuple[NameForm, ...]:
    """The name as written (normalised), transliterated, and for Chinese characters in pinyin."""
    base = normalise(name)
    if not base:
        return ()
    out = [NameForm(base, tuple(base.split()), "latin")]
    if _HAN.search(base):
        from pypinyin import lazy_pinyin  # imported on first use: it loads large dictionaries

        han = "".join(_HAN.findall(base))
        out[0] = NameForm(base, tuple(base.split()), "han")
        syllables = [s for s in lazy_pinyin(han) if s.strip()]
        out.append(NameForm(" ".join(syllables), tuple(syllables), "pinyin"))
        out.append(NameForm("".join(syllables), ("".join(syllables),), "pinyin"))
    elif not base.isascii():
        from anyascii import anyascii

        latin = normalise(anyascii(base))
        if latin and latin != base:
            out.append(NameForm(latin, tuple(latin.split()), "transliterated"))
    return tuple(out)


def _budget(a: str, b: str) -> int:
    """Edits allowed between two tokens: none with digits or up to 3 letters, 1 up to 7, then 2."""
    longer = len(a) if len(a) > len(b) else len(b)
    if longer <= 3 or not (a.isalpha() and b.isalpha()):
        return 0
    return 1 if longer <= 7 else 2


@lru_cache(maxsize=16384)
def _weight(token: str) -> float:
    """Generic words, patronymics and initials say little about who a party is."""
    return GENERIC_WEIGHT if token in GENERIC or len(token) == 1 or _PATRONYMIC.match(token) else 1.0


@dataclass(frozen=True)
class Comparison:
    score: float
    pairs: tuple[tuple[str, str], ...]  # (query token, list token) paired


@lru_cache(maxsize=16384)
def _by_weight(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Distinctive and long words first: they claim their best partner before generic words do."""
    return tuple(sorted(tokens, key=lambda t: (-_weight(t), -len(t))))


def compare(q: NameForm, item: NameForm) -> Comparison:
    """How well one form of the query matches one form of a listed name (0-100)."""
    if q.text == item.text:
        return Comparison(100.0, tuple(zip(q.tokens, item.tokens, strict=False)))
    if q.script == "han" and item.script == "han":
        # compared by sound (one symbol per pinyin syllable), so traditional and simplified
        # characters of one name (華為 / 华为) agree
        a, b = _by_sound(_han_core(q.text)), _by_sound(_han_core(item.text))
        common = _longest_common(a, b)
        if len(common) >= 4 or (common and common in (a, b) and len(common) >= 3):
            return Comparison(90.0, ((a, b),))
        if len(common) >= 2 and len(common) >= 0.5 * min(len(a), len(b)):
            return Comparison(78.0, ((a, b),))
        return Comparison(0.0, ())
    if q.compact == item.compact and len(q.compact) >= 6:
        return Comparison(97.0, ((q.compact, item.compact),))
    free = list(item.tokens)
    matched = total = 0.0
    distinctive = False
    pairs = []
    for token in _by_weight(q.tokens):
        w = _weight(token)
        total += w
        best, best_sim = None, 0.0
        for cand in free:
            if cand == token:
                best, best_sim = cand, 1.0
                break
            budget = _budget(token, cand)
            if budget and abs(len(cand) - len(token)) <= budget:
                d = OSA.distance(token, cand, score_cutoff=budget)
                if d <= budget:
                    sim = 1.0 - d / max(len(token), len(cand))
                    if sim > best_sim:
                        best, best_sim = cand, sim
        if best is not None:
            free.remove(best)
            matched += w * best_sim
            pairs.append((token, best))
            distinctive = distinctive or w == 1.0
    # One word found inside a longer listed name ("Air" in "Mahan Air") is weaker evidence.
    unmatched = UNMATCHED_LIST_WEIGHT if len(q.tokens) > 1 else SINGLE_WORD_UNMATCHED_WEIGHT
    total += unmatched * sum(_weight(t) for t in free)
    score = 100.0 * matched / total if total else 0.0
    if not distinctive:
        score = min(score, 50.0)
    return Comparison(score, tuple(pairs))


def _han_core(text: str) -> str:
    han = "".join(_HAN.findall(text))
    for word in HAN_GENERIC + tuple(_TRADITIONAL_GENERIC):
        han = han.replace(word, "")
    return han


_SYLLABLES: dict[str, str] = {}
# The generic words above as written in traditional characters (Hong Kong, Taiwan, Macau).
_TRADITIONAL_GENERIC = ("半導體", "技術", "集團", "中國", "國際", "電子", "資訊", "數字", "創新", "大學")


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


def blocking_keys(form: NameForm) -> set[str]:
    """Keys shared by names that may match: the whole name, distinctive tokens and their 3-letter
    prefixes and suffixes, the joined form's first letters, and bigrams of Chinese characters."""
    keys = set()
    if form.script == "han":
        han = _han_core(form.text) or "".join(_HAN.findall(form.text))
        keys.update(f"h:{han[i : i + 2]}" for i in range(max(1, len(han) - 1)))
        return keys
    distinctive = [t for t in form.tokens if t not in GENERIC] or list(form.tokens)
    for t in distinctive:
        keys.add(f"t:{t}")
        if len(t) >= 4:
            keys.add(f"p:{t[:3]}")
            keys.add(f"s:{t[-3:]}")
    if len(form.compact) >= 6:
        keys.add(f"c:{form.compact[:5]}")
    keys.add(f"x:{form.text}")
    keys.add(f"j:{form.compact}")
    return keys


class NameIndex:
    """Every name and alias of a list, in all its forms, indexed by blocking keys (built once)."""

    # Token-sort ratios a candidate must reach to be scored: C-speed filters before the aligner.
    SHARED_FLOOR = 45  # sharing a distinctive word ("huawei technology" ~ "huawei" is 52)
    FUZZY_FLOOR = 60  # sharing only a prefix, suffix or joined start (typos keep most letters)

    def __init__(self) -> None:
        self.forms: list[tuple[int, str, str, NameForm]] = []  # (owner index, name as written, kind, form)
        self.sorted_text: list[str] = []  # each form's tokens sorted: token-sort ratio in one C call
        self.index: dict[str, list[int]] = defaultdict(list)

    def add(self, owner: int, name: str, kind: str) -> None:
        for form in forms(name):
            n = len(self.forms)
            self.forms.append((owner, name, kind, form))
            self.sorted_text.append(" ".join(sorted(form.tokens)))
            for key in blocking_keys(form):
                self.index[key].append(n)

    def candidates(self, query_forms: tuple[NameForm, ...], fuzzy_keys: bool = True) -> set[int]:
        """Forms worth scoring: those with the same whole or joined name or Chinese characters in
        common, and those sharing a distinctive word, a prefix, suffix or joined start whose
        token-sort ratio reaches the floor for that kind of key. A key shared by a large part of
        the list (a common word, a frequent prefix) is skipped like a stop word. Without
        `fuzzy_keys` (bulk screening, where cdist proposes typo candidates) prefixes and suffixes
        are not used."""
        limit = max(100, len(self.forms) // 200)
        strong: set[int] = set()
        fuzzy: set[int] = set()
        for form in query_forms:
            for key in blocking_keys(form):
                posting = self.index.get(key, ())
                if key.startswith(("x:", "j:", "t:", "h:")):
                    if len(posting) <= limit or key.startswith(("x:", "j:")):
                        strong.update(posting)
                elif len(posting) <= limit:
                    fuzzy.update(posting)
        fuzzy -= strong
        if fuzzy:
            queries = [" ".join(sorted(f.tokens)) for f in query_forms if f.script != "han"]
            strong.update(n for n in fuzzy if any(ratio(q, self.sorted_text[n]) >= self.FUZZY_FLOOR for q in queries))
        return strong
