"""Pydantic models of the rule files: regimes, rules, dated parameters, dated groups, list entries.

Everything a rule uses is data with a stable id, so a variant can later overlay it by id, and
everything that changes over time carries `from`/`to` dates (both inclusive; `to` omitted = open):
a `Window` (engine/core/ruleset/window.py), the one "in force on a date" test.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Any, Literal

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.ruleset.factdecl import FactDecls
from exportsim.engine.core.ruleset.operators import CONDITION_OPERATORS
from exportsim.engine.core.ruleset.window import Window
from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.:-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Citation(Strict):
    instrument: str = Field(min_length=1)
    section: str | None = None
    reference: str | None = Field(default=None, description="Federal Register / MOFCOM reference.")
    url: str | None = None
    source: str | None = Field(default=None, description="Secondary source used to confirm the fact.")

    @model_validator(mode="after")
    def _has_source(self) -> Citation:
        if not (self.reference or self.url or self.source):
            raise ValueError("A citation needs a way to find the text. Fix: add 'reference', 'url' or 'source'.")
        return self

    def text(self) -> str:
        parts = [self.instrument]
        if self.section:
            parts.append(self.section)
        if self.reference:
            parts.append(f"({self.reference})")
        return " ".join(parts)


class Regime(Strict):
    id: Id
    title: str
    authority: str
    summary: str = ""


class ParamRef(Strict):
    param: Id


Scalar = str | int | float | bool
Number = int | float

OPERATORS = tuple(CONDITION_OPERATORS)  # the condition operators of a rule file (operators.py)
_OPERATOR_WORDS = {name: c.words for name, c in CONDITION_OPERATORS.items()}


class Condition(Strict):
    """One test on one field of one fact, with a plain-English note beside it."""

    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    note: str | None = None
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    in_group: Id | None = None
    not_in_group: Id | None = None
    contains: str | None = None
    not_contains: str | None = None
    contains_any: list[str] | None = None
    contains_none: list[str] | None = None
    gte: Number | str | ParamRef | None = None
    gt: Number | str | ParamRef | None = None
    lte: Number | str | ParamRef | None = None
    lt: Number | str | ParamRef | None = None
    exists: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        used = [op for op in OPERATORS if getattr(self, "in_" if op == "in" else op) is not None]
        if len(used) != 1:
            raise ValueError(
                f"A condition needs exactly one operator, found {len(used)} ({', '.join(used) or 'none'}). "
                f"Fix: use one of {', '.join(OPERATORS)}."
            )
        if used[0] in ("in", "not_in", "contains_any") and not self.operand:
            raise ValueError(f"'{used[0]}' needs a non-empty list. Fix: list at least one value.")
        return self

    @property
    def operator(self) -> str:
        return next(op for op in OPERATORS if getattr(self, "in_" if op == "in" else op) is not None)

    @property
    def operand(self) -> Any:
        op = self.operator
        return getattr(self, "in_" if op == "in" else op)

    def describe(self) -> str:
        value = self.operand
        if isinstance(value, ParamRef):
            shown = f"parameter {value.param}"
        elif isinstance(value, list):
            shown = "[" + ", ".join(str(v) for v in value) + "]"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f"{self.field} {_OPERATOR_WORDS.get(self.operator, self.operator)} {shown}"


class Pattern(Strict):
    """The facts of one type that a rule looks for, under an alias."""

    type: Id
    where: list[Condition] = []


class Derive(Strict):
    """A new fact asserted when the rule fires; field values are `alias.field` or literals."""

    type: Id
    fields: dict[str, Scalar] = {}


class Obligation(Strict):
    text: str
    days: int | None = Field(default=None, ge=0)
    business_days: bool = False
    counted_from: Literal["transaction_date", "completion_date"] = "transaction_date"


class PolicyFrom(Strict):
    field: str = Field(description="'alias.field' of a bound fact holding the review policy.")


class Rule(Strict):
    id: Id
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    citation: Citation
    excerpt: str | None = None
    version: str = "1"
    effective: Window
    when: dict[str, Pattern] = Field(min_length=1)
    outcome: Outcome | None = None
    derive: Derive | None = None
    review_policy: str | PolicyFrom | None = None
    displaces: list[Id] = []
    obligations: list[Obligation] = []
    confidence: Literal["confirmed", "likely", "unconfirmed"] = "confirmed"

    @model_validator(mode="after")
    def _one_effect(self) -> Rule:
        if (self.outcome is None) == (self.derive is None):
            raise ValueError(
                "A rule either decides ('outcome') or derives a fact ('derive'), not both or neither. "
                "Fix: keep exactly one of them."
            )
        for alias in self.when:
            if not alias.isidentifier() or not alias.islower():
                raise ValueError(f"Alias '{alias}' must be a lower-case identifier. Fix: rename it, e.g. 'party'.")
        return self


class DatedValue(Window):
    """A parameter's value over its window of days."""

    value: Number | str = Field(description="A number, or a date written YYYY-MM-DD for date fields.")
    note: str | None = None

    @model_validator(mode="after")
    def _date_text(self) -> DatedValue:
        if isinstance(self.value, str):
            try:
                dt.date.fromisoformat(self.value)
            except ValueError:
                raise ValueError(f"'{self.value}' is neither a number nor a date. Fix: write YYYY-MM-DD.") from None
        return self


