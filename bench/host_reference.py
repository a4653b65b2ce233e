"""durable-rules used the way its documentation shows, as the reference the batch is compared to.

The project's durable backend drives durable-rules' C matcher directly and reuses one session
(engine/core/executors/durable.py). This module runs the same compiled ruleset on the same facts through
the package's own Python layer instead: `durable.engine.Host`, one `assert_facts` and one
`delete_state` per transaction, actions resolved by name, derived facts asserted from the action
(forward chaining). That is "durable-rules' own matching throughput on the same ruleset" in the
sense of shared/engineering/durable-rules.md, and a cross-check: it must find the same firings.
Benchmark code only; nothing in the product imports it.
"""

from __future__ import annotations

import copy
import itertools

import durable.engine as durable_engine
from durable.engine import Host
from exportsim.engine.core.executors.durable import DurableBackend, encode
from exportsim.engine.core.executors.firing import Deriver

_SESSION_TYPE = "__bench_session__"
_counter = itertools.count()


class _Json:
    """durable.engine's json, writing numbers as the C parser reads them (no exponents)."""

    import json as _json

    loads = staticmethod(_json.loads)

    @staticmethod
    def dumps(obj: object, **kwargs) -> str:
        return encode(obj)


class _QuietHost(Host):
    """A Host without its two perpetual timer threads."""

    def __init__(self, resolve) -> None:
        self._resolve = resolve
        super().__init__()

    def _run(self) -> None:
        return None

    def get_action(self, action_name: str):
        return self._resolve(action_name)


class HostReference:
    """Evaluates one transaction's facts per call through durable-rules' Host API."""

    def __init__(self, backend: DurableBackend) -> None:
        durable_engine.json = _Json  # type: ignore[attr-defined]
        self.backend = backend
        definition = copy.deepcopy(backend.definition)
        # delete_state aborts the process for a session in which no action ran: open each
        # session with a fact a no-op rule always takes.
        definition["__session__"] = {"all": [{"s": {"t": _SESSION_TYPE}}], "run": "__noop__"}
        self.name = f"bench_host_{next(_counter)}"
        self.firings: set[tuple] = set()
        self.host = _QuietHost(self._action)
        self.host.set_rulesets({self.name: definition})

    def _action(self, name: str):
        action = self.backend._actions.get(name)
        if action is None:
            return lambda c: None
        rule, aliases, derive = action

        def act(c) -> None:
            bound = {a: self._known[getattr(c, f"a_{a}")._d["id"]] for a in aliases}
            binding = tuple((a, bound[a]["id"]) for a in aliases)
            self.firings.add((rule.rule.id, binding))
            if isinstance(derive, Deriver):
                fact = derive(bound, binding, c.s.sid)
                if fact["id"] not in self._known:
                    self._known[fact["id"]] = fact
                    c.assert_fact(self.backend._project(fact) | {"sid": c.s.sid})

        return act

    def run(self, facts: list[dict]) -> set[tuple]:
        self.firings, self._known = set(), {f["id"]: f for f in facts}
        sid = f"h{next(_counter)}"
        payload = [{"id": "__session__", "t": _SESSION_TYPE, "sid": sid}]
        payload += [self.backend._project(f) | {"sid": sid} for f in facts]
        self.host.assert_facts(self.name, payload)
        self.host.delete_state(self.name, sid)
        return self.firings
