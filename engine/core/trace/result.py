"""The result contract, as pydantic models: one model per JSON object, shared sub-models.

Why models and not a hand-written JSON Schema: the schema (`exportsim schema result`) is
generated from these classes, so it cannot drift from what the tests check, and every object
forbids unknown fields, so a field added to the evaluator without being added here fails the
tests. The evaluator still builds plain dicts on the hot path (validating every batch record
through pydantic would cost throughput); tests construct these models from real results.

Three kinds of output share these models (docs/output.md):
- `FullResult`: `exportsim evaluate --format json`, one object per transaction;
- `SummaryResult` and `NoneResult` (together `LightResult`): `detail` "summary" or "none",
  written by `evaluate-batch --trace summary|none` and read by `compare`;
- `BatchRecord`: one JSONL line of `evaluate-batch`, a result with its input `line`, `source`
  and transaction `id`, or an `ErrorRecord`.

To extend: add the field to the one model that holds it, with a description; the schema, the
field tables of docs/output.md (`python -m exportsim.engine.core.trace.outputdoc`) and the tests
follow.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.transaction.model import Kind
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

# 2 since 2026-12-01, when `regimes` became one object keyed by regime id at every detail level.
SCHEMA_VERSION = 2
SchemaVersion = Annotated[
    Literal[2],  # keep equal to SCHEMA_VERSION (a test checks)
    Field(description="The version of this contract; within a version, fields are only ever added."),
]
EngineName = Literal["durable", "python"]
Confidence = Literal["confirmed", "likely", "unconfirmed"]


class ResultObject(BaseModel):
    """Every object of a result forbids fields it does not declare."""

    model_config = ConfigDict(extra="forbid")


# -- shared pieces ----------------------------------------------------------------------------


class TransactionRef(ResultObject):
    """Which transaction was evaluated."""

    id: str = Field(description="The transaction's `id`.")
    title: str = Field(description="The transaction's `title` (may be empty).")
    kind: Kind = Field(description="export, reexport, in_country_transfer, technology_transfer or investment.")
    file: str | None = Field(description="The file it was read from; null when it came from a JSONL line or code.")


class RegimeResult(ResultObject):
    """The decision of one regime: the value under its regime id in `regimes`."""

    title: str = Field(description="The regime's title, from its rule file.")
    outcome: Outcome = Field(
        description="The strongest outcome of the regime's findings left after exceptions; insufficient_facts when "
        "an answer to a missing fact could make it more restrictive than `certain_outcome`."
    )
    certain_outcome: Outcome = Field(description="What the known facts decide (equals `outcome` unless insufficient).")
    possible_outcomes: list[Outcome] = Field(
        description="Every outcome some answer to the missing facts could give, strongest first (certain included)."
    )
    rules: list[str] = Field(description="Ids of the rules whose findings decided it, sorted; empty when none fired.")


class Answer(ResultObject):
    """One answer to a missing fact that matters: the test it must pass and what it would give."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    if_: list[str] = Field(
        alias="if",
        description="The test(s) on this fact, with the values in force (e.g. 'tpp is at least 4800').",
    )
    regime: str = Field(description="The regime of the rule it decides.")
    rule_id: str = Field(description="The rule that would then fire (possibly through derived facts).")
    outcome: Outcome = Field(description="That rule's outcome.")
    also_needs: list[str] = Field(description="Other open tests the same finding rests on (other missing facts).")
    otherwise: Outcome = Field(description="The regime's outcome on the known facts.")


class MissingFact(ResultObject):
    """A fact the transaction does not state whose answer could make an outcome more restrictive."""

    input: str = Field(description="Where the transaction would state it, e.g. items[0].us_controlled_content.")
    fact: str = Field(description="The fact id (item:ID, party:N, txn, investment).")
    label: str = Field(description="The item's description or the party's name.")
    field: str = Field(description="The fact field.")
    question: str = Field(description="The plain question to ask (rules/facts.yaml).")
    decides: list[Answer] = Field(description="For each answer that matters, the rule and the outcome it would give.")


class PossibleFinding(ResultObject):
    """A finding that could be made once the missing facts are answered (more restrictive ones only)."""

    regime: str = Field(description="The regime id.")
    outcome: Outcome = Field(description="The rule's outcome.")
    rule_id: str = Field(description="The rule's id.")
    title: str = Field(description="The rule's title.")
    citation: str = Field(description="The citation in one line.")
    rests_on: list[str] = Field(description="The open tests it rests on, as 'label: test'.")


