"""The decision outcomes, strongest first, and how they combine."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    PROHIBITED = "prohibited"  # includes blocked property and dealings
    LICENSE_REQUIRED = "license_required"
    # The known facts do not decide: a more restrictive outcome than the certain one is possible
    # until the missing facts are answered. Never a clearance; ranked below a certain licence
    # requirement because the certain outcome it carries may be anything weaker.
    INSUFFICIENT_FACTS = "insufficient_facts"
    NOTIFICATION_REQUIRED = "notification_required"
    REVIEW_REQUIRED = "review_required"  # a possible, unconfirmed list match
    # A fact, item, country or transaction kind that the regime's rules do not cover: the regime
    # was not fully assessed. It blocks nothing, but it is not "no licence required" either.
    NOT_MODELLED = "not_modelled"
    LICENSE_EXCEPTION = "license_exception"  # a requirement exists but a named exception covers it
    NO_LICENSE_REQUIRED = "no_license_required"

    @property
    def strength(self) -> int:
        """Higher is more restrictive."""
        return _STRENGTH[self]


_STRENGTH = {o: len(Outcome) - n for n, o in enumerate(Outcome)}


def strongest(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=_STRENGTH.__getitem__, default=Outcome.NO_LICENSE_REQUIRED)
