"""Turn pydantic validation errors into located, fixable `Problem`s.

Validators in the models raise `ValueError("what is wrong. Fix: what to do")`; pydantic's own
error kinds get a fix from `_FIXES`. The line comes from the file's `LineMap`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from exportsim.engine.core.errors import InputError, Problem
from exportsim.engine.core.transaction.source import LineMap
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_FIXES = {
    "extra_forbidden": "Remove the field or correct its spelling ('exportsim schema transaction' lists the fields).",
    "missing": "Add the field.",
    "date_from_datetime_parsing": "Write a real calendar date as YYYY-MM-DD.",
    "date_parsing": "Write a real calendar date as YYYY-MM-DD.",
    "date_type": "Write a real calendar date as YYYY-MM-DD.",
    "literal_error": "Use one of the listed values.",
    "enum": "Use one of the listed values.",
    "greater_than_equal": "Use a value within the allowed range.",
    "less_than_equal": "Use a value within the allowed range.",
    "greater_than": "Use a value within the allowed range.",
    "string_pattern_mismatch": "Use only letters, digits, '.', '_' and '-'.",
}


def field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def problems_from(exc: ValidationError, file: str, lines: LineMap, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        full = (*prefix, *loc)
        msg = str(err["msg"])
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if "Fix:" in msg:
            message, fix = (s.strip() for s in msg.split("Fix:", 1))
        else:
            message, fix = msg, _FIXES.get(err["type"], "Correct the value.")
        if err["type"] not in ("missing", "extra_forbidden") and "input" in err and "Fix:" not in str(err["msg"]):
            shown = repr(err["input"])
            if len(shown) <= 60:
                message = f"{message} (got {shown})"
        if not message.endswith("."):
            message += "."
        problems.append(Problem(file, message, fix, line=lines.line_for(full), field=field_path(full) or None))
    return problems


def validate(model: type[M], data: Any, file: str, lines: LineMap, prefix: tuple[Any, ...] = ()) -> M:
    """Validate `data` as `model`, raising `InputError` with every problem located."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, file, lines, prefix)) from None
