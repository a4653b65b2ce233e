"""Hypothesis properties over random transactions: the two executors agree, evaluation is
deterministic and isolated, and adding a listed party or a blocked owner's share never weakens
the decision."""

from __future__ import annotations

import datetime as dt
import random

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.transaction.model import Transaction
from hypothesis import given
from hypothesis import strategies as st

NAMES = [
    "Huawei",
    "HiSilicon Technologies Co Ltd",
    "Hikvision",
    "Dahua",
    "iFlytek",
    "SenseTime",
    "Integrity Technology Group",
    "Clean Trading Co",
    "Holding A",
    "Holding B",
    "Acme Inc.",
]
ROLES = ["exporter", "purchaser", "intermediate_consignee", "ultimate_consignee", "end_user", "forwarder"]
COUNTRIES = ["CN", "US", "DE", "MO", "AE", "JP"]

dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2027, 12, 31))
owners = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(NAMES), "share": st.sampled_from([0.1, 0.25, 0.3, 0.499, 0.5, 0.6])}
    ),
    max_size=2,
).filter(lambda os: sum(o["share"] for o in os) <= 1)
parties = st.fixed_dictionaries(
    {
        "name": st.sampled_from(NAMES),
        "roles": st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True),
        "country": st.sampled_from(COUNTRIES),
        "us_person": st.booleans(),
        "owners": owners,
    }
)
items = st.fixed_dictionaries(
    {
        "description": st.just("thing"),
        "eccn": st.sampled_from(["EAR99", "3A090.a", "5A992.c"]),
        "subject_to_ear": st.sampled_from([None, True, False]),
        "us_origin": st.sampled_from([None, True, False]),
    }
)
entities = st.lists(
    st.fixed_dictionaries({"name": st.sampled_from(["Holding A", "Holding B"]), "owners": owners}),
    max_size=2,
    unique_by=lambda e: e["name"],
)


@st.composite
def transactions(draw) -> Transaction:
    return Transaction.model_validate(
        {
            "id": "prop",
            "date": draw(dates).isoformat(),
            "kind": draw(st.sampled_from(["export", "reexport", "in_country_transfer"])),
            "origin": draw(st.sampled_from(COUNTRIES)),
            "destination": draw(st.sampled_from(COUNTRIES)),
            "parties": draw(st.lists(parties, min_size=1, max_size=4)),
            "items": draw(st.lists(items, min_size=1, max_size=3)),
            "other_entities": draw(entities),
        }
    )


def not_weaker(after: dict, before: dict) -> bool:
    """Neither what the known facts decide nor the most restrictive outcome still possible weakens
    (an insufficient_facts result is judged by both, never by its rank alone)."""

    def strength(o: str) -> int:
        return Outcome(o).strength

    return strength(after["certain_outcome"]) >= strength(before["certain_outcome"]) and max(
        map(strength, after["possible_outcomes"])
    ) >= max(map(strength, before["possible_outcomes"]))


def _fired(result: dict) -> set[tuple]:
    return {(s["rule_id"], tuple(b["fact"] for b in s["bound"])) for s in result["trace"]}


@given(transactions())
def test_durable_fires_exactly_what_the_python_evaluator_finds(durable, python_engine, t):
    a, b = durable.evaluate(t), python_engine.evaluate(t)
    assert _fired(a) == _fired(b)
    assert a["outcome"] == b["outcome"]
    assert a["findings"] == b["findings"]


@given(st.lists(transactions(), min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_evaluation_order(durable, batch, rnd: random.Random):
    first = [durable.evaluate(t) for t in batch]
    order = list(range(len(batch)))
    rnd.shuffle(order)
    again = {i: durable.evaluate(batch[i]) for i in order}
    assert all(first[i] == again[i] for i in range(len(batch)))


@given(
    transactions(),
    st.sampled_from(["Huawei", "Hikvision", "Integrity Technology Group"]),
    st.sampled_from(["purchaser", "end_user", "ultimate_consignee"]),
)
def test_adding_a_listed_party_never_weakens(durable, t, name, role):
    before = durable.evaluate(t)
    more = t.model_copy(
        update={
            "parties": [
                *t.parties,
                *Transaction.model_validate(
                    {
                        "id": "x",
                        "kind": "export",
                        "origin": "US",
                        "destination": "CN",
                        "parties": [{"name": name, "roles": [role], "country": "CN"}],
                    }
                ).parties,
            ]
        }
    )
    after = durable.evaluate(more)
    assert not_weaker(after, before)
    assert list(after["regimes"]) == list(before["regimes"])
    for name, b in before["regimes"].items():
        assert not_weaker(after["regimes"][name], b)


@given(transactions(), st.floats(min_value=0.0, max_value=0.5), st.floats(min_value=0.0, max_value=0.5))
def test_raising_a_blocked_owners_share_never_weakens(durable, t, low, extra):
    def with_share(share: float) -> Transaction:
        data = t.model_dump(mode="json")
        data["parties"].append(
            {
                "name": "Owned Target",
                "roles": ["end_user"],
                "country": "CN",
                "owners": [{"name": "Integrity Technology Group", "share": share}],
            }
        )
        data["parties"][0]["us_person"] = True
        return Transaction.model_validate(data)

    a = durable.evaluate(with_share(low))
    b = durable.evaluate(with_share(min(1.0, low + extra)))
    assert not_weaker(b, a)
