"""Input errors as values: every problem names the file, the line or field, and the fix.

The CLI prints these as one paragraph each and exits with code 2; nothing below the CLI prints.
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
