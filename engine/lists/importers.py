"""Parsers for the official list formats, each yielding `ListEntry` dicts and located problems.

- OFAC legacy delimited files: sdn.csv (with optional alt.csv and add.csv beside it, or named):
  no header row, `-0-` for null, joined on ent_num.
- OFAC sdn.xml (namespace-agnostic; aliases marked weak are kept as weak aliases).
- The Consolidated Screening List, CSV or JSON (Entity List rows included, with their licence
  requirement and review policy).
A row that cannot be read is an error naming the file and row: the import stops and nothing
is stored (the store writes an import in one transaction).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from exportsim.engine.core.errors import InputError
from iso3166 import countries_by_alpha2, countries_by_name

FORMATS = ("sdn-csv", "sdn-xml", "csl-csv", "csl-json")
_COUNTRY_NAMES = {
    "RUSSIA": "RU",
    "IRAN": "IR",
    "NORTH KOREA": "KP",
    "KOREA, NORTH": "KP",
    "SOUTH KOREA": "KR",
    "KOREA, SOUTH": "KR",
    "SYRIA": "SY",
    "VENEZUELA": "VE",
    "VIETNAM": "VN",
    "TAIWAN": "TW",
    "BURMA": "MM",
    "LAOS": "LA",
    "BOLIVIA": "BO",
    "TANZANIA": "TZ",
    "MOLDOVA": "MD",
    "CONGO, DEMOCRATIC REPUBLIC OF THE": "CD",
    "UNITED KINGDOM": "GB",
    "UNITED STATES": "US",
    "HONG KONG": "HK",
    "MACAU": "MO",
    "MACAO": "MO",
    "CHINA": "CN",
    "TURKEY": "TR",
    "UNITED ARAB EMIRATES": "AE",
    "CZECH REPUBLIC": "CZ",
    "BELARUS": "BY",
    "CRIMEA": "UA",
}
_POLICY = {
    "presumption of denial": "presumption_of_denial",
    "case-by-case": "case_by_case",
    "case by case": "case_by_case",
    "policy of denial": "policy_of_denial",
    "presumption of approval": "presumption_of_approval",
}
_CSL_CODE = re.compile(r"\(([A-Z\-]+)\)")


def country_code(text: str | None) -> str | None:
    if not text:
        return None
    t = text.strip()
    if len(t) == 2 and t.upper() in countries_by_alpha2:
        return t.upper()
    up = t.upper()
    if up in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[up]
    found = countries_by_name.get(up)
    return found.alpha2 if found else None


def _null(v: str | None) -> str | None:
    v = (v or "").strip()
    return None if v in ("", "-0-") else v


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # the legacy OFAC files are often latin-1


def _rows(path: Path, width: int) -> list[tuple[int, list[str]]]:
    """Header-less OFAC rows; each must have `width` columns and an integer first column."""
    out = []
    text = _read_text(path).replace("\r\n", "\n").replace("\r", "\n")
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].strip() == "\x1a":
            continue
        if len(row) != width or not row[0].strip().isdigit():
            raise InputError.one(
                str(path),
                f"Row {n} has {len(row)} columns (expected {width}) or no numeric entity number in the first column.",
                "Check that this is the OFAC file it is "
                "named as (sdn.csv: 12 columns, alt.csv: 5, add.csv: 6), unmodified.",
                n,
            )
        out.append((n, [c.strip() for c in row]))
    return out


def parse_sdn_csv(path: Path, alt: Path | None = None, add: Path | None = None) -> list[dict[str, Any]]:
    folder = path if path.is_dir() else path.parent
    if path.is_dir():
        path = folder / "sdn.csv"
    alt = alt or (folder / "alt.csv" if (folder / "alt.csv").exists() else None)
    add = add or (folder / "add.csv" if (folder / "add.csv").exists() else None)
    aliases: dict[str, list[str]] = {}
    if alt:
        for _, r in _rows(alt, 5):
            if _null(r[3]):
                aliases.setdefault(r[0], []).append(r[3])
    countries: dict[str, str] = {}
    if add:
        for _, r in _rows(add, 6):
            code = country_code(_null(r[4]))
            if code and r[0] not in countries:
                countries[r[0]] = code
    entries = []
    for _, r in _rows(path, 12):
        ent, name, _type, program = r[0], r[1], _null(r[2]), _null(r[3]) or ""
        programs = [p.strip(" []") for p in program.split("] [") if p.strip(" []")]
        entries.append(
            {
                "uid": f"sdn:{ent}",
                "id": f"sdn.{ent}",
                "list": "sdn",
                "name": name,
                "aliases": aliases.get(ent, []),
                "country": countries.get(ent),
                "programs": programs,
                "remarks": _null(r[11]),
            }
        )
    return entries


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in el if _local(c.tag) == name), None)


def _text(el: ET.Element | None, name: str) -> str | None:
    c = _child(el, name) if el is not None else None
    return (c.text or "").strip() or None if c is not None else None


def parse_sdn_xml(path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """Entries and the publish date (MM/DD/YYYY in the file), namespace-agnostic."""
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise InputError.one(
            str(path), f"The XML is not well formed: {exc}.", "Use the unmodified sdn.xml.", exc.position[0]
        ) from None
    published = None
    info = _child(root, "publshInformation")
    if info is not None and _text(info, "Publish_Date"):
        try:
            published = dt.datetime.strptime(_text(info, "Publish_Date") or "", "%m/%d/%Y").date().isoformat()
        except ValueError:
            published = None
    entries = []
    for n, e in enumerate((c for c in root if _local(c.tag) == "sdnEntry"), start=1):
        uid = _text(e, "uid")
        last = _text(e, "lastName")
        if not uid or not last:
            raise InputError.one(
                str(path), f"sdnEntry number {n} has no uid or lastName.", "Use the unmodified sdn.xml."
            )
        first = _text(e, "firstName")
        name = f"{last}, {first}" if first else last
        strong, weak = [], []
        for aka in _child(e, "akaList") or []:
            alias = ", ".join(x for x in (_text(aka, "lastName"), _text(aka, "firstName")) if x)
            if alias:
                (weak if (_text(aka, "category") or "").lower() == "weak" else strong).append(alias)
        ids = {}
        for i in _child(e, "idList") or []:
            kind, number = _text(i, "idType"), _text(i, "idNumber")
            if kind and number:
                ids[kind] = number
        country = None
        for a in _child(e, "addressList") or []:
            country = country or country_code(_text(a, "country"))
        programs = [(p.text or "").strip() for p in _child(e, "programList") or [] if (p.text or "").strip()]
        entries.append(
            {
                "uid": f"sdn:{uid}",
                "id": f"sdn.{uid}",
                "list": "sdn",
                "name": name,
                "aliases": strong,
                "weak_aliases": weak,
                "identifiers": ids,
                "country": country,
                "programs": programs,
            }
        )
    return entries, published


# Conventions of the CSL name field (Entity List rows above all): aliases in a trailing
# parenthesis or after "a.k.a.", and linked parties after "Affiliated Entity:" and the like.
_LINK = re.compile(
    r"[.;,]?\s*\b(?:affiliated entit(?:y|ies)|subsidiar(?:y|ies)|subordinate institutions?|"
    r"subordinate entit(?:y|ies)|affiliates?|branch(?:es)?)\s*:\s*",
    re.IGNORECASE,
)
_AKA = re.compile(r"[,;]?\s*\b(?:a\.?k\.?a\.?|f\.?k\.?a\.?|n\.?k\.?a\.?|also known as|formerly known as)[,:]?\s+", re.I)
_SUCCESSOR = re.compile(r",?\s*and any successors?,? sub-units?,? or subsidiar(?:y|ies) thereof\.?", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"^(?P<name>.*\S)\s*\((?P<inner>[^()]+)\)\s*[.;,]?\s*$")
# A trailing parenthesis that is part of the name, not an alias: a legal form, a place, "Group".
_NOT_ALIAS = re.compile(
    r"^(?:jsc|pjsc|ojsc|cjsc|ao|pao|ooo|llc|ltd|inc|plc|group|holdings?|hk|h\.k\.|hong kong|prc|china|"
    r"[a-z]+ branch|beijing|shanghai|shenzhen|tianjin|guangzhou|hangzhou|wuhan|chengdu|xian|xi'an|nanjing|"
    r"suzhou|xiamen|hefei|moscow|tehran|dubai|singapore|macau|macao|taiwan|usa|uk|uae)$",
    re.IGNORECASE,
)


def split_csl_name(field: str) -> tuple[str, list[str], list[str]]:
    """A CSL name field as (name, aliases, linked parties): `Huawei Technologies Co., Ltd.
    (Huawei). Affiliated Entity: Huawei Terminal (Shenzhen) Co., Ltd.` is the name `Huawei
    Technologies Co., Ltd.`, the alias `Huawei` and the linked party `Huawei Terminal (Shenzhen)
    Co., Ltd.`. Linked parties are separated by semicolons; "and any successor, sub-unit, or
    subsidiary thereof" is dropped (the rule it states is the Entity List's, not a name)."""
    text = _SUCCESSOR.sub("", " ".join(field.split()))
    head, *links = _LINK.split(text)
    linked = [p for part in links for p in _alias_list(part)]
    name, aliases = _split_aliases(head)
    return name, aliases, linked