class Parameter(Strict):
    id: Id
    title: str
    unit: str = ""
    citation: Citation
    values: list[DatedValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_overlap(self) -> Parameter:
        ordered = sorted(self.values, key=lambda v: v.start)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.intersect(after) is not None:
                raise ValueError(
                    f"Values of parameter '{self.id}' overlap: one from {before.start} runs into one from "
                    f"{after.start}. Fix: give the earlier value a 'to' date before {after.start}."
                )
        return self

    def value_on(self, day: dt.date) -> DatedValue | None:
        return next((v for v in self.values if v.contains(day)), None)


class Member(Strict):
    country: str
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    note: str | None = None

    @cached_property
    def window(self) -> Window:
        """A member without `from` has been one since ever; without `to`, still is."""
        return Window.of(self.start, self.end)


class Group(Strict):
    id: Id
    title: str
    citation: Citation
    effective: Window
    members: list[str | Member] = []
    includes: list[Id] = Field(default=[], description="Other groups whose members (on the same day) belong here.")

    def members_on(self, day: dt.date) -> set[str]:
        if not self.effective.contains(day):
            return set()
        out = set()
        for m in self.members:
            if isinstance(m, str):
                out.add(m)
            elif m.window.contains(day):
                out.add(m.country)
        return out


# entity_list, sdn, or another list's code from the Consolidated Screening List (meu, dpl, uvl ...)
ListCode = Annotated[str, Field(pattern=r"^[a-z][a-z_]*$")]


class ListEntry(Strict):
    id: Id
    list: ListCode
    name: str
    aliases: list[str] = []
    weak_aliases: list[str] = Field(default=[], description="Low-quality aliases: they only corroborate a match.")
    identifiers: dict[str, str] = Field(default={}, description="e.g. {lei: ..., registration: ..., imo: ...}.")
    country: str | None = None
    added: dt.date
    removed: dt.date | None = None
    review_policy: str | None = None
    license_requirement: str | None = None
    programs: list[str] = []
    fdp_footnote: str | None = None
    citation: Citation
    owners: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _dates_ordered(self) -> ListEntry:
        if self.removed is not None and self.removed < self.added:
            raise ValueError(
                f"The entry is removed ({self.removed}) before it is added ({self.added}). Fix: correct the dates."
            )
        return self

    @cached_property
    def window(self) -> Window:
        """Listed from `added` to `removed` (both inclusive; no `removed` = still listed)."""
        return Window(start=self.added, end=self.removed)


class AggregationFields(Strict):
    """The party fact fields an ownership aggregation writes."""

    share: str = Field(description="num: the share of the party held by caught owners (0 when none).")
    entries: str | None = Field(default=None, description="str: ids of the listed entries reached up the chain.")
    review_policy: str | None = Field(
        default=None, description="str: the most restrictive review policy of those entries (`review_policies`)."
    )


class Aggregation(Strict):
    """An ownership rule the fact builder applies before rule matching (OFAC 50 Percent Rule, BIS
    Affiliates Rule): entities whose owners on the named lists hold at least the threshold are
    caught. Declared as data so a trainer can read what counts, and a variant can change it."""

    id: Id
    title: str = Field(min_length=1)
    citation: Citation
    owners_from: list[ListCode] = Field(min_length=1, description="Lists whose matched entries are the owners.")
    threshold: Id = Field(description="The dated parameter (a fraction) from which holdings catch an entity.")
    indirect: bool = Field(description="Whether entities caught in turn count as owners (chains are followed).")
    aggregate: bool = Field(description="Whether holdings of several caught owners add up to the threshold.")
    owners_label: str = Field(min_length=1, description="What the owners are called in explanations.")
    caught_note: str | None = Field(
        default=None, description="Note field under which each entity caught through ownership is reported."
    )
    writes: AggregationFields


class ScreeningBands(Strict):
    """The dated parameters that set the screening bands (scores 0-100)."""

    match_threshold: Id = Field(description="From this score a name is treated as the listed party.")
    review_threshold: Id = Field(description="From this score a name is a possible match needing review.")


class RuleFile(Strict):
    regime: Regime | None = None
    facts: FactDecls = {}
    rules: list[Rule] = []
    parameters: list[Parameter] = []
    groups: list[Group] = []
    entries: list[ListEntry] = []
    aggregations: list[Aggregation] = []
    review_policies: list[str] | None = Field(
        default=None, min_length=1, description="Review policies, most restrictive first."
    )
    screening: ScreeningBands | None = None
