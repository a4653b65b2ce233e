"""Flatten a transaction into typed facts, deriving in Python only what is relational.

Relational facts would need field-to-field comparisons across facts, which crash durable-rules;
so list matches (screening), ownership fixed points and dated country-group memberships are
computed here, once, and written onto the facts as plain fields. Each derivation is recorded as a
`Note` for the trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .factschema import SENTINEL
from .loader import RuleSet
from .model import Party, Transaction
from .ownership import resolve
from .screening import ListIndex, Match, normalise

OWNERSHIP_THRESHOLD = "ofac.ownership_threshold"


@dataclass
class Note:
    """A fact derived in Python before rule matching, with its reason."""

    fact: str
    field: str
    value: object
    because: str
    source: str | None = None


@dataclass
class FactSet:
    facts: list[dict]
    notes: list[Note] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    parameters_used: dict[str, object] = field(default_factory=dict)


class Flattener:
    """Built once per rule set (the list index is reused); `flatten` runs per transaction."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.index = ListIndex(list(rules.entries.values()))

    def groups_of(self, day: dt.date) -> dict[str, set[str]]:
        return {gid: g.members_on(day) for gid, g in self.rules.groups.items()}

    def flatten(self, txn: Transaction) -> FactSet:
        day = txn.date
        iso = day.isoformat()
        members = self.groups_of(day)
        out = FactSet(facts=[])

        def groups(code: str | None) -> list[str]:
            return [SENTINEL, *sorted(g for g, m in members.items() if code in m)]

        def put_country(fact: dict, name: str, code: str | None) -> None:
            if code is not None:
                fact[name] = code
                fact[f"{name}_groups"] = groups(code)

        txn_fact: dict = {
            "t": "txn",
            "id": "txn",
            "date": iso,
            "kind": str(txn.kind),
            "us_person_involved": any(p.us_person for p in txn.parties),
            "end_uses": [SENTINEL, *txn.end_uses],
        }
        put_country(txn_fact, "origin", txn.origin)
        put_country(txn_fact, "destination", txn.destination)
        out.facts.append(txn_fact)
        out.labels["txn"] = txn.title or txn.id

        # Screening: direct SDN listings feed the ownership fixed point.
        sdn_hits: dict[str, Match] = {}
        everyone = [*txn.parties, *txn.other_entities]
        for ent in everyone:
            hit = self.index.find([ent.name, *ent.aliases], "sdn", day)
            if hit:
                sdn_hits[normalise(ent.name)] = hit
        owner_names = {o.name for ent in everyone for o in ent.owners}
        known = {normalise(e.name) for e in everyone}
        for name in owner_names:
            key = normalise(name)
            if key not in known:
                hit = self.index.find([name], "sdn", day)
                if hit:
                    sdn_hits[key] = hit
        param = self.rules.parameters.get(OWNERSHIP_THRESHOLD)
        dated = param.value_on(day) if param else None
        threshold = float(dated.value) if dated else None
        if dated is not None:
            out.parameters_used[OWNERSHIP_THRESHOLD] = dated.value
        blocked = {k: f"{m.query} matches SDN entry '{m.entry.name}' ({m.entry.id})" for k, m in sdn_hits.items()}
        ownership = resolve(everyone, blocked, threshold)
        for cycle in ownership.cycles:
            out.notes.append(
                Note(
                    "ownership",
                    "cycle",
                    cycle,
                    "the ownership data contains a cycle: "
                    + " -> ".join([*cycle, cycle[0]])
                    + "; it was evaluated as a fixed point",
                )
            )
        for key, why in ownership.blocked.items():
            if key not in sdn_hits:
                out.notes.append(Note("ownership", "blocked", True, why, "OFAC 50 Percent Rule guidance (2014-08-13)"))

        for n, party in enumerate(txn.parties):
            out.facts.append(self._party_fact(party, n, iso, put_country, sdn_hits, ownership.owner_share, out))

        for n, item in enumerate(txn.items):
            item_id = txn.item_ids()[n]
            base = item.eccn.split(".")[0]
            fact: dict = {
                "t": "item",
                "id": f"item:{item_id}",
                "date": iso,
                "item_id": item_id,
                "description": item.description,
                "eccn": item.eccn,
                "eccn_base": base,
                "eccn_category": base if base == "EAR99" else base[0],
                "subject_to_ear_declared": {True: "yes", False: "no", None: "unknown"}[item.subject_to_ear],
                "tags": [SENTINEL, *item.tags],
                "quantity": item.quantity,
            }
            for name in (
                "us_origin",
                "us_controlled_content",
                "tpp",
                "performance_density",
                "dram_bandwidth_gbps",
                "value_usd",
            ):
                value = getattr(item, name)
                if value is not None:
                    fact[name] = value
            out.facts.append(fact)
            out.labels[fact["id"]] = item.description

        if txn.investment is not None:
            inv = txn.investment
            fact = {
                "t": "investment",
                "id": "investment",
                "date": iso,
                "type": inv.type,
                "publicly_traded": inv.publicly_traded,
                "activities": [SENTINEL, *inv.activities],
            }
            for name in ("amount_usd", "lp_commitment_usd", "ai_training_ops"):
                value = getattr(inv, name)
                if value is not None:
                    fact[name] = value
            if inv.completion_date is not None:
                fact["completion_date"] = inv.completion_date.isoformat()
            out.facts.append(fact)
            out.labels["investment"] = f"{inv.type} investment"
        return out

    def _party_fact(self, party: Party, n: int, iso: str, put_country, sdn_hits, owner_share, out: FactSet) -> dict:
        day = dt.date.fromisoformat(iso)
        fact: dict = {
            "t": "party",
            "id": f"party:{n + 1}",
            "date": iso,
            "name": party.name,
            "roles": [SENTINEL, *sorted(str(r) for r in party.roles)],
            "us_person": party.us_person,
        }
        put_country(fact, "country", party.country)
        put_country(fact, "headquarters", party.headquarters)
        out.labels[fact["id"]] = party.name
        el = self.index.find([party.name, *party.aliases], "entity_list", day)
        fact["el_listed"] = el is not None
        if el:
            fact["el_entry"] = el.entry.id
            fact["el_added"] = el.entry.added.isoformat()
            if el.entry.review_policy:
                fact["el_review_policy"] = el.entry.review_policy
            out.notes.append(
                Note(
                    fact["id"],
                    "el_listed",
                    True,
                    f"'{el.query}' matches Entity List entry '{el.entry.name}' via '{el.matched_name}' "
                    f"(normalised '{el.normalised}'), listed from {el.entry.added}",
                    el.entry.citation.text(),
                )
            )
        sdn = sdn_hits.get(normalise(party.name))
        fact["sdn_listed"] = sdn is not None
        if sdn:
            fact["sdn_entry"] = sdn.entry.id
            fact["sdn_programs"] = [SENTINEL, *sdn.entry.programs]
            out.notes.append(
                Note(
                    fact["id"],
                    "sdn_listed",
                    True,
                    f"'{sdn.query}' matches SDN entry '{sdn.entry.name}' via '{sdn.matched_name}' "
                    f"(normalised '{sdn.normalised}'), designated {sdn.entry.added}",
                    sdn.entry.citation.text(),
                )
            )
        share = owner_share.get(normalise(party.name), 0.0)
        fact["blocked_owner_share"] = share
        if share > 0:
            out.notes.append(
                Note(
                    fact["id"],
                    "blocked_owner_share",
                    share,
                    f"{share:.1%} of {party.name} is owned, in aggregate, by blocked persons",
                )
            )
        return fact