def _split_aliases(text: str) -> tuple[str, list[str]]:
    """`X a.k.a. Y; Z`, `X (Y)`, `X (a.k.a. Y)` and the Federal Register's `X, a.k.a., the
    following two aliases: -Y; and -Z` as the name X and the aliases Y, Z."""
    head = text.strip(" ;,")
    aliases: list[str] = []
    m = _TRAILING_PAREN.match(head)
    if m and not _NOT_ALIAS.match(m.group("inner").strip(" .")):
        head, aliases = m.group("name"), _alias_list(_AKA.sub(";", m.group("inner")))
    head, *akas = _AKA.split(head)
    aliases = [a for part in akas for a in _alias_list(part)] + aliases
    m = _TRAILING_PAREN.match(head.strip(" ;,"))
    if m and not _NOT_ALIAS.match(m.group("inner").strip(" .")):
        head, aliases = m.group("name"), _alias_list(m.group("inner")) + aliases
    return head.strip(" ;,"), aliases


_FOLLOWING = re.compile(r"^the following \w+ aliases?:\s*", re.IGNORECASE)


def _alias_list(text: str) -> list[str]:
    out = []
    for raw in _FOLLOWING.sub("", text.strip(" ;,")).split(";"):
        alias = re.sub(r"^(?:and\s+)?-\s*", "", raw.strip(" ;,")).strip(" ;,")
        if alias.endswith(".") and not re.search(r"\b(?:ltd|inc|co|corp|s\.a|b\.v|l\.l\.c)\.$", alias, re.I):
            alias = alias[:-1]
        if alias:
            out.append(alias)
    return out


