"""The rule set a command runs on: a rules folder with variants applied, plus its screening index,
prepared once and kept in the rules cache (engine/core/rules_cache.py) for the next start.

Every command, the batch workers and the pytest plugin go through `prepare`, so all of them read
the same rules the same way and all of them start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from exportsim.engine.core.errors import InputError
from exportsim.engine.core.evaluate import EngineName, Evaluator
from exportsim.engine.core.facts.flatten import Flattener
from exportsim.engine.core.rules_cache import cached
from exportsim.engine.core.ruleset.loader import RuleSet, builtin_rules_dir, load_rules
from exportsim.engine.core.transaction.ownership_file import OwnershipData


@dataclass(frozen=True)
class Prepared:
    """A rule set and the fact builder (with its list index) made for it."""

    rules: RuleSet
    flattener: Flattener

    def evaluator(self, engine: EngineName = "durable", ownership: OwnershipData | None = None) -> Evaluator:
        return Evaluator(self.rules, engine=engine, ownership=ownership, flattener=self.flattener)


def _build(rules_dir: Path | None, variants: Sequence[str]) -> Prepared:
    rules = load_rules(rules_dir)
    if variants:
        from exportsim.engine.scenarios.variants import apply_variants

        rules = apply_variants(rules, list(variants))
    _ = rules.digest  # computed once, before caching, so a cached rule set carries it
    return Prepared(rules, Flattener(rules))


def prepare(rules_dir: Path | None = None, variants: Sequence[str] = (), lists_db: Path | None = None) -> Prepared:
    """The rules folder (default: built-in) with `variants` (paths or built-in ids) applied in
    order, and with `lists_db` the list entries of an imported list store instead of the curated
    ones (that last step is not cached: the store changes without its path changing). Raises
    InputError, each problem located, for bad rules, variants or store."""
    prepared = _cached(rules_dir, variants)
    if lists_db is None:
        return prepared
    from exportsim.engine.lists.store import with_store_entries

    rules = with_store_entries(prepared.rules, _cached(rules_dir, ()).rules, lists_db)
    return Prepared(rules, Flattener(rules))


def _cached(rules_dir: Path | None, variants: Sequence[str]) -> Prepared:
    root = rules_dir or builtin_rules_dir()
    try:
        inputs = [root, *_variant_files(variants)]
    except InputError:
        return _build(rules_dir, variants)  # reports the unknown variant as usual
    if not root.exists():
        return _build(rules_dir, variants)
    return cached("rules", inputs, lambda: _build(rules_dir, variants))


def _variant_files(variants: Sequence[str]) -> list[Path]:
    if not variants:
        return []  # the variants module (and its pydantic models) is not needed
    from exportsim.engine.scenarios.variants import resolve_variant

    return [resolve_variant(v) for v in variants]
