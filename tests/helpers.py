"""Small builders for transactions in tests."""

from __future__ import annotations

from typing import Any

from exportsim.engine.core.transaction.model import Transaction


def txn(**overrides: Any) -> Transaction:
    base: dict[str, Any] = {
        "id": "t1",
        "date": "2025-06-02",
        "kind": "export",
        "origin": "US",
        "destination": "CN",
        "parties": [{"name": "Acme Inc.", "roles": ["exporter"], "country": "US", "us_person": True}],
        "items": [{"id": "i1", "description": "switches", "eccn": "EAR99", "us_origin": True}],
    }
    base.update(overrides)
    return Transaction.model_validate(base)


def party(name: str, roles=("end_user",), country="CN", **kw: Any) -> dict[str, Any]:
    return {"name": name, "roles": list(roles), "country": country, **kw}


def regime(result: dict, name: str) -> str:
    return result["regimes"][name]["outcome"]


def fired(result: dict) -> set[str]:
    return {step["rule_id"] for step in result["trace"]}
