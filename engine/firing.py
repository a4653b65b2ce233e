"""What an executor returns: rule firings, and the derived facts they assert."""

from __future__ import annotations

from dataclasses import dataclass

from .compiler import CompiledRule


@dataclass(frozen=True)
class Firing:
    rule_id: str
    binding: tuple[tuple[str, str], ...]  # (alias, fact id), sorted by alias
    derived_id: str | None = None

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return (self.rule_id, self.binding)


def derived_fact(rule: CompiledRule, bound: dict[str, dict], sid: str) -> dict:
    """The fact a derive rule asserts, identical whichever executor built it."""
    spec = rule.rule.derive
    assert spec is not None
    binding = sorted((alias, fact["id"]) for alias, fact in bound.items())
    fact = {
        "t": spec.type,
        "id": f"{rule.rule.id}(" + ",".join(f"{a}={i}" for a, i in binding) + ")",
        "sid": sid,
        "date": next(iter(bound.values()))["date"],
    }
    for name, src in spec.fields.items():
        alias, _, fname = src.partition(".") if isinstance(src, str) else ("", "", "")
        if alias in bound and fname:
            value = bound[alias].get(fname)
            if value is not None:
                fact[name] = value
        else:
            fact[name] = src
    return fact