def _csl_entry(rec: dict[str, Any], where: str) -> dict[str, Any]:
    source = str(rec.get("source") or "")
    m = _CSL_CODE.search(source)
    code = (m.group(1) if m else source).strip().lower().replace("-", "_")
    if not code or not rec.get("name"):
        raise ValueError(f"{where} has no 'source' or 'name'")
    lst = {"el": "entity_list", "sdn": "sdn"}.get(code, code)
    alt = rec.get("alt_names") or []
    if isinstance(alt, str):
        alt = [a.strip() for a in alt.split(";") if a.strip()]
    name, name_aliases, linked = split_csl_name(str(rec["name"]))
    if not name:
        raise ValueError(f"{where} has a 'name' with no name before its aliases or linked parties")
    aliases = list(dict.fromkeys(name_aliases + [a for raw in alt for a in [*_flat_aliases(str(raw))] if a != name]))
    addresses = rec.get("addresses") or []
    country = None
    if isinstance(addresses, list):
        for a in addresses:
            country = country or country_code((a or {}).get("country"))
    elif isinstance(addresses, str) and addresses.strip():
        country = country_code(addresses.split(";")[0].rsplit(",", 1)[-1])
    ids = {}
    raw_ids = rec.get("ids") or []
    if isinstance(raw_ids, list):
        for i in raw_ids:
            if (i or {}).get("type") and i.get("number"):
                ids[str(i["type"])] = str(i["number"])
    programs = rec.get("programs") or []
    if isinstance(programs, str):
        programs = [p.strip() for p in programs.split(";") if p.strip()]
    policy = str(rec.get("license_policy") or "").strip()
    start = str(rec.get("start_date") or "").strip()[:10]
    uid = str(rec.get("id") or rec.get("_id") or rec.get("entity_number") or "").strip()
    if not uid:
        raise ValueError(f"{where} has no 'id'")
    return {
        "uid": f"csl:{code}:{uid}",
        "id": f"{code}.{re.sub(r'[^a-z0-9]+', '_', uid.lower()).strip('_')}",
        "list": lst,
        "name": name,
        "aliases": aliases,
        "linked": linked,
        "identifiers": ids,
        "country": country,
        "programs": programs,
        "review_policy": _POLICY.get(policy.lower(), re.sub(r"[^a-z]+", "_", policy.lower()).strip("_") or None),
        "license_requirement": (str(rec.get("license_requirement") or "").strip() or None),
        "added": start if re.fullmatch(r"\d{4}-\d{2}-\d{2}", start) else None,
        "citation_reference": (str(rec.get("federal_register_notice") or "").strip() or None),
    }


