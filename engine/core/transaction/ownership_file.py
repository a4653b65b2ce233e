"""Corporate-group ownership kept outside the transactions: an optional YAML or CSV file.

YAML: `entities: [{name, country, aliases, identifiers, owners: [{name, share}]}]`.
CSV: a header with `owned,owner,share` and optionally `owned_country,owner_country`; one row
per direct holding, shares as fractions (0.5) or percentages (50%).

For each transaction, the entities reachable upwards from its parties (their owners, their
owners' owners ...) are added to it, and a party whose ownership the transaction does not give
takes it from the file. Only reachable entities are added, so a large file costs little per
transaction. Cycles are kept as they are: the ownership resolver reports them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from exportsim.engine.core.errors import InputError
from exportsim.engine.core.facts.matching import normalise
from exportsim.engine.core.transaction.model import Entity, Owner, Transaction
from exportsim.engine.core.transaction.source import LineMap, load_file
from exportsim.engine.core.transaction.validation import problems_from, validate
from pydantic import ValidationError


@dataclass(frozen=True)
class OwnershipData:
    source: str
    entities: dict[str, Entity]  # normalised name -> entity

    def merge(self, txn: Transaction) -> Transaction:
        given = {normalise(e.name) for e in [*txn.parties, *txn.other_entities]}
        parties = [
            p.model_copy(update={"owners": self.entities[normalise(p.name)].owners})
            if not p.owners and normalise(p.name) in self.entities
            else p
            for p in txn.parties
        ]
        extra: dict[str, Entity] = {}
        stack = [o.name for p in parties for o in p.owners] + [o.name for e in txn.other_entities for o in e.owners]
        while stack:
            key = normalise(stack.pop())
            if key in given or key in extra or key not in self.entities:
                continue
            extra[key] = self.entities[key]
            stack.extend(o.name for o in extra[key].owners)
        if not extra and parties == list(txn.parties):
            return txn
        return txn.model_copy(update={"parties": parties, "other_entities": [*txn.other_entities, *extra.values()]})


def load_ownership(path: Path) -> OwnershipData:
    if path.suffix.lower() == ".csv":
        return _load_csv(path)
    data, lines = load_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise InputError.one(
            str(path),
            "An ownership file needs a list under 'entities:'.",
            "Write entities: [{name: ..., owners: [{name: ..., share: 0.5}]}].",
            1,
        )
    entities = {}
    for n, raw in enumerate(data["entities"]):
        e = validate(Entity, raw, str(path), lines, ("entities", n))
        entities[normalise(e.name)] = e
    return OwnershipData(str(path), entities)


def _share(text: str) -> float:
    t = text.strip()
    return float(t[:-1]) / 100 if t.endswith("%") else float(t)


def _load_csv(path: Path) -> OwnershipData:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    need = {"owned", "owner", "share"}
    if not reader.fieldnames or not need <= set(reader.fieldnames):
        raise InputError.one(
            str(path),
            "The CSV needs a header with owned, owner and share columns.",
            "Write: owned,owner,share[,owned_country,owner_country].",
            1,
        )
    owners: dict[str, list[Owner]] = {}
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for n, row in enumerate(reader, start=2):
        try:
            owner = Owner(name=(row["owner"] or "").strip(), share=_share(row["share"] or ""))
        except (ValueError, ValidationError) as exc:
            msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            raise InputError.one(
                str(path),
                f"Row {n} cannot be read: {msg}.",
                "Give owner and owned names and a share such as 0.5 or 50%.",
                n,
            ) from None
        owned = (row["owned"] or "").strip()
        if not owned:
            raise InputError.one(str(path), f"Row {n} names no owned entity.", "Fill the owned column.", n)
        owners.setdefault(normalise(owned), []).append(owner)
        names[normalise(owned)] = owned
        for col, who in (("owned_country", owned), ("owner_country", owner.name)):
            if (row.get(col) or "").strip():
                countries[normalise(who)] = row[col].strip()
        names.setdefault(normalise(owner.name), owner.name)
    entities = {}
    for key, name in names.items():
        try:
            entities[key] = Entity(name=name, country=countries.get(key), owners=owners.get(key, []))
        except ValidationError as exc:
            raise InputError(problems_from(exc, str(path), LineMap(), ("entity", name))) from None
    return OwnershipData(str(path), entities)
