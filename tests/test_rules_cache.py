"""The rules cache: the same rules as parsing them, a new key whenever an input changes, atomic
writes, and a damaged entry ignored and rebuilt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from exportsim.engine.core import rules_cache
from exportsim.engine.core.evaluate import load_transaction
from exportsim.engine.core.ruleset.loader import builtin_rules_dir, load_rules
from exportsim.engine.scenarios.prepared import prepare
from exportsim.engine.scenarios.variants import apply_variants

CASE = Path(__file__).resolve().parent.parent / "cases" / "el-huawei-ear99-2019.yaml"


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("EXPORTSIM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("EXPORTSIM_NO_CACHE", raising=False)
    return tmp_path / "data"


@pytest.fixture()
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), target)
    return target


def entries(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "cache").glob("rules-*.pickle"))


def test_a_cached_rule_set_evaluates_exactly_as_a_parsed_one(data_dir):
    txn = load_transaction(CASE)
    cold = prepare(None, ["hikvision-on-sdn"])
    warm = prepare(None, ["hikvision-on-sdn"])
    assert len(entries(data_dir)) == 1
    assert warm is not cold and warm.rules.digest == cold.rules.digest
    fresh = apply_variants(load_rules(), ["hikvision-on-sdn"])
    assert warm.rules.digest == fresh.digest and warm.rules.variants == fresh.variants
    for engine in ("python", "durable"):
        assert warm.evaluator(engine).evaluate(txn) == cold.evaluator(engine).evaluate(txn)


def test_changing_any_rule_file_changes_the_key_and_the_rules(data_dir, rules_copy):
    before = prepare(rules_copy)
    rule_file = next(p for p in sorted(rules_copy.glob("*.yaml")) if "title:" in p.read_text())
    text = rule_file.read_text()
    first_title = next(line for line in text.splitlines() if line.strip().startswith("title:"))
    rule_file.write_text(text.replace(first_title, first_title + " (edited)", 1))
    after = prepare(rules_copy)
    assert len(entries(data_dir)) == 2
    assert after.rules.digest != before.rules.digest or after.rules.regimes != before.rules.regimes
    assert after.rules.regimes == load_rules(rules_copy).regimes and after.rules.rules == load_rules(rules_copy).rules


def test_a_variant_file_is_an_input_too(data_dir, tmp_path):
    variant = tmp_path / "v.yaml"
    shutil.copyfile(builtin_rules_dir() / "variants" / "hikvision-on-sdn.yaml", variant)
    a = prepare(None, [str(variant)])
    variant.write_text(variant.read_text().replace("hikvision-on-sdn", "hikvision-on-sdn-2", 1))
    b = prepare(None, [str(variant)])
    assert a.rules.variants != b.rules.variants
    assert b.rules.variants == apply_variants(load_rules(), [str(variant)]).variants


def test_a_damaged_entry_is_ignored_and_rebuilt(data_dir):
    good = prepare()
    (entry,) = entries(data_dir)
    entry.write_bytes(entry.read_bytes()[:1000])  # truncated, as by a full disk
    again = prepare()
    assert again.rules.digest == good.rules.digest
    assert entry.stat().st_size > 1000  # rewritten whole


def test_writes_are_atomic_and_leave_no_temporary_files(data_dir):
    prepare()
    assert [p.name for p in (data_dir / "cache").iterdir() if not p.name.startswith("rules-")] == []


def test_bad_rules_are_reported_and_nothing_is_cached(data_dir, rules_copy):
    from exportsim.engine.core.errors import InputError

    (rules_copy / "broken.yaml").write_text("regime: [unclosed\n")
    with pytest.raises(InputError):
        prepare(rules_copy)
    assert entries(data_dir) == []


def test_the_cache_can_be_turned_off_and_an_unwritable_data_dir_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSIM_NO_CACHE", "1")
    monkeypatch.setenv("EXPORTSIM_DATA_DIR", str(tmp_path / "off"))
    prepare()
    assert not (tmp_path / "off").exists()
    monkeypatch.delenv("EXPORTSIM_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("EXPORTSIM_DATA_DIR", str(blocker))  # a file where the folder should be
    assert prepare().rules.rules


def test_the_key_covers_versions_and_engine_sources(monkeypatch, tmp_path):
    key = rules_cache.cache_key("rules", [builtin_rules_dir()])
    assert key == rules_cache.cache_key("rules", [builtin_rules_dir()])
    monkeypatch.setattr(rules_cache, "__version__", "9.9.9")
    assert rules_cache.cache_key("rules", [builtin_rules_dir()]) != key
    monkeypatch.undo()
    monkeypatch.setattr(rules_cache, "_code_fingerprint", lambda: b"other code")
    assert rules_cache.cache_key("rules", [builtin_rules_dir()]) != key


def test_an_input_edited_while_building_is_not_cached(data_dir, tmp_path):
    source = tmp_path / "input.txt"
    source.write_text("before")

    def build() -> str:
        value = source.read_text()
        source.write_text("after")  # edited by someone else mid-build
        return value

    assert rules_cache.cached("probe", [source], build) == "before"
    assert list((data_dir / "cache").glob("probe-*")) == []
    assert rules_cache.cached("probe", [source], lambda: source.read_text()) == "after"
    assert len(list((data_dir / "cache").glob("probe-*"))) == 1
