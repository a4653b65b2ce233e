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
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

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


UNKNOWN = "unknown"


def _unknown_to_none(value: object) -> object:
    """`unknown` written in the input means the same as leaving the field out: the fact is not known."""
    return None if isinstance(value, str) and value.strip().lower() == UNKNOWN else value


class _Unknowable(BeforeValidator):
    """Marks a field that may be unknown: absent, null or the word `unknown` all leave it unknown, and
    the rules treat it as an open question, never as false or zero (docs/transaction-format.md).
    The JSON Schema (`exportsim schema transaction`) shows the word as an allowed value."""

    def __get_pydantic_json_schema__(self, core_schema, handler):  # type: ignore[no-untyped-def]
        schema = handler(core_schema)
        return {
            "anyOf": [schema, {"const": UNKNOWN, "description": "Not known: the same as leaving the field out."}],
        }


Unknowable = _Unknowable(_unknown_to_none)

Country = Annotated[str, AfterValidator(_country)]
Eccn = Annotated[str, AfterValidator(_eccn)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
MaybeCountry = Annotated[Country | None, Unknowable]
MaybeBool = Annotated[bool | None, Unknowable]
MaybeShare = Annotated[Share | None, Unknowable]
NonNegative = Annotated[float, Field(ge=0)]
MaybeNumber = Annotated[NonNegative | None, Unknowable]
MaybeDate = Annotated[dt.date | None, Unknowable]
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
    country: MaybeCountry = Field(
        default=None, description="Country of organisation or nationality; unknown if omitted."
    )
    us_person: MaybeBool = Field(
        default=None, description="A US person (31 CFR 560.314-style definition, simplified); unknown if omitted."
    )
    owners: Owners = Field(
        default_factory=list,
        description="Direct shareholders as the ownership records give them (an empty list: none recorded).",
    )


class Party(Entity):
    """A party to the transaction in one or more roles."""

    roles: list[Role] = Field(min_length=1)
    headquarters: MaybeCountry = Field(
        default=None,
        description="Country where the party (or its ultimate parent) is headquartered; unknown if omitted.",
    )
    authorizations: list[Tag] = Field(
        default_factory=list,
        description="Authorisations the party holds, e.g. 'uveu' or 'nveu' (AI Diffusion validated end user).",
    )


class Item(Strict):
    """A commodity, software or technology in the transaction. Every technical fact may be unknown:
    leave it out (or write `unknown`) rather than guess, and the result names what is missing."""

    id: str | None = Field(default=None, pattern=_ID)
    description: str = Field(min_length=1)
    eccn: Annotated[Eccn | None, Unknowable] = Field(
        default=None,
        description="Export Control Classification Number, or EAR99 for items not on the CCL; unknown if omitted.",
    )
    subject_to_ear: MaybeBool = Field(
        default=None, description="Declared status; omit it to let the rules derive it from the facts."
    )
    us_origin: MaybeBool = Field(default=None, description="Made in the United States; unknown if omitted.")
    us_controlled_content: MaybeShare = Field(
        default=None, description="Share of the value that is US-origin controlled content (for de minimis)."
    )
    tpp: MaybeNumber = Field(default=None, description="Total processing performance.")
    performance_density: MaybeNumber = None
    dram_bandwidth_gbps: MaybeNumber = Field(default=None, description="Total DRAM bandwidth, GB/s.")
    interconnect_gbps: MaybeNumber = Field(
        default=None, description="Bidirectional I/O transfer rate, GB/s (the October 2022 3A090 test)."
    )
    direct_product_of_us_technology: MaybeBool = Field(
        default=None,
        description="Foreign-made direct product of specified US technology or software, or of a plant that is "
        "one (FDP rules, 15 CFR 734.9).",
    )
    produced_from_footnote_1_design: MaybeBool = Field(
        default=None,
        description="Produced from a design (software or technology) of a footnote-1 entity such as Huawei or "
        "HiSilicon (the May 2020 form of the Huawei FDP rule).",
    )
    tags: list[Tag] = Field(default_factory=list, description="Material/technology tags for China-side controls.")
    compaction_density_g_cc: MaybeNumber = Field(
        default=None, description="Cathode powder compaction density at 220 MPa, g/cm3."
    )
    discharge_capacity_mah_g: MaybeNumber = Field(default=None, description="0.1C discharge capacity, mAh/g.")
    first_coulombic_efficiency: MaybeShare = Field(default=None, description="First-cycle efficiency 0..1.")
    average_voltage_v: MaybeNumber = Field(default=None, description="Average discharge voltage, V.")
    tap_density_g_cc: MaybeNumber = Field(default=None, description="Precursor tap density, g/cm3.")
    quantity: int = Field(default=1, ge=0)
    value_usd: MaybeNumber = None


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
    completion_date: MaybeDate = None
    amount_usd: MaybeNumber = None
    publicly_traded: MaybeBool = Field(default=None, description="Publicly traded securities; unknown if omitted.")
    lp_commitment_usd: MaybeNumber = None
    binding_commitment_date: MaybeDate = Field(
        default=None, description="Date of a binding, uncalled capital commitment, if the investment fulfils one."
    )
    activities: list[Tag] = Field(default_factory=list)
    ai_training_ops: MaybeNumber = None


class ExpectedFinding(Strict):
    outcome: Outcome
    certain_outcome: Outcome | None = Field(
        default=None, description="With outcome insufficient_facts: what the known facts decide for this regime."
    )
    rules: list[str] = Field(default_factory=list)


class Expectation(Strict):
    outcome: Outcome
    certain_outcome: Outcome | None = Field(
        default=None, description="With outcome insufficient_facts: the strongest outcome the known facts decide."
    )
    missing_facts: list[str] = Field(
        default_factory=list,
        description="Input paths the result must name as missing (e.g. items[0].us_controlled_content); "
        "others may be named too.",
    )
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
