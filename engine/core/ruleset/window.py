"""The one "in force on a date" concept: an inclusive window of days, open-ended when `to` is omitted.

Rules (`effective`), dated parameter values, country groups and their members, list entries
(`added`/`removed`), variants and lint all ask the same question, "is this in force on that
day?", so they all ask it of a `Window`. Open-ended is written one way: `to` omitted (`end is
None`); `OPEN_END` (the last representable day) exists only for interval arithmetic and is
never written to a file.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPEN_END = dt.date.max  # only for arithmetic on spans: a window with `end is None` runs to here
SINCE_EVER = dt.date.min


class Window(BaseModel):
    """An inclusive date window; `to` omitted (or null) means still in force."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"The window ends ({self.end}) before it starts ({self.start}). Fix: swap or correct the dates."
            )
        return self

    @classmethod
    def of(cls, start: dt.date | None, end: dt.date | None = None) -> Window:
        """A window from optional dates (a missing start means "since ever")."""
        return cls(start=start or SINCE_EVER, end=end)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def last_day(self) -> dt.date:
        """The last day in force (`OPEN_END` when open-ended), for interval arithmetic."""
        return OPEN_END if self.end is None else self.end

    def label(self) -> str:
        return f"{self.start} .. {self.end or 'open'}"

    def change_days(self) -> list[dt.date]:
        """The days on which "in force" changes: the start and the day after the end."""
        out = [self.start] if self.start != SINCE_EVER else []
        if self.end is not None and self.end != OPEN_END:
            out.append(self.end + dt.timedelta(days=1))
        return out

    def intersect(self, other: Window) -> Window | None:
        start, last = max(self.start, other.start), min(self.last_day, other.last_day)
        if start > last:
            return None
        return Window(start=start, end=None if last == OPEN_END else last)

    def ended_before(self, day: dt.date) -> Window | None:
        """This window cut so that it ends at the latest on the day before `day` (None if nothing is left)."""
        return self.intersect(Window(start=SINCE_EVER, end=day - dt.timedelta(days=1)))


ALWAYS = Window(start=SINCE_EVER)


def end_before(end: str | None, day: dt.date) -> str:
    """A `to` date (ISO text, or None for open-ended) moved back, if need be, to the day before `day`."""
    cut = (day - dt.timedelta(days=1)).isoformat()
    return cut if end is None else min(end, cut)


def union(windows: Iterable[Window]) -> list[Window]:
    """The windows merged into the fewest disjoint ones (adjacent days join), in date order."""
    out: list[Window] = []
    for w in sorted(windows, key=lambda w: (w.start, w.last_day)):
        if out and (out[-1].last_day == OPEN_END or w.start <= out[-1].last_day + dt.timedelta(days=1)):
            last = max(out[-1].last_day, w.last_day)
            out[-1] = Window(start=out[-1].start, end=None if last == OPEN_END else last)
        else:
            out.append(w)
    return out


def intersect(a: list[Window], b: list[Window]) -> list[Window]:
    """The days in both sets of windows."""
    return union(x for wa in a for wb in b if (x := wa.intersect(wb)) is not None)


def label(windows: list[Window]) -> str:
    return ", ".join(f"{w.start}..{w.end or 'open'}" for w in windows) or "no day"


class Epochs:
    """Numbers the spans between the days on which any of some windows starts or ends: within
    one epoch everything dated by those windows is the same, so it can be computed once."""

    def __init__(self, windows: Iterable[Window]) -> None:
        self.cuts = sorted({d for w in windows for d in w.change_days()})

    def of(self, day: dt.date) -> int:
        return bisect.bisect_right(self.cuts, day)
