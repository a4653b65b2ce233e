"""What an executor returns: rule firings, and the derived facts they assert."""

from __future__ import annotations

from dataclasses import dataclass

from exportsim.engine.core.ruleset.compiler import CompiledRule


@dataclass(frozen=True)
class Firing:
    rule_id: str
    binding: tuple[tuple[str, str], ...]  # (alias, fact id), sorted by alias
    derived_id: str | None = None

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return (self.rule_id, self.binding)


class Deriver:
    """Builds the fact a derive rule asserts, identical whichever executor calls it; the rule's
    field sources are read once, when the executor is built, not per firing."""

    def __init__(self, rule: CompiledRule) -> None:
        spec = rule.rule.derive
        assert spec is not None
        self.type = spec.type
        self.prefix = f"{rule.rule.id}("
        aliases = {p.alias for p in rule.patterns}
        # (field, alias, source field) copies a bound fact's field; (field, None, value) is a constant
        self.fields: list[tuple[str, str | None, object]] = []
        for name, src in spec.fields.items():
            alias, _, fname = src.partition(".") if isinstance(src, str) else ("", "", "")
            if alias in aliases and fname:
                self.fields.append((name, alias, fname))
            else:
                self.fields.append((name, None, src))

    def __call__(self, bound: dict[str, dict], binding: tuple[tuple[str, str], ...], sid: str) -> dict:
        """`binding` is (alias, fact id) sorted by alias, as in `Firing`."""
        fact = {
            "t": self.type,
            "id": self.prefix + ",".join(f"{a}={i}" for a, i in binding) + ")",
            "sid": sid,
            "date": next(iter(bound.values()))["date"],
        }
        unknown: list[str] = []
        origins: dict[str, tuple[str, str]] = {}  # unknown field -> (base fact id, field) it was copied from
        for name, alias, src in self.fields:
            if alias is None:
                fact[name] = src
            else:
                value = bound[alias].get(src)  # type: ignore[arg-type]
                if value is not None:
                    fact[name] = value
                elif src in bound[alias].get("?", ()):
                    # copied from an unknown field: unknown here too, and asked where it was stated
                    unknown.append(name)
                    origins[name] = bound[alias].get("?src", {}).get(src, (bound[alias]["id"], src))
        if unknown:
            fact["?"] = tuple(unknown)
            fact["?src"] = origins
        return fact