Regimes = Annotated[
    dict[str, RegimeResult],
    Field(description="Per deciding regime, keyed by regime id (as `expected.regimes` in a case file)."),
]


class Citation(ResultObject):
    """Where the law a rule implements is written."""

    instrument: str = Field(description="The legal instrument, e.g. '15 CFR 744'.")
    section: str | None = Field(default=None, description="The section of the instrument.")
    reference: str | None = Field(default=None, description="Federal Register / MOFCOM reference.")
    url: str | None = Field(default=None, description="Where to read the text.")
    source: str | None = Field(default=None, description="Secondary source used to confirm the fact.")


class Effective(ResultObject):
    """The dates a rule is in force."""

    model_config = ConfigDict(populate_by_name=True)

    start: dt.date = Field(alias="from", description="First day in force (ISO date).")
    end: dt.date | None = Field(alias="to", description="Last day in force (ISO date); null when open-ended.")


class RuleRef(ResultObject):
    """A rule as it is cited in findings and trace steps."""

    rule_id: str = Field(description="The rule's id.")
    title: str = Field(description="The rule's title.")
    version: str = Field(description="The rule's version.")
    effective: Effective = Field(description="When the rule is in force: `from`, `to`.")
    citation: Citation = Field(description="The instrument and section the rule implements.")
    confidence: Confidence = Field(description="How sure the rule's author is of the law.")
    excerpt: str | None = Field(
        description="Short operative text of the law the rule implements (Chinese texts: marked English paraphrase)."
    )


class MatchedCondition(ResultObject):
    """One condition of a rule's pattern that a bound fact met."""

    condition: str = Field(description="The condition in words, e.g. 'destination in group embargoed'.")
    value: Any = Field(description="The value of the fact's field that met it.")
    groups: list[str] | None = Field(default=None, description="For group conditions: the groups the value is in.")
    note: str | None = Field(default=None, description="The rule author's note on the condition.")


class BoundFact(ResultObject):
    """A fact a rule firing bound to one of its patterns."""

    alias: str = Field(description="The pattern's alias in the rule.")
    fact: str = Field(description="The fact's id.")
    type: str = Field(description="The fact's type (party, item, destination, ... or a derived type).")
    label: str = Field(description="The fact in words.")
    matched: list[MatchedCondition] = Field(description="Every condition the fact met, with the value seen.")


class Obligation(ResultObject):
    """Something a finding requires to be done, with its due date when one can be computed."""

    text: str = Field(description="What must be done.")
    due: dt.date | None = Field(default=None, description="When it is due (ISO date), if the base date is known.")
    rule: str | None = Field(default=None, description="How the due date is counted, e.g. '30 calendar days from ...'.")


class Note(ResultObject):
    """A fact derived in Python before rule matching (a list match, ownership blocking, a cycle)."""

    fact: str = Field(description="The id of the fact it was set on.")
    field: str = Field(description="The field it set.")
    value: Any = Field(description="The value it set.")
    because: str = Field(description="Why, in words.")
    source: str | None = Field(description="The list entry or ownership chain it came from, if any.")


# -- the full result --------------------------------------------------------------------------


class Finding(RuleRef):
    """One firing of a deciding rule, with everything that explains it."""

    regime: str = Field(description="The regime id of the rule.")
    outcome: Outcome = Field(description="The rule's outcome.")
    summary: str = Field(description="The rule's summary in plain words.")
    review_policy: str | None = Field(description="The licence review policy, when the rule states one.")
    triggering_facts: list[BoundFact] = Field(description="Each bound fact with every condition it met.")
    obligations: list[Obligation] = Field(description="What the finding requires, with due dates.")
    displaced_by: str | None = Field(description="The id of the exception rule that displaced it; null if none.")


class TraceStep(RuleRef):
    """One rule firing, in order: derivations first, then decisions."""

    step: int = Field(ge=1, description="The position of the firing, from 1.")
    kind: Literal["derive", "decide"] = Field(description="derive (asserts a fact) or decide (has an outcome).")
    regime: str = Field(description="The regime id of the rule.")
    bound: list[BoundFact] = Field(description="The facts the firing bound.")
    derived: dict[str, Any] | None = Field(description="The fact a derive rule asserted; null for decide rules.")
    outcome: Outcome | None = Field(description="The rule's outcome; null for derive rules.")


