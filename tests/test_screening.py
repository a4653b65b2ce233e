"""Screening: the matcher's bands and evidence, the labelled pair set, the official-format
importers and the list store (re-imports keep history; a malformed file changes nothing)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from exportsim.cli.main import cli
from exportsim.engine.core.facts.matching import compare, forms
from exportsim.engine.core.facts.screening import ListIndex
from exportsim.engine.core.ruleset.loader import load_rules
from exportsim.engine.core.ruleset.ruledefs import Citation, ListEntry
from exportsim.engine.lists.importers import parse_csl_csv, parse_csl_json, parse_sdn_csv, parse_sdn_xml
from exportsim.engine.lists.store import ListStore
from helpers import party, regime, txn

FIX = Path(__file__).parent / "fixtures" / "lists"
SET = Path(__file__).parent / "screening" / "pairs.yaml"
HOLDOUT = Path(__file__).parent / "screening" / "holdout" / "pairs.yaml"
DAY = dt.date(2026, 11, 24)
run = CliRunner().invoke


def best(a: str, b: str) -> float:
    return max(compare(x, y).score for x in forms(a) for y in forms(b))


@pytest.mark.parametrize(
    ("query", "listed", "low", "high"),
    [
        ("HUAWEI TECHNOLOGIES COMPANY LIMITED", "Huawei Technologies Co., Ltd.", 100, 100),
        ("Technologies Huawei", "Huawei Technologies Co., Ltd.", 100, 100),
        ("Владимир Путин", "Vladimir Putin", 100, 100),
        ("Muhammad Jawad Zarif", "Mohammad Javad Zarif", 100, 100),
        ("Huawie Technologies", "Huawei Technologies", 85, 95),
        ("杭州海康威视数字技术股份有限公司", "海康威视", 90, 90),
        ("Bank Melli Iran", "Bank Mellat", 0, 40),
        ("Kim Jong Il", "Kim Jong Un", 0, 70),
        ("George Bush", "George Habbash", 0, 50),
        ("China Technology International", "China Electronics Technology Group", 0, 50),
        ("Air", "Mahan Air", 0, 70),
        # legal forms spelled out, in pinyin, in traditional characters
        ("Huawei Jishu Youxian Gongsi", "华为技术有限公司", 97, 100),
        ("Kaspersky Lab Aktsionernoe Obshchestvo", "AO Kaspersky Lab", 100, 100),
        ("Sberbank Public Joint Stock Company", "Public Joint Stock Company Sberbank of Russia", 75, 100),
        ("長江存儲科技有限責任公司", "长江存储科技有限责任公司", 100, 100),
        # a generic tail in characters against a Latin brand
        ("大华科技", "Dahua Technology", 90, 100),
        # a place with generic words is nobody
        ("Zhejiang Technology Co., Ltd.", "Zhejiang Dahua Technology Co., Ltd.", 0, 50),
        ("浙江技术股份有限公司", "浙江大华技术股份有限公司", 0, 0),
        # split and joined words, a swapped letter
        ("Hik Vision", "Hikvision", 97, 100),
        ("Sber Bank", "Sberbank", 97, 100),
        ("Hikvisoin", "Hikvision", 90, 100),
        ("Hikvsion", "Hikvision", 75, 89),
        ("Xinlu", "Jinlu", 0, 89),
    ],
)
def test_scores_fall_where_they_should(query, listed, low, high):
    assert low <= best(query, listed) <= high


def test_query_noise_is_screened_apart_from_the_name():
    index = ListIndex([_entry("el.h", "Huawei Technologies Co., Ltd.", list="entity_list", country="CN")])
    for noisy in (
        "Attn: Logistics, Huawei Technologies Co., Ltd.",
        "Huawei Technologies Co., Ltd. (Shanghai office)",
        "Huawei Technologies Co., Ltd., Bantian, Longgang District, Shenzhen",
        "Sales Department - Huawei Technologies Co., Ltd.",
    ):
        (hit,) = index.screen([noisy], "entity_list", DAY)
        assert hit.band == "match", noisy


def test_related_parties_and_derived_acronyms_are_possible_matches_only():
    index = ListIndex(
        [
            _entry("el.h", "Huawei Technologies Co., Ltd.", aliases=["Huawei"], list="entity_list"),
            _entry("el.u", "University of Electronic Science and Technology of China", list="entity_list"),
        ]
    )
    (sub,) = index.screen(["Huawei Marine Networks"], "entity_list", DAY)
    assert sub.band == "review" and "lacks" in sub.adjustments[-1]
    (acr,) = index.screen(["UESTC"], "entity_list", DAY)
    assert acr.band == "review" and acr.evidence == "acronym"
    assert index.screen(["UEST"], "entity_list", DAY) == []


def _entry(eid: str, name: str, **kw) -> ListEntry:
    return ListEntry(
        id=eid,
        list=kw.pop("list", "sdn"),
        name=name,
        added=kw.pop("added", "2020-01-01"),
        citation=Citation(instrument="test", source="test"),
        **kw,
    )


def test_bands_weak_aliases_identifiers_and_country():
    index = ListIndex(
        [
            _entry(
                "sdn.a", "Alpha Shipping Company", weak_aliases=["Alpha"], identifiers={"imo": "9123456"}, country="IR"
            ),
            _entry("sdn.b", "Omega Trading", removed="2021-01-01"),
        ]
    )
    (hit,) = index.screen(["Alpha Shipping"], "sdn", DAY)
    assert hit.band == "match" and hit.entry.id == "sdn.a"
    (weak,) = index.screen(["Alpha"], "sdn", DAY)
    assert weak.band == "review" and "weak alias" in weak.evidence
    (ident,) = index.screen(["Blue Ocean Lines"], "sdn", DAY, identifiers={"IMO": "9 123 456"})
    assert ident.band == "match" and ident.evidence == "identifier"
    (elsewhere,) = index.screen(["Alpha Shipping Company"], "sdn", DAY, country="DE")
    assert elsewhere.band == "review" and "country DE differs" in elsewhere.adjustments[0]
    assert index.screen(["Omega Trading"], "sdn", DAY) == []  # delisted before the day
    assert index.screen(["Omega Trading"], "sdn", dt.date(2020, 6, 1))[0].band == "match"


def test_the_tuning_part_meets_its_targets():
    out = run(cli, ["screen", "--evaluate-set", str(SET), "--format", "json"])
    report = json.loads(out.output)
    assert report["pairs"] >= 250
    assert report["recall"] >= 0.95 and report["precision"] >= 0.95, report["errors"]
    assert report["traps_in_match_band"] == 0


def test_the_held_out_test_part_meets_the_targets():
    """The test part is never used to tune: these are the figures on names the matcher has not
    seen (issue 18's targets: recall and precision >= 0.90, no trap in the match band)."""
    report = json.loads(run(cli, ["screen", "--evaluate-set", str(HOLDOUT), "--format", "json"]).output)
    assert report["pairs"] >= 400 and report["counts"]["tp"] + report["counts"]["fn"] >= 250
    assert report["recall"] >= 0.90 and report["precision"] >= 0.90, report["errors"]
    assert report["traps_in_match_band"] == 0 and report["false_positives"]["hard"] == 0


def _names(pairs_file: Path) -> tuple[set[str], set[str]]:
    import yaml
    from exportsim.engine.core.facts.matching import normalise

    pairs = yaml.safe_load(pairs_file.read_text(encoding="utf-8"))
    entries = yaml.safe_load((pairs_file.parent / pairs["entries"]).read_text(encoding="utf-8"))["entries"]
    names = {p["query"] for p in pairs["pairs"]}
    for e in entries:
        names.update([e["name"], *e.get("aliases", []), *e.get("weak_aliases", [])])
    return {normalise(n) for n in names} - {""}, {e["id"] for e in entries}


def test_the_test_part_shares_no_entry_name_or_alias_with_the_tuning_part():
    """The rule that keeps the test part honest: no query, name, alias or entry of the test part
    appears in the tuning part (compared normalised: case, punctuation and legal forms aside)."""
    held_names, held_ids = _names(HOLDOUT)
    tuning_names, tuning_ids = _names(SET)
    assert not held_ids & tuning_ids
    assert not held_names & tuning_names


def test_a_possible_match_is_a_review_finding_naming_the_entry(python_engine):
    t = txn(date="2025-03-03", parties=[party("Hikvision Digital Technology Shenzhen", roles=["end_user"])])
    result = python_engine.evaluate(t)
    assert regime(result, "bis_entity_list") == "review_required"
    note = next(n for n in result["notes"] if n["field"] == "el_possible_match")
    assert "el.hikvision" in note["because"] and "score" in note["because"]
    assert result["parameters"]["screening.review_threshold"] == 75


def test_screen_command(tmp_path):
    out = run(cli, ["screen", "Hangzhou Hikvision Digital", "--format", "json"])
    hits = json.loads(out.output)["hits"]
    assert hits[0]["entry"] == "el.hikvision" and hits[0]["band"] == "match"
    assert hits[0]["query_normalised"] == "hangzhou hikvision digital"
    text = run(cli, ["screen", "Acme Widgets"])
    assert "no entry reaches the review band" in text.output


def test_sdn_csv_with_aliases_and_addresses():
    entries = parse_sdn_csv(FIX / "sdn_v1" / "sdn.csv")
    mahan = next(e for e in entries if e["uid"] == "sdn:7157")
    assert mahan["aliases"] == ["MAHAN AIRLINES", "MAHAN AIR COMPANY"]
    assert mahan["country"] == "IR" and mahan["programs"] == ["SDGT", "IRAN"]
    kim = next(e for e in entries if e["uid"] == "sdn:28264")
    assert kim["name"] == "KIM, Jong Un" and kim["country"] == "KP"


def test_sdn_xml_weak_aliases_identifiers_and_date():
    entries, published = parse_sdn_xml(FIX / "sdn.xml")
    assert published == "2026-11-20"
    mahan = next(e for e in entries if e["uid"] == "sdn:7157")
    assert mahan["aliases"] == ["MAHAN AIRLINES"] and mahan["weak_aliases"] == ["MAHAN"]
    assert mahan["identifiers"] == {"ICAO Code": "IRM"}
    assert next(e for e in entries if e["uid"] == "sdn:28264")["name"] == "KIM, Jong Un"


def test_csl_name_fields_split_into_names_aliases_and_linked_entries():
    rows = {r["uid"]: r for r in parse_csl_csv(FIX / "consolidated_names.csv")}
    huawei = rows["csl:el:n1"]
    assert huawei["name"] == "Huawei Technologies Co., Ltd." and huawei["aliases"] == ["Huawei", "华为技术有限公司"]
    terminal = rows["csl:el:n1:linked:1"]
    assert terminal["name"] == "Huawei Terminal (Shenzhen) Co., Ltd." and terminal["linked_to"] == "csl:el:n1"
    assert terminal["list"] == "entity_list" and terminal["review_policy"] == "presumption_of_denial"
    assert rows["csl:el:n2"]["name"] == "Beijing Institute of Technology"
    assert rows["csl:el:n2"]["aliases"] == ["BIT", "Beijing Polytechnic"]
    moore = rows["csl:el:n3"]  # "and any successor, sub-unit, or subsidiary thereof" is not a name
    assert moore["name"] == "Moore Threads Intelligent Technology (Beijing) Co., Ltd."
    assert moore["aliases"] == ["Moore Threads", "MTT"]
    assert rows["csl:el:n4"]["aliases"] == ["Zhongxing Telecommunication Equipment Corporation"]
    assert [rows[f"csl:el:n4:linked:{n}"]["name"] for n in (1, 2)] == [
        "ZTE Kangxun Telecom Co. Ltd.",
        "Shenzhen ZTE Kangxun Telecom Co., Ltd.",
    ]
    assert rows["csl:sdn:n5"]["aliases"] == ["Bank GPB (JSC)", "GAZPROMBANK", "GPB"]
    js = {r["uid"]: r for r in parse_csl_json(FIX / "consolidated_names.json")}
    assert js["csl:el:n1"]["aliases"] == ["Huawei", "华为技术有限公司"] and "csl:el:n4:linked:2" in js


def test_an_imported_csl_name_field_is_screened_as_names(tmp_path):
    """Before the split, the exact name scored 55 against the whole field; now it is a match,
    and the linked party is an entry of its own."""
    db = tmp_path / "lists.sqlite"
    out = run(cli, ["lists", "import", "--format", "csl-csv", str(FIX / "consolidated_names.csv"), "--db", str(db)])
    assert out.exit_code == 0, out.output
    index = ListIndex(ListStore(db).entries())
    (hit, *_) = index.screen(["Huawei Technologies Co., Ltd."], "entity_list", DAY)
    assert hit.entry.id == "el.n1" and hit.band == "match" and hit.score == 100
    (linked, *_) = index.screen(["Huawei Terminal (Shenzhen) Co., Ltd."], "entity_list", DAY)
    assert linked.entry.id == "el.n1_linked_1" and linked.band == "match"


def test_csl_csv_and_json():
    rows = parse_csl_csv(FIX / "consolidated.csv")
    huawei = next(r for r in rows if r["name"].startswith("Huawei"))
    assert huawei["list"] == "entity_list" and huawei["review_policy"] == "presumption_of_denial"
    assert huawei["aliases"] == ["Huawei", "华为技术有限公司"] and huawei["added"] == "2019-05-16"
    assert {r["list"] for r in rows} == {"entity_list", "sdn", "meu"}
    js = parse_csl_json(FIX / "consolidated.json")
    assert js[1]["identifiers"] == {"ICAO Code": "IRM"} and js[1]["list"] == "sdn"


def test_reimport_updates_and_keeps_history(tmp_path):
    db = tmp_path / "lists.sqlite"
    first = run(
        cli,
        [
            "lists",
            "import",
            "--format",
            "sdn-csv",
            str(FIX / "sdn_v1" / "sdn.csv"),
            "--db",
            str(db),
            "--published",
            "2026-10-01",
        ],
    )
    assert first.exit_code == 0, first.output
    assert "4 new" in first.output
    second = run(
        cli,
        ["lists", "import", "--format", "sdn-csv", str(FIX / "sdn_v2"), "--db", str(db), "--published", "2026-11-01"],
    )
    # changed: Mahan Air (aliases, programs) and KIM (no address in the newer add.csv)
    assert "1 new, 2 changed, 1 unchanged, 1 removed" in second.output
    store = ListStore(db)
    history = store.history("sdn:7157")
    assert len(history) == 2 and history[0]["superseded_by"] == 2 and history[1]["superseded_by"] is None
    gone = {e.id: e for e in store.entries()}["sdn.36"]
    assert gone.removed == dt.date(2026, 10, 31)  # the day before the file that dropped it
    shown = json.loads(run(cli, ["lists", "show", "--source", "--db", str(db), "--format", "json"]).output)
    assert [i["rows"] for i in shown["imports"]] == [4, 4]
    assert shown["current_entries"] == {"sdn": 4}


def test_malformed_file_names_the_row_and_changes_nothing(tmp_path):
    db = tmp_path / "lists.sqlite"
    run(cli, ["lists", "import", "--format", "sdn-xml", str(FIX / "sdn.xml"), "--db", str(db)])
    before = db.read_bytes()
    bad = run(cli, ["lists", "import", "--format", "sdn-csv", str(FIX / "sdn_bad.csv"), "--db", str(db)])
    assert bad.exit_code == 2 and "sdn_bad.csv:1" in bad.output and "Row 1" in bad.output
    bad_csl = run(cli, ["lists", "import", "--format", "csl-csv", str(FIX / "consolidated_bad.csv"), "--db", str(db)])
    assert bad_csl.exit_code == 2 and "Row 3" in bad_csl.output
    assert ListStore(db).counts() == {"sdn": 3}
    assert len(ListStore(db).imports()) == 1
    assert db.read_bytes() == before or ListStore(db).counts() == {"sdn": 3}


def test_evaluation_with_an_imported_store(tmp_path):
    db = tmp_path / "lists.sqlite"
    run(cli, ["lists", "import", "--format", "csl-json", str(FIX / "consolidated.json"), "--db", str(db)])
    case = tmp_path / "c.yaml"
    case.write_text(
        "id: c\ndate: '2026-11-20'\nkind: export\norigin: US\ndestination: CN\n"
        "parties: [{name: Shenzhen Example Trading Co Ltd, roles: [end_user], country: CN}]\n"
        "items: [{description: switches, eccn: EAR99, us_origin: true}]\n"
    )
    curated = json.loads(run(cli, ["evaluate", str(case), "--format", "json"]).output)
    imported = json.loads(run(cli, ["evaluate", str(case), "--format", "json", "--lists-db", str(db)]).output)
    assert curated["outcome"] == "no_license_required"
    assert imported["outcome"] == "license_required"
    assert imported["list_entries"] == ["el.z9y8"]


def test_missing_store_is_a_clear_error(tmp_path):
    out = run(cli, ["lists", "show", "--db", str(tmp_path / "none.sqlite")])
    assert out.exit_code == 2 and "No list store here" in out.output
    assert not (tmp_path / "none.sqlite").exists()


def test_store_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSIM_DATA_DIR", str(tmp_path / "data"))
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    out = run(cli, ["lists", "import", "--format", "sdn-xml", str(FIX / "sdn.xml")])
    assert out.exit_code == 0 and (tmp_path / "data" / "lists.sqlite").exists()


def test_bulk_screen_finds_what_single_screening_finds():
    from exportsim.engine.core.facts.screening import BulkScreen
    from exportsim.engine.lists.screen_eval import load_set

    pairs, index, match_at, review_at = load_set(SET, load_rules())
    names = [p.query for p in pairs.pairs if not p.identifiers and p.country is None]
    for list_name in ("sdn", "entity_list"):
        bulk = BulkScreen(index, list_name, pairs.date).screen(names, match_at=match_at, review_at=review_at, chunk=17)
        for name, found in zip(names, bulk, strict=True):
            single = index.screen([name], list_name, pairs.date, match_at=match_at, review_at=review_at)
            assert {m.entry.id for m in single if m.band == "match"} <= {m.entry.id for m in found}, name
