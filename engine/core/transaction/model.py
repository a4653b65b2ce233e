"""The transaction model: the only place raw transaction input is validated.

A transaction file (YAML or JSON) is one proposed export, reexport, in-country transfer,
technology transfer or outbound investment. Case files add an optional `expected` block and
teaching metadata; `evaluate` ignores them, the case runner compares against them.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from exportsim.engine.core.decision.outcomes import Outcome
from iso3166 import countries_by_alpha2
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

_ECCN = re.compile(r"^(EAR99|[0-9][A-E][0-9]{3}(\.[a-z0-9]{1,4})*)$")
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


_ALPHA2 = frozenset(countries_by_alpha2)


def _country(code: str) -> str:
    if code in _ALPHA2:  # the common case, checked first: validated once per country field read
        return code
    if code.upper() in countries_by_alpha2:
        raise ValueError(f"'{code}' must be written in capitals. Fix: write '{code.upper()}'.")
    raise ValueError(
        f"'{code}' is not an ISO 3166-1 alpha-2 country code. "
        "Fix: use a two-letter code such as CN (China), MO (Macau), US or DE."
    )


def _eccn(code: str) -> str:
    if _ECCN.match(code):
        return code
    raise ValueError(
        f"'{code}' is not a well-formed ECCN. Fix: write it as digit, category letter A-E, three digits and "
        "optional lower-case paragraphs (e.g. 3A090.a, 5A992.c), or EAR99 for items not on the CCL."
    )


Country = Annotated[str, AfterValidator(_country)]
Eccn = Annotated[str, AfterValidator(_eccn)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Tag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.:-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Kind(StrEnum):
    EXPORT = "export"
    REEXPORT = "reexport"
    IN_COUNTRY_TRANSFER = "in_country_transfer"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    INVESTMENT = "investment"


class Role(StrEnum):
    EXPORTER = "exporter"
    PURCHASER = "purchaser"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    ULTIMATE_CONSIGNEE = "ultimate_consignee"
    END_USER = "end_user"
    INVESTOR = "investor"
    INVESTMENT_TARGET = "investment_target"
    FINANCIAL_INSTITUTION = "financial_institution"
    FORWARDER = "forwarder"


class Owner(Strict):
    """A direct shareholding in a party or entity; `share` is a fraction from 0 to 1."""

    name: str = Field(min_length=1)
    share: Share


def _check_owner_shares(owners: list[Owner]) -> list[Owner]:
    total = sum(o.share for o in owners)
    if total > 1.0 + 1e-9:
        raise ValueError(
            f"The owners' shares add up to {total:.4g}, more than 1 (100%). "
            "Fix: shares are fractions of the whole (0.25 = 25%); correct them so they total at most 1."
        )
    return owners


Owners = Annotated[list[Owner], AfterValidator(_check_owner_shares)]


class Entity(Strict):
    """An organisation or person that appears only in an ownership chain, not as a party."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    identifiers: dict[str, str] = Field(
        default_factory=dict, description="Registration numbers, LEI and the like: strong evidence in screening."
    )
    country: Country | None = None
    us_person: bool = False
    owners: Owners = Field(default_factory=list)


class Party(Entity):
    """A party to the transaction in one or more roles."""

    roles: list[Role] = Field(min_length=1)
    headquarters: Country | None = Field(
        default=None, description="Country where the party (or its ultimate parent) is headquartered."
    )
    authorizations: list[Tag] = Field(
        default_factory=list,
        description="Authorisations the party holds, e.g. 'uveu' or 'nveu' (AI Diffusion validated end user).",
    )