class WhyNot(ResultObject):
    """A rule that did not fire (with `--why-not`), and why."""

    rule_id: str = Field(description="The rule's id.")
    regime: str = Field(description="The regime id of the rule.")
    title: str = Field(description="The rule's title.")
    in_force: bool = Field(description="Whether the rule was in force on `as_of`.")
    reason: str = Field(description="Why it did not fire, in words.")
    alias: str | None = Field(default=None, description="In force: the pattern that no fact satisfied.")
    fact: str | None = Field(default=None, description="In force: the closest fact's id; null if none of its type.")
    label: str | None = Field(default=None, description="In force: the closest fact in words.")
    failed_condition: str | None = Field(default=None, description="In force: the first condition it failed.")
    note: str | None = Field(default=None, description="In force: the rule author's note on that condition.")
    seen: Any = Field(default=None, description="In force: the value of the field the condition tested.")


class FullRules(ResultObject):
    """The rule set a full result was evaluated under."""

    source: str = Field(description="The folder the rule files were read from.")
    digest: str = Field(description="A content hash naming the exact rule set, variants applied.")
    variants: list[str] = Field(description="Ids of the regime variants applied, in order.")


class FullResult(ResultObject):
    """`exportsim evaluate --format json`: the decision and its whole explanation."""

    schema_version: SchemaVersion
    disclaimer: str = Field(description="A training and analysis aid, not legal advice.")
    transaction: TransactionRef = Field(description="Which transaction was evaluated.")
    as_of: dt.date = Field(description="The evaluation date (the file's `date`, or `--date`), ISO.")
    rules: FullRules = Field(description="The rule set: `source`, `digest`, `variants`.")
    engine: EngineName = Field(description="The executor that matched the rules: durable or python.")
    outcome: Outcome = Field(
        description="The strongest outcome across regimes; insufficient_facts (never a clearance) when an answer to "
        "a missing fact could make it more restrictive than `certain_outcome`."
    )
    certain_outcome: Outcome = Field(description="The strongest outcome the known facts decide.")
    possible_outcomes: list[Outcome] = Field(
        description="Every outcome the missing facts' answers could give, strongest first."
    )
    regimes: Regimes
    missing_facts: list[MissingFact] = Field(description="Each missing fact that decides something, with its question.")
    possible_findings: list[PossibleFinding] = Field(description="Findings still possible, more restrictive ones only.")
    findings: list[Finding] = Field(description="One per firing of a deciding rule, left after exceptions.")
    displaced: list[Finding] = Field(description="Findings removed by an exception, with `displaced_by`.")
    trace: list[TraceStep] = Field(description="Every rule firing in order: derivations first, then decisions.")
    notes: list[Note] = Field(description="Facts derived in Python before matching.")
    parameters: dict[str, Any] = Field(description="Dated parameter values used on `as_of`, by parameter id.")
    list_entries: list[str] = Field(description="Ids of the list entries a party, entity or owner name matched.")
    why_not: list[WhyNot] | None = Field(
        default=None, description="With `--why-not` only: each rule that did not fire, and why."
    )


# -- light results ----------------------------------------------------------------------------


class LightRules(ResultObject):
    """The rule set a light result was evaluated under."""

    digest: str = Field(description="A content hash naming the exact rule set, variants applied.")
    variants: list[str] = Field(description="Ids of the regime variants applied, in order.")


class LightFinding(ResultObject):
    """A finding of a light result with `detail` none: the rule and its outcome."""

    regime: str = Field(description="The regime id of the rule.")
    outcome: Outcome = Field(description="The rule's outcome.")
    rule_id: str = Field(description="The rule's id.")


class SummaryFinding(LightFinding):
    """A finding of a light result with `detail` summary: the rule, its outcome and its citation."""

    title: str = Field(description="The rule's title.")
    citation: str = Field(description="The citation in one line, e.g. '15 CFR 744.11 (...)'.")
    version: str = Field(description="The rule's version.")
    review_policy: str | None = Field(description="The licence review policy, when the rule states one.")
    displaced_by: str | None = Field(description="The id of the exception rule that displaced it; null if none.")


