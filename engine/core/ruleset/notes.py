"""Parameter placeholders in explanations: a note says `{param:ID}`, never the number itself.

A condition's `note` (and a rule's `summary`) that restated a threshold went stale the moment a
variant or a later value changed it, so the explanation contradicted the decision. Instead a
note names the parameter, optionally with a format, and is rendered with the value in force on
the transaction's date (under whatever variants are applied):

    {param:oi.ai_prohibited_ops|pow10}     10^25      (5e24 -> 5 x 10^24)
    {param:bis.affiliates_threshold|percent}   50%
    {param:oi.lp_exception_limit|usd}      $2,000,000
    {param:oi.first_completion_date|date}  2 January 2025
    {param:ai.tpp_3a090a}                  4,800      (number: thousands separated, else as written)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping

from exportsim.engine.core.ruleset.ruledefs import Parameter

PLACEHOLDER = re.compile(r"\{param:([a-z0-9][a-z0-9_.:-]*?)(?:\|([a-z0-9_]+))?\}")
FORMATS = ("number", "percent", "pow10", "usd", "date")


def format_value(value: object, fmt: str = "number") -> str:
    """One parameter value in the named format."""
    if isinstance(value, str):  # a date parameter
        day = dt.date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}" if fmt == "date" else value
    number = float(value)  # type: ignore[arg-type]
    if fmt == "percent":
        return f"{number * 100:g}%"
    if fmt == "usd":
        return f"${number:,.0f}" if number == int(number) else f"${number:,.2f}"
    if fmt == "pow10" and number > 0:
        exponent = math.floor(math.log10(number) + 1e-9)
        mantissa = round(number / 10**exponent, 6)
        return f"10^{exponent}" if mantissa == 1 else f"{mantissa:g} x 10^{exponent}"
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:g}"


def render(text: str | None, params: Mapping[str, Parameter], day: dt.date | None) -> str | None:
    """The text with each placeholder replaced by the parameter's value on `day`. Without a day
    (a rule shown on its own) every dated value is given with its dates."""
    if not text or "{param:" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        pid, fmt = m.group(1), m.group(2) or "number"
        param = params.get(pid)
        if param is None:
            return m.group(0)  # the loader reports unknown parameters; never guess a value
        if day is not None:
            dated = param.value_on(day)
            return format_value(dated.value, fmt) if dated is not None else f"[no value of {pid} on {day}]"
        values = sorted(param.values, key=lambda v: v.start)
        if len(values) == 1:
            return format_value(values[0].value, fmt)
        return " / ".join(f"{format_value(v.value, fmt)} ({v.label()})" for v in values)

    return PLACEHOLDER.sub(one, text)


class NoteRenderer:
    """`render` for one rule set, remembering each (text, day): a batch renders the same few notes
    for many transactions of few dates."""

    LIMIT = 20_000

    def __init__(self, params: Mapping[str, Parameter]) -> None:
        self.params = params
        self._done: dict[tuple[str, dt.date | None], str | None] = {}

    def __call__(self, text: str | None, day: dt.date | None) -> str | None:
        if not text or "{param:" not in text:
            return text
        key = (text, day)
        found = self._done.get(key)
        if found is None:
            if len(self._done) > self.LIMIT:
                self._done.clear()
            found = self._done[key] = render(text, self.params, day)
        return found


def placeholders(text: str | None) -> list[tuple[str, str]]:
    """The (parameter id, format) pairs a text refers to."""
    return [(m.group(1), m.group(2) or "number") for m in PLACEHOLDER.finditer(text or "")]


def placeholder_problems(text: str, params: Mapping[str, object]) -> list[tuple[str, str]]:
    """(message, fix) for each placeholder that names no parameter or format, or is malformed."""
    out = []
    for pid, fmt in placeholders(text):
        if pid not in params:
            out.append((f"the placeholder '{{param:{pid}}}' names unknown parameter '{pid}'.",
                        "Name a parameter defined under 'parameters:'."))  # fmt: skip
        if fmt not in FORMATS:
            out.append((f"the placeholder for '{pid}' has unknown format '{fmt}'.",
                        f"Use one of: {', '.join(FORMATS)} (e.g. {{param:{pid}|percent}})."))  # fmt: skip
    if text.count("{param:") != len(placeholders(text)):
        out.append(("a '{param:' placeholder is not closed or is misspelt.",
                    "Write {param:ID} or {param:ID|FORMAT}, e.g. {param:oi.ai_prohibited_ops|pow10}."))  # fmt: skip
    return out
