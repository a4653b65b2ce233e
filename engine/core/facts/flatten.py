"""Flatten a transaction into typed facts, deriving in Python only what is relational.

Relational facts would need field-to-field comparisons across facts, which crash durable-rules;
so list matches (screening), ownership fixed points and dated country-group memberships are
computed here, once, and written onto the facts as plain fields. Each derivation is recorded as a
`Note` for the trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from exportsim.engine.core.facts.ownership import OwnershipResult, resolve
from exportsim.engine.core.facts.screening import DEFAULT_MATCH, DEFAULT_REVIEW, ListIndex, Match, normalise
from exportsim.engine.core.ruleset.factdecl import FactDecls, resolve_absent
from exportsim.engine.core.ruleset.factschema import SENTINEL
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.ruleset.ruledefs import Aggregation
from exportsim.engine.core.ruleset.window import Epochs
from exportsim.engine.core.transaction.model import Entity, Party, Transaction

# Lists whose matches become party facts (sdn_listed, el_listed); the lists an ownership
# aggregation counts owners from (rules/*.yaml `aggregations:`) are screened as well.
SCREENED_LISTS = frozenset({"sdn", "entity_list"})
_LIST_NAMES = {"sdn": "SDN", "entity_list": "Entity List"}


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
    entries_matched: list[str] = field(default_factory=list)  # list entry ids a name matched


UNKNOWN_KEY = "?"
"""A fact's fields that are unknown (not stated): absent from the fact, so no certain test holds on
them, and listed under this key so the possible-firings evaluator can tell "unknown" from "absent"."""

ITEM_VALUES = (
    "us_origin",
    "us_controlled_content",
    "tpp",
    "performance_density",
    "dram_bandwidth_gbps",
    "interconnect_gbps",
    "compaction_density_g_cc",
    "discharge_capacity_mah_g",
    "first_coulombic_efficiency",
    "average_voltage_v",
    "tap_density_g_cc",
    "value_usd",
    "direct_product_of_us_technology",
    "produced_from_footnote_1_design",
)


_SCREENED_BY = {
    "el": {
        "el_listed", "el_entry", "el_review_policy", "el_added", "el_fdp_footnote",
        "el_possible_match", "el_possible_entry", "el_possible_score",
    },
    "sdn": {
        "sdn_listed", "sdn_entry", "sdn_programs", "sdn_possible_match", "sdn_possible_entry", "sdn_possible_score",
    },
}  # fmt: skip


def mark_unknown(fact: dict, fields: list[str]) -> None:
    if fields:
        fact[UNKNOWN_KEY] = tuple(sorted(set(fields)))


def _settle(decls: FactDecls, fact: dict, unknown: list[str], read: dict[str, set[str]] | None = None) -> None:
    """Apply rules/facts.yaml to the fields a fact does not state, then list those still unknown
    that some rule reads (an unknown nobody tests decides nothing, and costs a possible-firings pass)."""
    stays = resolve_absent(decls.get(fact["t"], {}), fact, unknown)
    if read is not None:
        wanted = read.get(fact["t"], set())
        stays = [f for f in stays if f in wanted]
    mark_unknown(fact, stays)


def fields_read(rules: RuleSet) -> dict[str, set[str]]:
    """Per base fact type, the fields some rule tests or copies into a derived fact."""
    read: dict[str, set[str]] = {}
    for rule in rules.rules.values():
        for pattern in rule.when.values():
            read.setdefault(pattern.type, set()).update(c.field for c in pattern.where)
        if rule.derive:
            for src in rule.derive.fields.values():
                alias, _, name = src.partition(".") if isinstance(src, str) else ("", "", "")
                if alias in rule.when and name:
                    read.setdefault(rule.when[alias].type, set()).add(name)
    return read


@dataclass
class _Caught:
    """One declared ownership aggregation applied to one transaction."""

    rule: Aggregation
    listed: dict[str, Match]  # normalised name -> match on one of the aggregation's lists
    result: OwnershipResult  # fixed point of ownership by listed (and, if indirect, caught) owners


@dataclass
class _Holdings:
    """One transaction's ownership picture, built once in `flatten` and read for each party."""

    entities: dict[str, Entity]  # normalised name -> party or other entity
    el_hits: dict[str, Match]  # normalised name -> Entity List match on the day
    caught: list[_Caught]  # per declared aggregation
    any_owners: bool  # whether any party or entity of the transaction names its owners

    def listed_owners(self, name: str, caught: _Caught) -> list[Match]:
        """Listed entries reached up the ownership chain through listed or caught owners."""
        seen: set[str] = set()
        found: dict[str, Match] = {}
        stack = [normalise(name)]
        while stack:
            ent = self.entities.get(stack.pop())
            for o in ent.owners if ent else []:
                key = normalise(o.name)
                if key in seen or key not in caught.result.blocked:
                    continue
                seen.add(key)
                if key in caught.listed:
                    found[caught.listed[key].entry.id] = caught.listed[key]
                if caught.rule.indirect:
                    stack.append(key)
        return [found[k] for k in sorted(found)]

    def majority_owner_country(self, party: Party) -> str | None:
        """A country whose owners together hold at least half of the party (direct holdings whose
        owner's country the data names); the larger holding wins a 50/50 tie."""
        if not party.owners:
            return None
        ranked = sorted(self._shares_by_country(party).items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[0][0] if ranked and ranked[0][1] >= 0.5 - 1e-12 else None

    def owner_countries_open(self, party: Party) -> bool:
        """Whether owners whose country is not stated hold enough of the party that, with their
        country known, one country's owners could reach half: then the majority owner country is
        an open question, not "none"."""
        unknown = sum(
            o.share for o in party.owners if not getattr(self.entities.get(normalise(o.name)), "country", None)
        )
        if unknown <= 0:
            return False
        return max(self._shares_by_country(party).values(), default=0.0) + unknown >= 0.5 - 1e-12

    def _shares_by_country(self, party: Party) -> dict[str, float]:
        """Direct holdings in the party, summed by the owner's stated country."""
        by_country: dict[str, float] = {}
        for owner in party.owners:
            ent = self.entities.get(normalise(owner.name))
            if ent and ent.country:
                by_country[ent.country] = by_country.get(ent.country, 0.0) + owner.share
        return by_country


class Flattener:
    """Built once per rule set (the list index is reused); `flatten` runs per transaction."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self.index = ListIndex(list(rules.entries.values()))
        # Memberships change only on the days a group window or a member's dates start or end:
        # between two such days (an epoch) every group is the same, so it is computed once.
        self._group_epochs = Epochs(
            w
            for g in rules.groups.values()
            for w in [g.effective, *(m.window for m in g.members if not isinstance(m, str))]
        )
        self.read = fields_read(rules)
        self.screened_lists = SCREENED_LISTS | {lst for a in rules.aggregations.values() for lst in a.owners_from}
        self._groups_by_epoch: dict[int, dict[str, set[str]]] = {}
        self._country_groups: dict[tuple[int, str], list[str]] = {}
        self._thresholds: dict[tuple[str, dt.date], tuple] = {}

    def _epoch(self, day: dt.date) -> int:
        return self._group_epochs.of(day)

    def groups_of(self, day: dt.date) -> dict[str, set[str]]:
        """Each group's members on `day` (computed once per membership epoch)."""
        epoch = self._epoch(day)
        found = self._groups_by_epoch.get(epoch)
        if found is None:
            found = self._groups_by_epoch[epoch] = self._compute_groups(day)
        return found

    def _compute_groups(self, day: dt.date) -> dict[str, set[str]]:
        """Each group's members on `day`, with included groups unioned in (the loader rejects cycles)."""
        own = {gid: g.members_on(day) for gid, g in self.rules.groups.items()}

        def resolve_group(gid: str, path: tuple[str, ...]) -> set[str]:
            group = self.rules.groups[gid]
            if not group.effective.contains(day):
                return set()
            out = set(own[gid])
            for inc in group.includes:
                if inc not in path:
                    out |= resolve_group(inc, (*path, inc))
            return out

        return {gid: resolve_group(gid, (gid,)) for gid in own}

    def _screen(
        self, everyone: list, day: dt.date, out: FactSet
    ) -> dict[str, tuple[dict[str, Match], dict[str, Match]]]:
        """Per list (SDN, Entity List): matches and possible matches keyed by normalised name, for
        parties, other entities, and owners named only in ownership data. Each name is screened
        once against both lists; thresholds are the dated screening parameters."""
        bands = self._bands(day, out)
        lists = self.screened_lists
        found: dict[str, tuple[dict[str, Match], dict[str, Match]]] = {lst: ({}, {}) for lst in lists}

        def screen(key: str, names: list[str], **kw) -> None:
            for m in self.index.screen_cached(names, lists, day, **bands, **kw):  # best first
                match_or_review = found[m.entry.list][0 if m.band == "match" else 1]
                if key not in found[m.entry.list][0] and key not in found[m.entry.list][1]:
                    match_or_review[key] = m

        for ent in everyone:
            screen(normalise(ent.name), [ent.name, *ent.aliases], country=ent.country, identifiers=ent.identifiers)
        known = {normalise(e.name) for e in everyone}
        for name in sorted({o.name for ent in everyone for o in ent.owners}):
            if normalise(name) not in known:
                screen(normalise(name), [name])
        return found

    def _bands(self, day: dt.date, out: FactSet) -> dict[str, float]:
        """The match and review thresholds on `day`, from the declared screening parameters."""
        declared = self.rules.screening
        return {
            "match_at": self._band(declared.match_threshold if declared else None, DEFAULT_MATCH, day, out),
            "review_at": self._band(declared.review_threshold if declared else None, DEFAULT_REVIEW, day, out),
        }

    def _band(self, param_id: str | None, default: float, day: dt.date, out: FactSet) -> float:
        """A screening threshold on `day` (`screening:` in the rules names its parameter), or the
        default when the rules declare or date none."""
        value = None if param_id is None else self._threshold(param_id, day, out)
        return default if value is None else value

    def _threshold(self, param_id: str, day: dt.date, out: FactSet) -> float | None:
        """A dated threshold, or None when the parameter has no value on `day` (for an aggregation:
        it catches nothing)."""
        key = (param_id, day)
        found = self._thresholds.get(key)
        if found is None:
            if len(self._thresholds) > 50_000:  # bounded: a batch spanning many years stays small
                self._thresholds.clear()
            param = self.rules.parameters.get(param_id)
            found = self._thresholds[key] = (param.value_on(day) if param else None,)
        dated = found[0]
        if dated is None:
            return None
        out.parameters_used[param_id] = dated.value
        return float(dated.value)

    def flatten(self, txn: Transaction) -> FactSet:
        day = txn.date
        iso = day.isoformat()
        out = FactSet(facts=[])

        epoch = self._epoch(day)

        def groups(code: str) -> list[str]:
            key = (epoch, code)
            found = self._country_groups.get(key)
            if found is None:
                members = self.groups_of(day)
                found = self._country_groups[key] = [SENTINEL, *sorted(g for g, m in members.items() if code in m)]
            return list(found)

        def put_country(fact: dict, name: str, code: str | None, unknown: list[str] | None = None) -> None:
            """A country and its groups on the day. `None` is unknown when `unknown` is given (then no
            group test holds either way for certain); otherwise it means "none" (in no group)."""
            if code is not None:
                fact[name] = code
                fact[f"{name}_groups"] = groups(code)
            elif unknown is not None:
                unknown.append(name)
            else:
                fact[f"{name}_groups"] = [SENTINEL]

        txn_fact: dict = {
            "t": "txn",
            "id": "txn",
            "date": iso,
            "kind": str(txn.kind),
            "end_uses": [SENTINEL, *txn.end_uses],
            "declarations": [SENTINEL, *txn.declarations],
        }
        # A US person is involved when one party is; not involved only when every party is known not to be.
        us_persons = [p.us_person for p in txn.parties]
        if any(us_persons):
            txn_fact["us_person_involved"] = True
        elif us_persons and all(u is False for u in us_persons):
            txn_fact["us_person_involved"] = False
        else:
            _settle(self.rules.fact_decls, txn_fact, ["us_person_involved"], self.read)
        put_country(txn_fact, "origin", txn.origin)
        put_country(txn_fact, "destination", txn.destination)
        out.facts.append(txn_fact)
        out.labels["txn"] = txn.title or txn.id

        # Screening: direct listings feed the ownership fixed points (OFAC 50 Percent Rule and the
        # BIS Affiliates Rule); owners named only in ownership data are screened too.
        everyone = [*txn.parties, *txn.other_entities]
        screened = self._screen(everyone, day, out)
        sdn_hits, sdn_reviews = screened["sdn"]
        el_hits, el_reviews = screened["entity_list"]
        out.entries_matched = sorted({m.entry.id for m in [*sdn_hits.values(), *el_hits.values()]})
        reviews = {"el": el_reviews, "sdn": sdn_reviews}
        holdings = _Holdings(
            {normalise(e.name): e for e in everyone},
            el_hits,
            self._aggregate(everyone, screened, day, out),
            any(e.owners for e in everyone),
        )

        for n, party in enumerate(txn.parties):
            fact = self._party_fact(party, n, iso, put_country, sdn_hits, holdings, out)
            self._add_possible_matches(fact, party, reviews, out)
            self._add_ownership(fact, party, holdings, out)
            if party.country is None:
                self._open_if_country_decides(fact, party, day, screened, out)
            out.facts.append(fact)

        for item, item_id in zip(txn.items, txn.item_ids(), strict=True):
            fact: dict = {
                "t": "item",
                "id": f"item:{item_id}",
                "date": iso,
                "item_id": item_id,
                "description": item.description,
                "subject_to_ear_declared": {True: "yes", False: "no", None: "unknown"}[item.subject_to_ear],
                "tags": [SENTINEL, *item.tags],
                "quantity": item.quantity,
            }
            unknown: list[str] = []
            if item.eccn is None:  # a missing classification is an open question, never EAR99
                unknown += ["eccn", "eccn_base", "eccn_category"]
            else:
                base = item.eccn.split(".")[0]
                fact |= {"eccn": item.eccn, "eccn_base": base, "eccn_category": base if base == "EAR99" else base[0]}
            for name in ITEM_VALUES:
                value = getattr(item, name)
                if value is None:
                    unknown.append(name)
                else:
                    fact[name] = value
            if item.tpp is not None:
                fact["total_tpp"] = item.tpp * item.quantity
            else:
                unknown.append("total_tpp")
            _settle(self.rules.fact_decls, fact, unknown, self.read)
            out.facts.append(fact)
            out.labels[fact["id"]] = item.description

        if txn.investment is not None:
            inv = txn.investment
            fact = {
                "t": "investment",
                "id": "investment",
                "date": iso,
                "type": inv.type,
                "activities": [SENTINEL, *inv.activities],
            }
            unknown = []
            for name in ("publicly_traded", "amount_usd", "lp_commitment_usd", "ai_training_ops"):
                value = getattr(inv, name)
                if value is None:
                    unknown.append(name)
                else:
                    fact[name] = value
            for name in ("completion_date", "binding_commitment_date"):
                value = getattr(inv, name)
                if value is None:
                    unknown.append(name)
                else:
                    fact[name] = value.isoformat()
            _settle(self.rules.fact_decls, fact, unknown, self.read)
            out.facts.append(fact)
            out.labels["investment"] = f"{inv.type} investment"
        return out

    def _party_fact(
        self, party: Party, n: int, iso: str, put_country, sdn_hits, holdings: _Holdings, out: FactSet
    ) -> dict:
        fact: dict = {
            "t": "party",
            "id": f"party:{n + 1}",
            "date": iso,
            "name": party.name,
            "roles": [SENTINEL, *sorted(str(r) for r in party.roles)],
            "authorizations": [SENTINEL, *party.authorizations],
        }
        unknown: list[str] = []
        if party.us_person is None:
            unknown.append("us_person")
        else:
            fact["us_person"] = party.us_person
        put_country(fact, "country", party.country, unknown)
        put_country(fact, "headquarters", party.headquarters, unknown)
        # Ownership is taken as the records give it: no recorded owner means no majority owner country.
        majority = holdings.majority_owner_country(party)
        if majority is None and holdings.owner_countries_open(party):
            put_country(fact, "majority_owner_country", None, unknown)  # asked as the owners' countries
        else:
            put_country(fact, "majority_owner_country", majority)
        _settle(self.rules.fact_decls, fact, unknown, self.read)
        out.labels[fact["id"]] = party.name
        el = holdings.el_hits.get(normalise(party.name))
        fact["el_listed"] = el is not None
        if el:
            fact["el_entry"] = el.entry.id
            fact["el_added"] = el.entry.added.isoformat()
            if el.entry.review_policy:
                fact["el_review_policy"] = el.entry.review_policy
            if el.entry.fdp_footnote:
                fact["el_fdp_footnote"] = el.entry.fdp_footnote
            out.notes.append(
                Note(
                    fact["id"],
                    "el_listed",
                    True,
                    f"matches Entity List entry '{el.entry.name}' ({el.entry.id}): {el.describe()}, "
                    f"listed from {el.entry.added}",
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
                    f"matches SDN entry '{sdn.entry.name}' ({sdn.entry.id}): {sdn.describe()}, "
                    f"designated {sdn.entry.added}",
                    sdn.entry.citation.text(),
                )
            )
        return fact

    def _open_if_country_decides(self, fact: dict, party: Party, day: dt.date, screened: dict, out: FactSet) -> None:
        """A party whose country is unknown is screened as if it shared the entry's country (no
        penalty). If a different country would move its name to another band (match, review,
        none), its list status is an open question, asked as its country."""
        key = normalise(party.name)
        bands = self._bands(day, out)
        elsewhere: dict[str, str] = {}
        for m in self.index.screen_cached(  # best first: the first hit per list decides its band
            [party.name, *party.aliases], self.screened_lists, day, **bands, country="**", identifiers=party.identifiers
        ):
            elsewhere.setdefault(m.entry.list, m.band)
        opened: list[str] = []
        for lst, prefix in (("entity_list", "el"), ("sdn", "sdn")):
            matches, reviews = screened[lst]
            here = "match" if key in matches else "review" if key in reviews else None
            there = elsewhere.get(lst)
            if here != (None if there is None else ("match" if there == "match" else "review")):
                # the listing and everything read from the entry it would be
                opened += sorted(_SCREENED_BY[prefix])
        if opened:
            for name in opened:
                fact.pop(name, None)
            unknown = [*fact.get(UNKNOWN_KEY, ()), *opened]
            fact[UNKNOWN_KEY] = tuple(sorted(set(unknown)))
            fact.setdefault("?src", {}).update({name: (fact["id"], "country") for name in opened})

    @staticmethod
    def _add_possible_matches(fact: dict, party: Party, reviews: dict[str, dict[str, Match]], out: FactSet) -> None:
        """A name in the review band: the rules ask for a review, naming the entry and the score."""
        key = normalise(party.name)
        for prefix, found in reviews.items():
            m = found.get(key)
            fact[f"{prefix}_possible_match"] = m is not None
            if m is None:
                continue
            fact[f"{prefix}_possible_entry"] = m.entry.id
            fact[f"{prefix}_possible_score"] = m.score
            out.notes.append(
                Note(
                    fact["id"],
                    f"{prefix}_possible_match",
                    True,
                    f"possible match with {m.entry.list.replace('_', ' ')} entry '{m.entry.name}' ({m.entry.id}): "
                    + m.describe(),
                    m.entry.citation.text(),
                )
            )

    def _aggregate(self, everyone: list, screened, day: dt.date, out: FactSet) -> list[_Caught]:
        """Each declared ownership aggregation (rules/*.yaml `aggregations:`) as a fixed point over
        the transaction's ownership data, seeded with the matches on the lists it counts."""
        caught: list[_Caught] = []
        any_owners = any(e.owners for e in everyone)
        for agg in self.rules.aggregations.values():
            threshold = self._threshold(agg.threshold, day, out)  # recorded as used even with no owners
            if not any_owners:  # the common case: no ownership data, so nothing is caught or held
                caught.append(_Caught(agg, {}, OwnershipResult()))
                continue
            listed = {k: m for lst in agg.owners_from for k, m in screened[lst][0].items()}
            seeds = {
                k: f"{m.query} matches {_LIST_NAMES.get(m.entry.list, m.entry.list)} entry '{m.entry.name}' "
                f"({m.entry.id})"
                for k, m in listed.items()
            }
            result = resolve(
                everyone,
                seeds,
                threshold,
                indirect=agg.indirect,
                aggregate=agg.aggregate,
                owners_label=agg.owners_label,
            )
            if agg.caught_note:
                out.notes.extend(
                    Note("ownership", agg.caught_note, True, why, agg.citation.text())
                    for key, why in result.blocked.items()
                    if key not in seeds
                )
            caught.append(_Caught(agg, listed, result))
        for cycle in caught[0].result.cycles if caught else []:
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
        return caught

    def _add_ownership(self, fact: dict, party: Party, holdings: _Holdings, out: FactSet) -> None:
        """Write each aggregation's fields (declared under `writes:`): the share held by caught
        owners, the listed entries reached up the chain, and their most restrictive review policy
        (by the declared `review_policies` order)."""
        for caught in holdings.caught:
            agg, writes = caught.rule, caught.rule.writes
            share = caught.result.owner_share.get(normalise(party.name), 0.0) if holdings.any_owners else 0.0
            fact[writes.share] = share
            if share <= 0:
                continue
            owners = holdings.listed_owners(party.name, caught)
            if writes.entries and owners:
                fact[writes.entries] = ", ".join(m.entry.id for m in owners)
            policies = [m.entry.review_policy for m in owners if m.entry.review_policy]
            if writes.review_policy and policies:
                fact[writes.review_policy] = min(policies, key=self._policy_rank)
            how = (", in aggregate," if agg.aggregate else "") + (" directly or indirectly" if agg.indirect else "")
            named = f" ({', '.join(m.entry.name for m in owners)})" if owners else ""
            out.notes.append(
                Note(
                    fact["id"],
                    writes.share,
                    share,
                    f"{share:.1%} of {party.name} is owned{how} by {agg.owners_label}{named}",
                )
            )

    def _policy_rank(self, policy: str) -> int:
        """Position in the declared order, most restrictive first; an undeclared policy ranks first
        (fail safe: a policy the rules do not know is never out-ranked by a milder one)."""
        order = self.rules.review_policies
        return order.index(policy) if policy in order else -1