class LightResultBase(ResultObject):
    """What both light results hold: the decision without its explanation."""

    schema_version: SchemaVersion
    transaction: TransactionRef = Field(description="Which transaction was evaluated.")
    as_of: dt.date = Field(description="The evaluation date, ISO.")
    rules: LightRules = Field(description="The rule set: `digest`, `variants`.")
    engine: EngineName = Field(description="The executor that matched the rules: durable or python.")
    outcome: Outcome = Field(description="The strongest outcome across regimes, or insufficient_facts.")
    certain_outcome: Outcome = Field(description="The strongest outcome the known facts decide.")
    regimes: Regimes
    missing_facts: list[str] = Field(description="Input paths of the missing facts that decide something.")


class SummaryResult(LightResultBase):
    """`detail` summary (`evaluate-batch --trace summary`, the default; `compare`)."""

    detail: Literal["summary"] = Field(description="How much explanation the result carries: summary.")
    findings: list[SummaryFinding] = Field(description="The findings left after exceptions.")
    displaced: list[SummaryFinding] = Field(description="Findings removed by an exception.")
    fired: list[str] = Field(description="Ids of every rule that fired (derive and decide), in firing-key order.")
    list_entries: list[str] = Field(description="Ids of the list entries a party, entity or owner name matched.")


class NoneResult(LightResultBase):
    """`detail` none (`evaluate-batch --trace none`): outcomes and the deciding rules only."""

    detail: Literal["none"] = Field(description="How much explanation the result carries: none.")
    findings: list[LightFinding] = Field(description="The findings left after exceptions.")
    displaced: list[LightFinding] = Field(description="Findings removed by an exception.")


LightResult = Annotated[SummaryResult | NoneResult, Field(discriminator="detail")]


# -- batch records ----------------------------------------------------------------------------


class RecordHead(ResultObject):
    """Where a batch record's input came from."""

    line: int = Field(ge=1, description="The input line (or the case file's number in a folder), from 1.")
    source: str = Field(description="The input file, `-` for stdin, or the case file's path.")


class ResultRecordHead(RecordHead):
    """The head of a batch record that has a result: where it came from and which transaction."""

    id: str = Field(description="The transaction id (also in `transaction.id`).")


class FullRecord(ResultRecordHead, FullResult):
    """A batch record with `--trace full`: the head, then a full result."""


class SummaryRecord(ResultRecordHead, SummaryResult):
    """A batch record with `--trace summary`: the head, then a summary result."""


class NoneRecord(ResultRecordHead, NoneResult):
    """A batch record with `--trace none`: the head, then a none result."""


class RecordError(ResultObject):
    """Why a line has no result."""

    message: str = Field(description="What went wrong, naming the line or field.")
    fix: str = Field(description="What to do about it.")
    field: str | None = Field(default=None, description="The field of the transaction at fault, when known.")


class ErrorRecord(RecordHead):
    """A batch record for a line that could not be read or evaluated; the batch goes on."""

    id: str | None = Field(default=None, description="The transaction id, when the line was read but not evaluated.")
    error: RecordError = Field(description="The problem: `message`, `fix`, `field`.")


BatchRecord = FullRecord | SummaryRecord | NoneRecord | ErrorRecord

#: The models of `exportsim schema result --kind ...`, in the order of docs/output.md.
KINDS: dict[str, Any] = {"full": FullResult, "light": LightResult, "batch-record": BatchRecord}


def adapter(kind: str) -> TypeAdapter:
    """Validates (and generates the JSON Schema of) one kind of output."""
    return _ADAPTERS[kind]


_ADAPTERS = {kind: TypeAdapter(model) for kind, model in KINDS.items()}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one kind of output, generated from the models."""
    schema = adapter(kind).json_schema(mode="validation")
    title = {"full": "full result", "light": "light result", "batch-record": "batch record"}[kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": f"exportsim {title}"}


def validate_record(record: dict[str, Any]) -> BaseModel:
    """A batch record as its model; the model is chosen by the record's shape, not guessed."""
    if "error" in record:
        return ErrorRecord.model_validate(record)
    model = {"summary": SummaryRecord, "none": NoneRecord}.get(record.get("detail"), FullRecord)  # type: ignore[arg-type]
    return model.model_validate(record)
