"""Declarations of the facts the rules read (rules/facts.yaml): where each comes from in a
transaction, the question to ask when it is missing, and what an absent value means.

Why this is data: "not stated" must never be silently "false". Whether an absent field is unknown
or takes a default is a legal judgement (a default is allowed only where the law supplies the
answer, e.g. end-use controls that apply on knowledge), so it sits beside the rules where a trainer
can read and question it, with its reason and source, instead of in the facts code.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Default(BaseModel):
    """A value the law supplies for a fact nobody stated, with the reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any = None
    because: str = Field(min_length=1)
    source: str | None = None


class FactDecl(BaseModel):
    """One fact field: its input path, its question, and what happens when it is absent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: str = Field(min_length=1, description="Where the transaction states it, e.g. items[].us_origin.")
    question: str = Field(min_length=1, description="The plain question to ask when the fact is missing.")
    absent: Literal["unknown", "required"] | Default | None = Field(
        default=None, description="unknown (the default for a stated field), required, or a default with its reason."
    )
    computed: str | None = Field(default=None, description="How the facts stage computes it (screening, ...).")
    asked_when: dict[str, list[str]] | None = Field(
        default=None,
        description="The question arises only when some named field of the same fact is unknown or has one of "
        "its values; otherwise an absent value is 'does not apply' (known, not stated).",
    )

    @property
    def defaults(self) -> bool:
        return isinstance(self.absent, Default)


FactDecls = dict[str, dict[str, FactDecl]]
"""Per fact type, per field."""


def resolve_absent(decls: dict[str, FactDecl], fact: dict, unknown: list[str]) -> list[str]:
    """Of the fields a fact does not state, those that stay unknown; the others take their declared
    default (written onto the fact) or are known not to apply. A field without a declaration stays
    unknown: the fail-safe answer."""
    stays: list[str] = []
    for name in unknown:
        decl = decls.get(name)
        if decl is not None and isinstance(decl.absent, Default):
            if decl.absent.value is not None:
                fact[name] = decl.absent.value
            continue
        if decl is not None and decl.asked_when and not any(
            f in unknown or fact.get(f) in allowed for f, allowed in decl.asked_when.items()
        ):
            continue  # the question does not arise for this fact
        stays.append(name)
    return stays


def input_path(decl: FactDecl | None, fact_id: str, field: str, item_ids: list[str], party_count: int) -> str:
    """Where in the transaction file a fact of `fact_id` is stated: items[2].us_origin, parties[0].country."""
    path = decl.input if decl else field
    kind, _, key = fact_id.partition(":")
    if kind == "item" and key in item_ids:
        return path.replace("items[]", f"items[{item_ids.index(key)}]")
    if kind == "party" and key.isdigit() and int(key) <= party_count:
        return path.replace("parties[]", f"parties[{int(key) - 1}]")
    return path