def _flat_aliases(raw: str) -> list[str]:
    """An alt_names item, which may itself be written `Y (Z)` or `Y a.k.a. Z`."""
    name, more = _split_aliases(raw)
    return [a for a in (name, *more) if a]


def _with_linked(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry, and each linked party of its name field as an entry of its own on the same
    list, with the same licence requirement, policy and dates (`linked_to` names the parent)."""
    linked = entry.pop("linked")
    out = [entry]
    for n, text in enumerate(linked, start=1):
        name, aliases = _split_aliases(text)
        out.append(
            entry
            | {
                "uid": f"{entry['uid']}:linked:{n}",
                "id": f"{entry['id']}_linked_{n}",
                "name": name,
                "aliases": aliases,
                "identifiers": {},
                "linked_to": entry["uid"],
            }
        )
    return out


def parse_csl_csv(path: Path) -> list[dict[str, Any]]:
    text = _read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames or "source" not in reader.fieldnames:
        raise InputError.one(
            str(path),
            "The CSV has no header with 'source' and 'name' columns.",
            "Use the Consolidated Screening List CSV as downloaded.",
            1,
        )
    return _csl_entries(path, enumerate(reader, start=2), "row", lines=True)


def parse_csl_json(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError.one(
            str(path), f"The JSON is not valid: {exc.msg}.", "Use the file as downloaded.", exc.lineno
        ) from None
    records = data.get("results") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError.one(
            str(path),
            "Expected a list of records (or an object with 'results').",
            "Use the Consolidated Screening List JSON as downloaded.",
        )
    return _csl_entries(path, enumerate(records, start=1), "record", lines=False)


def _csl_entries(path: Path, numbered: Iterable[tuple[int, object]], noun: str, *, lines: bool) -> list[dict[str, Any]]:
    """Each CSL row or record as an entry; the first that cannot be read stops the import, named
    by its number (`lines`: the number is the file's line, as for CSV rows)."""
    out = []
    for n, rec in numbered:
        try:
            if not isinstance(rec, dict):
                raise ValueError(f"{noun} {n} is not an object")
            out.extend(_with_linked(_csl_entry(rec, f"{noun} {n}")))
        except ValueError as exc:
            raise InputError.one(
                str(path),
                f"{noun.capitalize()} {n} cannot be read: {exc}.",
                f"Fix or remove the {noun}, or re-download the file.",
                n if lines else None,
            ) from None
    return out
