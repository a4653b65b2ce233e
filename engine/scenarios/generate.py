"""A synthetic transaction population, drawn from a documented profile and reproducible from a seed.

Policy staff use it to estimate the reach of a variant beyond the curated cases, and the batch
benchmark uses it as input. The same profile, seed and rule set give the same lines on every
machine: only `random.Random(seed)` draws, in a fixed order. Listed names come from the rule
set's list entries, so a population exercises the lists it is evaluated against.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.transaction.source import load_file
from exportsim.engine.core.transaction.validation import validate
from pydantic import BaseModel, ConfigDict, Field

Range = tuple[float, float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Dates(_Strict):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")


class AiChip(_Strict):
    tpp: Range
    performance_density: Range
    dram_bandwidth_gbps: Range
    interconnect_gbps: Range
    us_origin_share: float = Field(ge=0, le=1)
    foreign_content_share: Range


class BatteryMaterial(_Strict):
    compaction_density_g_cc: Range
    discharge_capacity_mah_g: Range


class CathodeTechnology(BatteryMaterial):
    first_coulombic_efficiency: Range
    average_voltage_v: Range


class Parties(_Strict):
    listed_end_user: float = Field(ge=0, le=1)
    sdn_party: float = Field(ge=0, le=1)
    owned_by_listed: float = Field(ge=0, le=1)
    headquarters_in_china: float = Field(ge=0, le=1)
    us_person_exporter: float = Field(ge=0, le=1)
    military_end_use: float = Field(ge=0, le=1)
    h200_declaration: float = Field(ge=0, le=1)


class InvestmentProfile(_Strict):
    types: dict[str, float]
    amount_usd: Range
    publicly_traded: float = Field(ge=0, le=1)
    lp_commitment_usd: Range
    binding_commitment_before_2025: float = Field(ge=0, le=1)
    target_china: float = Field(ge=0, le=1)
    activities: dict[str, float]
    ai_training_ops_log10: Range


class Profile(_Strict):
    id: str
    title: str
    drop_facts: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Share of the droppable facts (party US-person status, country and headquarters; item ECCN, "
        "origin, US content, direct-product status, performance; investment completion date and training "
        "compute) left out of each transaction, to test how the rules handle unknown facts.",
    )
    dates: Dates
    kinds: dict[str, float]
    us_origin: dict[str, float]
    destinations: dict[str, float]
    items: dict[str, float]
    ai_chip: AiChip
    battery_material: BatteryMaterial
    cathode_technology: CathodeTechnology
    parties: Parties
    investment: InvestmentProfile


ITEM_CLASSES = (
    "ear99_goods",
    "telecom_5a992",
    "ai_chip",
    "gallium_germanium",
    "antimony_graphite",
    "battery_material",
    "cathode_technology",
    "lithium_technology",
)
DROPPABLE = {
    "party": ("us_person", "country", "headquarters"),
    "item": (
        "eccn",
        "us_origin",
        "us_controlled_content",
        "direct_product_of_us_technology",
        "tpp",
        "performance_density",
    ),
    "investment": ("completion_date", "ai_training_ops"),
}
# Activities the outbound investment rules name; any other drawn activity is stated as "no covered activity".
COVERED_OR_NAMED = {
    "ai_model_development",
    "ic_design",
    "advanced_logic_fabrication",
    "eda_software",
    "ic_packaging",
    "quantum_computer",
    "ai_mass_surveillance",
    "ai_biological_sequence_data",
    "ai_robotic_control",
}
CHINA_ONLY = {"gallium_germanium", "antimony_graphite", "battery_material", "cathode_technology", "lithium_technology"}


def default_profile_path() -> Path:
    return Path(str(files("exportsim"))) / "profiles" / "default.yaml"


def load_profile(path: Path | None = None) -> Profile:
    path = path or default_profile_path()
    data, lines = load_file(path)
    return validate(Profile, data, str(path), lines)


def meets_3a090(tpp: float, density: float, interconnect: float, day: str) -> bool:
    """Whether a chip with these parameters is 3A090 on `day`, so that the generated ECCN agrees
    with the parameters (the October 2022 text: TPP and I/O rate; from 2023-11-17: TPP and
    performance density, .a and .b). A simplified mirror of rules/us_ai_chips.yaml, for data only."""
    if day < "2022-10-07":
        return False
    if day < "2023-11-17":
        return tpp >= 4800 and interconnect >= 600
    return (
        tpp >= 4800
        or (tpp >= 1600 and density >= 5.92)
        or (2400 <= tpp < 4800 and 1.6 <= density < 5.92)
        or (1600 <= tpp < 2400 and 3.2 <= density < 5.92)
    )


class Generator:
    """Draws transactions one at a time; `population(n)` yields n JSON-ready dicts."""

    def __init__(self, profile: Profile, rules: RuleSet, seed: int, drop_facts: float | None = None) -> None:
        self.p = profile
        self.drop_rate = profile.drop_facts if drop_facts is None else drop_facts
        # a generator of its own, so a population with facts dropped is the same population as without
        self.drop_rng = random.Random(f"drop-{seed}")
        self.rng = random.Random(seed)
        self.seed = seed
        entries = sorted(rules.entries.values(), key=lambda e: e.id)
        self.el_names = [n for e in entries if e.list == "entity_list" for n in [e.name, *e.aliases]]
        self.sdn_names = [n for e in entries if e.list == "sdn" for n in [e.name, *e.aliases]]

    # -- drawing helpers ------------------------------------------------------------------------

    def pick(self, weights: dict[str, float]) -> str:
        keys = sorted(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def between(self, r: Range, digits: int = 2) -> float:
        return round(self.rng.uniform(r[0], r[1]), digits)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day(self) -> str:
        span = (self.p.dates.end - self.p.dates.start).days
        return (self.p.dates.start + dt.timedelta(days=self.rng.randint(0, span))).isoformat()

    # -- the population -----------------------------------------------------------------------

    def population(self, n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            txn = self.transaction(i)
            yield self.drop(txn) if self.drop_rate else txn

    def drop(self, txn: dict[str, Any]) -> dict[str, Any]:
        """Leave out each droppable fact with the profile's probability (from a generator of its
        own, so the same seed gives the same transactions whatever the rate)."""
        for party in txn.get("parties", []):
            for key in DROPPABLE["party"]:
                if key in party and self.drop_rng.random() < self.drop_rate:
                    del party[key]
        for item in txn.get("items", []):
            for key in DROPPABLE["item"]:
                if key in item and self.drop_rng.random() < self.drop_rate:
                    del item[key]
        inv = txn.get("investment")
        for key in DROPPABLE["investment"] if inv else ():
            if key in inv and self.drop_rng.random() < self.drop_rate:
                del inv[key]
        return txn

    def transaction(self, i: int) -> dict[str, Any]:
        kind = self.pick(self.p.kinds)
        tid = f"gen-{self.seed}-{i:07d}"
        if kind == "investment":
            return self._investment(tid)
        first = self.pick(self.p.items)
        classes = [first] + [self.pick(self.p.items) for _ in range(self.rng.choice((0, 0, 1, 2)))]
        if first in CHINA_ONLY:
            classes = [c for c in classes if c in CHINA_ONLY]
            origin = "CN"
        else:
            classes = [c for c in classes if c not in CHINA_ONLY]
            origin = self.pick(self.p.us_origin)
        if kind == "technology_transfer" and first not in ("cathode_technology", "lithium_technology"):
            kind = "export"
        destination = self.pick(self.p.destinations)
        while destination == origin:
            destination = self.pick(self.p.destinations)
        day = self.day()
        items = [self._item(c, origin, n, day) for n, c in enumerate(classes)]
        txn: dict[str, Any] = {
            "id": tid,
            "title": f"Synthetic {kind} of {', '.join(classes)} from {origin} to {destination}",
            "date": day,
            "kind": kind,
            "origin": origin,
            "destination": destination,
            "parties": self._parties(origin, destination),
            "items": items,
        }
        if self.chance(self.p.parties.military_end_use):
            txn["end_uses"] = ["military"]
        if "ai_chip" in classes and destination in ("CN", "MO") and self.chance(self.p.parties.h200_declaration):
            txn["declarations"] = ["h200_conditions_met"]
        return txn

    def _parties(self, origin: str, destination: str) -> list[dict[str, Any]]:
        pp = self.p.parties
        # Every fact is stated (a population with unknowns comes from `drop_facts`).
        exporter = {
            "name": f"Exporter {self.rng.randint(1, 400)} {'Inc' if origin == 'US' else 'Ltd'}",
            "roles": ["exporter"],
            "country": origin,
            "headquarters": origin,
            "us_person": origin == "US" and self.chance(pp.us_person_exporter),
        }
        end_user: dict[str, Any] = {
            "name": f"Customer {self.rng.randint(1, 5000)} Co., Ltd.",
            "roles": ["purchaser", "ultimate_consignee", "end_user"],
            "country": destination,
            "headquarters": destination,
            "us_person": destination == "US",
        }
        parties = [exporter, end_user]
        if self.el_names and self.chance(pp.listed_end_user):
            end_user["name"] = self.rng.choice(self.el_names)
        elif self.el_names and self.chance(pp.owned_by_listed):
            end_user["owners"] = [{"name": self.rng.choice(self.el_names), "share": self.between((0.5, 1.0))}]
        elif destination != "CN" and self.chance(pp.headquarters_in_china):
            end_user["headquarters"] = "CN"
        if self.sdn_names and self.chance(pp.sdn_party):
            parties.append(
                {
                    "name": self.rng.choice(self.sdn_names),
                    "roles": ["intermediate_consignee"],
                    "country": destination,
                    "headquarters": destination,
                    "us_person": False,
                }
            )
        return parties

    def _item(self, cls: str, origin: str, n: int, day: str = "2026-01-01") -> dict[str, Any]:
        item: dict[str, Any] = {"id": f"i{n + 1}"}
        us_made = origin == "US"
        if cls in ("ear99_goods", "telecom_5a992"):
            item |= (
                {"description": "Office network equipment", "eccn": "EAR99"}
                if cls == "ear99_goods"
                else {"description": "Encryption-capable routers", "eccn": "5A992.c"}
            )
            item["us_origin"] = us_made
            if not us_made:
                item["us_controlled_content"] = self.between((0.0, 0.4))
                item["direct_product_of_us_technology"] = self.chance(0.1)
        elif cls == "ai_chip":
            c = self.p.ai_chip
            us = us_made or self.chance(c.us_origin_share)
            tpp = self.between(c.tpp, 0)
            density = self.between(c.performance_density)
            item |= {
                "description": "Data-centre AI accelerator",
                "eccn": "",  # set below: the exporter's classification, from the parameters on the date
                "us_origin": us,
                "tpp": tpp,
                "performance_density": density,
                "dram_bandwidth_gbps": self.between(c.dram_bandwidth_gbps, 0),
                "interconnect_gbps": self.between(c.interconnect_gbps, 0),
                "quantity": self.rng.choice((1, 8, 64, 512)),
            }
            item["eccn"] = "3A090" if meets_3a090(tpp, density, item["interconnect_gbps"], day) else "3A991"
            if not us:
                item["us_controlled_content"] = self.between(c.foreign_content_share)
                item["direct_product_of_us_technology"] = self.chance(0.5)
        elif cls == "gallium_germanium":
            tag = self.rng.choice(("gallium_metal", "gallium_nitride", "germanium_dioxide"))
            item |= {"description": tag.replace("_", " ").capitalize(), "tags": [tag]}
        elif cls == "antimony_graphite":
            tag = self.rng.choice(("controlled_antimony", "controlled_graphite"))
            item |= {"description": tag.replace("_", " ").capitalize(), "tags": [tag]}
        elif cls == "battery_material":
            b = self.p.battery_material
            item |= {
                "description": "LFP cathode powder",
                "tags": [self.rng.choice(("lfp_cathode_material", "artificial_graphite_anode"))],
                "compaction_density_g_cc": self.between(b.compaction_density_g_cc),
                "discharge_capacity_mah_g": self.between(b.discharge_capacity_mah_g, 1),
            }
        elif cls == "cathode_technology":
            t = self.p.cathode_technology
            tag = self.rng.choice(("lfp_cathode_preparation_technology", "lmfp_cathode_preparation_technology"))
            item |= {
                "description": "Cathode preparation know-how",
                "tags": [tag, "not_cn_dual_use"],
                "compaction_density_g_cc": self.between(t.compaction_density_g_cc),
                "discharge_capacity_mah_g": self.between(t.discharge_capacity_mah_g, 1),
                "first_coulombic_efficiency": self.between(t.first_coulombic_efficiency, 3),
                "average_voltage_v": self.between(t.average_voltage_v),
            }
        else:  # lithium_technology
            item |= {
                "description": "Lithium brine extraction process",
                "tags": ["lithium_brine_extraction_technology", "not_cn_dual_use"],
            }
        if cls in CHINA_ONLY:  # made in China without US content: outside the EAR
            item |= {"us_origin": False, "us_controlled_content": 0.0, "direct_product_of_us_technology": False}
        return item

    def _investment(self, tid: str) -> dict[str, Any]:
        ip = self.p.investment
        inv_type = self.pick(ip.types)
        activity = self.pick(ip.activities)
        china = self.chance(ip.target_china)
        target: dict[str, Any] = {
            "name": f"Target {self.rng.randint(1, 3000)} Technology Co., Ltd.",
            "roles": ["investment_target"],
            "country": "CN" if china else self.rng.choice(("SG", "GB", "DE", "KY")),
            "us_person": False,
        }
        target["headquarters"] = target["country"]
        if not china and self.chance(0.3):
            target["owners"] = [{"name": "Parent Holdings (Shenzhen) Co., Ltd.", "share": self.between((0.3, 0.9))}]
        completion = self.day()
        investment: dict[str, Any] = {
            "type": inv_type,
            "completion_date": completion,
            "amount_usd": self.between(ip.amount_usd, 0),
            "activities": [activity] if activity in COVERED_OR_NAMED else [activity, "no_covered_activity"],
            "publicly_traded": False,
        }
        if activity.startswith("ai_"):
            investment["ai_training_ops"] = float(f"{10 ** self.between(ip.ai_training_ops_log10, 2):.3e}")
        if activity.startswith("ai_") and "ai_model_development" not in investment["activities"]:
            investment["activities"].append("ai_model_development")
        if self.chance(ip.publicly_traded):
            investment["publicly_traded"] = True
        if inv_type == "lp_interest":
            investment["lp_commitment_usd"] = self.between(ip.lp_commitment_usd, 0)
        if self.chance(ip.binding_commitment_before_2025):
            investment["binding_commitment_date"] = "2024-06-01"
        txn: dict[str, Any] = {
            "id": tid,
            "title": f"Synthetic {inv_type} investment in {activity} ({target['country']})",
            "date": completion,
            "kind": "investment",
            "origin": "US",
            "parties": [
                {
                    "name": f"Fund {self.rng.randint(1, 300)} LP",
                    "roles": ["investor"],
                    "country": "US",
                    "us_person": True,
                },
                target,
            ],
            "investment": investment,
        }
        if "owners" in target:
            txn["other_entities"] = [{"name": "Parent Holdings (Shenzhen) Co., Ltd.", "country": "CN"}]
        return txn