class Item(Strict):
    """A commodity, software or technology in the transaction."""

    id: str | None = Field(default=None, pattern=_ID)
    description: str = Field(min_length=1)
    eccn: Eccn = "EAR99"
    subject_to_ear: bool | None = Field(
        default=None, description="Declared status; omit it to let the rules derive it from the facts."
    )
    us_origin: bool | None = None
    us_controlled_content: Share | None = Field(
        default=None, description="Share of the value that is US-origin controlled content (for de minimis)."
    )
    tpp: float | None = Field(default=None, ge=0, description="Total processing performance.")
    performance_density: float | None = Field(default=None, ge=0)
    dram_bandwidth_gbps: float | None = Field(default=None, ge=0, description="Total DRAM bandwidth, GB/s.")
    interconnect_gbps: float | None = Field(
        default=None, ge=0, description="Bidirectional I/O transfer rate, GB/s (the October 2022 3A090 test)."
    )
    direct_product_of_us_technology: bool | None = Field(
        default=None,
        description="Foreign-made direct product of specified US technology or software (FDP rules).",
    )
    tags: list[Tag] = Field(default_factory=list, description="Material/technology tags for China-side controls.")
    compaction_density_g_cc: float | None = Field(
        default=None, ge=0, description="Cathode powder compaction density at 220 MPa, g/cm3."
    )
    discharge_capacity_mah_g: float | None = Field(default=None, ge=0, description="0.1C discharge capacity, mAh/g.")
    first_coulombic_efficiency: Share | None = Field(default=None, description="First-cycle efficiency 0..1.")
    average_voltage_v: float | None = Field(default=None, ge=0, description="Average discharge voltage, V.")
    tap_density_g_cc: float | None = Field(default=None, ge=0, description="Precursor tap density, g/cm3.")
    quantity: int = Field(default=1, ge=0)
    value_usd: float | None = Field(default=None, ge=0)


class Investment(Strict):
    """Details of an outbound investment (31 CFR part 850)."""

    type: Literal[
        "equity",
        "contingent_equity",
        "convertible_debt",
        "greenfield",
        "joint_venture",
        "lp_interest",
        "debt",
    ]
    completion_date: dt.date | None = None
    amount_usd: float | None = Field(default=None, ge=0)
    publicly_traded: bool = False
    lp_commitment_usd: float | None = Field(default=None, ge=0)
    binding_commitment_date: dt.date | None = Field(
        default=None, description="Date of a binding, uncalled capital commitment, if the investment fulfils one."
    )
    activities: list[Tag] = Field(default_factory=list)
    ai_training_ops: float | None = Field(default=None, ge=0)


class ExpectedFinding(Strict):
    outcome: Outcome
    rules: list[str] = Field(default_factory=list)


class Expectation(Strict):
    outcome: Outcome
    regimes: dict[str, ExpectedFinding] = {}


class AuthoredQuestion(Strict):
    """A trainer's own question, asked in a walk-through after the step it names."""

    after: Literal[
        "read", "parties", "items", "subject_to_ear", "classification", "lists", "exceptions", "regimes", "overall"
    ] = "overall"
    prompt: str = Field(min_length=1)
    options: list[str] = Field(min_length=2)
    answer: str = Field(min_length=1, description="The right option, as written in 'options'.")
    explanation: str = ""

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> AuthoredQuestion:
        if self.answer not in self.options:
            raise ValueError(f"The answer '{self.answer}' is not one of the options. Fix: copy it from 'options'.")
        return self


class Teaching(Strict):
    """Authored content a walk-through shows at the right step (all optional)."""

    note: str | None = Field(default=None, description="A teaching note shown at the end.")
    mistakes: list[str] = Field(default_factory=list, description="Common mistakes, shown with the overall outcome.")
    questions: list[AuthoredQuestion] = Field(default_factory=list)


class Transaction(Strict):
    """One proposed transaction, evaluated on `date` (the day whose rules apply)."""

    id: str = Field(pattern=_ID)
    title: str = ""
    narrative: str | None = None
    difficulty: Literal["intro", "intermediate", "advanced"] | None = None
    tags: list[Tag] = Field(default_factory=list)
    date: dt.date = Field(default_factory=dt.date.today)
    kind: Kind
    origin: Country
    destination: Country | None = None
    parties: list[Party] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    end_uses: list[Tag] = Field(default_factory=list)
    declarations: list[Tag] = Field(
        default_factory=list,
        description="Conditions the exporter certifies, e.g. 'h200_conditions_met' (taken as given, not verified).",
    )
    investment: Investment | None = None
    other_entities: list[Entity] = Field(default_factory=list)
    expected: Expectation | None = None
    teaching: Teaching | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Transaction:
        if self.kind != Kind.INVESTMENT and self.destination is None:
            raise ValueError(f"A transaction of kind '{self.kind}' needs a destination. Fix: add 'destination: CC'.")
        if self.kind == Kind.INVESTMENT and self.investment is None:
            raise ValueError("An investment needs an 'investment' block. Fix: add it (type, completion_date, ...).")
        ids = [item.id for item in self.items if item.id]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"Item ids must be unique; repeated: {', '.join(dupes)}. Fix: rename them.")
        return self

    def item_ids(self) -> list[str]:
        return [item.id or f"item{n + 1}" for n, item in enumerate(self.items)]
