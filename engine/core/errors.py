"""Errors as values: input problems (each names the file, the line or field, and the fix) and
engine failures.

The CLI prints these as one paragraph each and exits with code 2 (input) or 3 (engine); nothing
below the CLI prints. This module imports nothing heavy, so catching `EngineFailure` never loads
durable-rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    message: str
    fix: str
    line: int | None = None
    field: str | None = None

    def render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        what = f" (field '{self.field}')" if self.field else ""
        return f"{where}{what}: {self.message} Fix: {self.fix}"


@dataclass
class InputError(Exception):
    """Raised at the edge when one or more input files are unusable."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def one(cls, file: str, message: str, fix: str, line: int | None = None) -> InputError:
        """The common case: one problem in one file."""
        return cls([Problem(file, message, fix, line)])

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class EngineFailure(RuntimeError):
    """durable-rules failed or an action raised; the message says which rule."""


class EngineUnavailable(EngineFailure):
    """The durable-rules executor was asked for but its C extension cannot be imported.

    The message is the whole paragraph a user needs: the cause (the ImportError text) and the fix.
    """

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(
            f"durable-rules cannot be imported ({type(cause).__name__}: {cause}), so the default "
            "engine cannot run. Fix: reinstall it with "
            '`CPPFLAGS="-DPyEval_CallObject=PyObject_CallObject" pip install --force-reinstall --no-cache-dir '
            "durable-rules==2.0.28` (needed on Python 3.13 or gcc >= 14), or pass --engine python."
        )
