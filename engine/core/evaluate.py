"""One evaluation end to end: facts -> executor -> decision -> result with its trace.

`Evaluator` is built once per rule set (compiling durable-rules once); `evaluate` is called per
transaction. The result is a plain JSON-ready dict (building pydantic models per transaction
would slow batches); its contract is the models of engine/core/trace/result.py, which the tests
construct from real results, documented in docs/output.md.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from exportsim.engine.core.decision.decide import Decision, Finding, decide
from exportsim.engine.core.decision.open_questions import Openness, assess, settled
from exportsim.engine.core.errors import EngineUnavailable, InputError, Problem
from exportsim.engine.core.executors.possible import PossibleEvaluator, has_unknowns
from exportsim.engine.core.executors.python import PythonBackend, why_not
from exportsim.engine.core.facts.flatten import Flattener
from exportsim.engine.core.ruleset.compiler import CompiledRule, compile_rules
from exportsim.engine.core.ruleset.factdecl import input_path
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.trace.result import SCHEMA_VERSION, EngineName
from exportsim.engine.core.transaction.model import Transaction
from exportsim.engine.core.transaction.ownership_file import OwnershipData
from exportsim.engine.core.transaction.source import LineMap, load_file
from exportsim.engine.core.transaction.validation import validate

from exportsim import DISCLAIMER

if TYPE_CHECKING:  # the durable backend imports durable-rules' C extension: only when it runs
    from exportsim.engine.core.executors.durable import DurableBackend

Detail = Literal["full", "summary", "none"]


def load_durable_backend() -> type[DurableBackend]:
    """The durable-rules executor class, imported on first use so that every command that does not
    run durable-rules (help, rules, screen, --engine python) works even where its C extension cannot
    be imported (Python 3.13 without the build define). Raises `EngineUnavailable` (a paragraph
    with the ImportError and the fix) instead of the ImportError."""
    try:
        from exportsim.engine.core.executors.durable import DurableBackend
    except ImportError as exc:
        raise EngineUnavailable(exc) from exc
    return DurableBackend


def require_engine(engine: EngineName) -> None:
    """Fail now (EngineUnavailable) if `engine` cannot run here, before any work is started."""
    if engine == "durable":
        load_durable_backend()


def builtin_cases_dir() -> Path:
    return Path(str(files("exportsim.cases")))


def load_transaction(path: Path) -> Transaction:
    return load_transaction_with_lines(path)[0]


def load_transaction_with_lines(path: Path) -> tuple[Transaction, LineMap]:
    """The transaction and the line map of its file (to point at fields of a case)."""
    data, lines = load_file(path)
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    str(path),
                    "A transaction file must be a mapping of fields.",
                    "Start with 'id:', 'kind:', 'origin:' ... (see docs/transaction-format.md).",
                    1,
                )
            ]
        )
    return validate(Transaction, data, str(path), lines), lines


class Evaluator:
    def __init__(
        self,
        rules: RuleSet,
        engine: EngineName = "durable",
        ownership: OwnershipData | None = None,
        flattener: Flattener | None = None,
    ) -> None:
        """`flattener`: one already built for `rules` (from the rules cache), else one is built."""
        self.rules = rules
        self.ownership = ownership  # corporate groups from an ownership file, merged per transaction
        self.compiled: list[CompiledRule] = compile_rules(rules)
        self.by_id = {c.rule.id: c for c in self.compiled}
        self.flattener = flattener or Flattener(rules)
        self.python = PythonBackend(self.compiled)
        self.possible = PossibleEvaluator(self.compiled)
        self.engine = engine
        # Regimes that only derive facts (such as the EAR jurisdiction gate) reach no decision.
        self.deciding_regimes = sorted({c.regime for c in self.compiled if c.rule.outcome is not None})
        self.regime_titles = {r: rules.regimes[r].title for r in self.deciding_regimes}
        if engine == "durable":
            self.backend: DurableBackend | PythonBackend = load_durable_backend()(self.compiled, rules.facts)
        else:
            self.backend = self.python

    def evaluate(
        self,
        txn: Transaction,
        *,
        on: dt.date | None = None,
        explain_misses: bool = False,
        file: str | None = None,
        detail: Detail = "full",
    ) -> dict[str, Any]:
        """The decision and its explanation. `detail` trims the explanation for batches:
        "summary" keeps each finding's rule, outcome and citation and the order of firings;
        "none" keeps the findings' rule ids and outcomes only (docs/output.md, light results)."""
        if on is not None:
            txn = txn.model_copy(update={"date": on})
        if self.ownership is not None:
            txn = self.ownership.merge(txn)
        factset = self.flattener.flatten(txn)
        firings, derived = self.backend.run(factset.facts)
        all_facts = {f["id"]: f for f in [*factset.facts, *derived]}
        if detail == "full":
            for d in derived:
                shown = ", ".join(str(v) for k, v in d.items() if k not in ("t", "id", "sid", "date"))
                factset.labels[d["id"]] = f"{d['t']} ({shown})"
        completion = txn.investment.completion_date if txn.investment else None
        decision = decide(firings, self.by_id, self.deciding_regimes, all_facts, txn.date, completion)
        openness = settled(decision)
        if has_unknowns(factset.facts):
            # facts nobody stated: what could still fire once they are answered (never a false clearance)
            openness = assess(decision, self.possible.run_open(factset.facts, derived), self.by_id)
        if detail != "full":
            return self._light(txn, file, decision, openness, firings, factset, detail)
        result: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "disclaimer": DISCLAIMER,
            "transaction": {"id": txn.id, "title": txn.title, "kind": str(txn.kind), "file": file},
            "as_of": txn.date.isoformat(),
            "rules": {"source": self.rules.source, "digest": self.rules.digest, "variants": self.rules.variants},
            "engine": self.backend.name,
            "outcome": str(openness.outcome()),
            "certain_outcome": str(openness.certain),
            "possible_outcomes": [str(o) for o in openness.possible],
            "regimes": self._regimes(decision, openness),
            "missing_facts": self._missing_facts(openness, txn, factset.labels),
            "possible_findings": self._possible_findings(openness, factset.labels),
            "findings": [self._finding(f, all_facts, factset.labels) for f in decision.findings],
            "displaced": [self._finding(f, all_facts, factset.labels) for f in decision.displaced],
            "trace": self._trace(firings, all_facts, factset.labels),
            "notes": [
                {"fact": n.fact, "field": n.field, "value": n.value, "because": n.because, "source": n.source}
                for n in factset.notes
            ],
            "parameters": self._parameters_used(firings, txn.date, factset.parameters_used),
            "list_entries": factset.entries_matched,
        }
        if explain_misses:
            result["why_not"] = self._why_not(firings, [*factset.facts, *derived], txn.date, factset.labels)
        return result

    def _light(
        self, txn: Transaction, file, decision: Decision, openness: Openness, firings, factset, detail: Detail
    ) -> dict[str, Any]:
        def finding(f: Finding) -> dict[str, Any]:
            out = {"regime": f.regime, "outcome": str(f.outcome), "rule_id": f.rule_id}
            if detail == "summary":
                rule = self.by_id[f.rule_id].rule
                out |= {
                    "title": rule.title,
                    "citation": rule.citation.text(),
                    "version": rule.version,
                    "review_policy": f.review_policy,
                    "displaced_by": f.displaced_by,
                }
            return out

        result: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "detail": detail,
            "transaction": {"id": txn.id, "title": txn.title, "kind": str(txn.kind), "file": file},
            "as_of": txn.date.isoformat(),
            "rules": {"digest": self.rules.digest, "variants": self.rules.variants},
            "engine": self.backend.name,
            "outcome": str(openness.outcome()),
            "certain_outcome": str(openness.certain),
            "regimes": self._regimes(decision, openness),
            "missing_facts": sorted({m["input"] for m in self._missing_facts(openness, txn, factset.labels)}),
            "findings": [finding(f) for f in decision.findings],
            "displaced": [finding(f) for f in decision.displaced],
        }
        if detail == "summary":
            result["fired"] = [f.rule_id for f in sorted(firings, key=lambda f: f.key)]
            result["list_entries"] = factset.entries_matched
        return result

    # -- pieces of the result -------------------------------------------------------------

    def _missing_facts(self, openness: Openness, txn: Transaction, labels: dict) -> list[dict[str, Any]]:
        """Each unknown fact that could make a regime more restrictive: where it is stated in the
        transaction, the question to ask, and for each answer that matters the rule and outcome."""
        if not openness.insufficient and not any(r.insufficient for r in openness.regimes.values()):
            return []
        item_ids = txn.item_ids()
        by_fact: dict[tuple[str, str], dict[str, Any]] = {}
        for regime, r in openness.regimes.items():
            for pf in r.findings:
                for op in sorted(pf.opens):
                    ftype = op.fact_id.partition(":")[0]
                    decl = self.rules.fact_decls.get(ftype, {}).get(op.field)
                    where = _expand_parties(input_path(decl, op.fact_id, op.field, item_ids, len(txn.parties)), txn)
                    entry = by_fact.setdefault(
                        (op.fact_id, where),  # eccn, eccn_base and eccn_category are one question
                        {
                            "input": where,
                            "fact": op.fact_id,
                            "label": labels.get(op.fact_id, op.fact_id),
                            "field": op.field,
                            "question": decl.question if decl else f"What is {op.field}?",
                            "decides": [],
                        },
                    )
                    mine = sorted({o.test for o in pf.opens if (o.fact_id, o.field) == (op.fact_id, op.field)})
                    others = sorted(
                        {f"{labels.get(o.fact_id, o.fact_id)}: {o.test}" for o in pf.opens if o.fact_id != op.fact_id}
                        | {o.test for o in pf.opens if o.fact_id == op.fact_id and o.field != op.field}
                    )
                    answer = {
                        "if": mine,
                        "regime": regime,
                        "rule_id": pf.rule_id,
                        "outcome": str(pf.outcome),
                        "also_needs": others,
                        "otherwise": str(r.certain),
                    }
                    if answer not in entry["decides"]:
                        entry["decides"].append(answer)
        rank = {str(o): o.strength for o in openness.possible}
        return sorted(
            by_fact.values(),
            key=lambda e: (-max(rank.get(d["outcome"], 0) for d in e["decides"]), e["input"]),
        )

    def _possible_findings(self, openness: Openness, labels: dict) -> list[dict[str, Any]]:
        """The findings that could be made once the missing facts are answered (more restrictive ones only)."""
        out = []
        for regime, r in openness.regimes.items():
            for pf in r.findings:
                rule = self.by_id[pf.rule_id].rule
                entry = {
                    "regime": regime,
                    "outcome": str(pf.outcome),
                    "rule_id": pf.rule_id,
                    "title": rule.title,
                    "citation": rule.citation.text(),
                    "rests_on": sorted({f"{labels.get(o.fact_id, o.fact_id)}: {o.test}" for o in pf.opens}),
                }
                if entry not in out:
                    out.append(entry)
        return out

    def _regimes(self, decision: Decision, openness: Openness) -> dict[str, dict[str, Any]]:
        """`regimes`, the same shape at every detail level: by regime id, its title, outcome (with
        what the known facts decide and what is still possible) and the rules that decided it
        (trace/result.py `RegimeResult`)."""
        rules: dict[str, set[str]] = {}
        for f in decision.findings:
            rules.setdefault(f.regime, set()).add(f.rule_id)
        titles = self.regime_titles
        return {
            r: {
                "title": titles[r],
                "outcome": openness.regime_outcome(r).value,
                "certain_outcome": o.value,
                "possible_outcomes": [x.value for x in openness.regimes[r].possible],
                "rules": sorted(rules[r]) if r in rules else [],
            }
            for r, o in decision.regimes.items()
        }

    def _rule_ref(self, rule_id: str) -> dict[str, Any]:
        rule = self.by_id[rule_id].rule
        return {
            "rule_id": rule.id,
            "title": rule.title,
            "version": rule.version,
            "effective": {
                "from": rule.effective.start.isoformat(),
                "to": rule.effective.end.isoformat() if rule.effective.end else None,
            },
            "citation": rule.citation.model_dump(exclude_none=True),
            "confidence": rule.confidence,
            "excerpt": rule.excerpt,
        }

    def _bound(self, rule_id: str, binding, facts: dict, labels: dict) -> list[dict[str, Any]]:
        cr = self.by_id[rule_id]
        out = []
        day = dt.date.fromisoformat(facts["txn"]["date"])  # notes show the parameter values of this day
        for alias, fact_id in binding:
            pattern = next(p for p in cr.patterns if p.alias == alias)
            fact = facts[fact_id]
            matched = []
            for c in pattern.conditions:
                cond = c.condition
                value = fact.get(cond.field)
                if isinstance(value, list):
                    value = [v for v in value if v != "*"]
                entry = {"condition": cond.describe(), "value": value}
                if cond.operator.endswith("group"):
                    entry["groups"] = [g for g in fact.get(f"{cond.field}_groups", []) if g != "*"]
                if cond.note:
                    entry["note"] = self.rules.notes(cond.note, day)
                matched.append(entry)
            out.append(
                {
                    "alias": alias,
                    "fact": fact_id,
                    "type": fact["t"],
                    "label": labels.get(fact_id, fact_id),
                    "matched": matched,
                }
            )
        return out

    def _finding(self, f: Finding, facts: dict, labels: dict) -> dict[str, Any]:
        rule = self.by_id[f.rule_id].rule
        return {
            "regime": f.regime,
            "outcome": str(f.outcome),
            **self._rule_ref(f.rule_id),
            "summary": self.rules.notes(rule.summary, dt.date.fromisoformat(facts["txn"]["date"])),
            "review_policy": f.review_policy,
            "triggering_facts": self._bound(f.rule_id, f.binding, facts, labels),
            "obligations": f.obligations,
            "displaced_by": f.displaced_by,
        }

    def _trace(self, firings, facts: dict, labels: dict) -> list[dict[str, Any]]:
        derive = sorted((f for f in firings if self.by_id[f.rule_id].rule.derive), key=lambda f: f.key)
        decide_ = sorted((f for f in firings if not self.by_id[f.rule_id].rule.derive), key=lambda f: f.key)
        steps = []
        for n, f in enumerate([*derive, *decide_], start=1):
            cr = self.by_id[f.rule_id]
            steps.append(
                {
                    "step": n,
                    "kind": "derive" if cr.rule.derive else "decide",
                    "regime": cr.regime,
                    **self._rule_ref(f.rule_id),
                    "bound": self._bound(f.rule_id, f.binding, facts, labels),
                    "derived": ({k: v for k, v in facts[f.derived_id].items() if k != "sid"} if f.derived_id else None),
                    "outcome": str(cr.rule.outcome) if cr.rule.outcome else None,
                }
            )
        return steps

    def _parameters_used(self, firings, day: dt.date, extra: dict) -> dict[str, Any]:
        used = dict(extra)
        for f in firings:
            for p in self.by_id[f.rule_id].patterns:
                for c in p.conditions:
                    ref = getattr(c.condition.operand, "param", None)
                    if ref:
                        v = self.rules.parameters[ref].value_on(day)
                        used[ref] = v.value if v else None
        return dict(sorted(used.items()))

    def _why_not(self, firings, facts: list[dict], day: dt.date, labels: dict) -> list[dict[str, Any]]:
        fired = {f.rule_id for f in firings}
        out = []
        for cr in self.compiled:
            if cr.rule.id in fired:
                continue
            entry: dict[str, Any] = {"rule_id": cr.rule.id, "regime": cr.regime, "title": cr.rule.title}
            if not cr.rule.effective.contains(day):
                entry["in_force"] = False
                entry["reason"] = f"not in force on {day} (effective {cr.rule.effective.label()})"
            else:
                miss = why_not(cr, facts)
                entry.update(
                    {
                        "in_force": True,
                        "reason": miss.reason,
                        "alias": miss.alias,
                        "fact": miss.fact_id,
                        "label": labels.get(miss.fact_id or "", miss.fact_id),
                        "failed_condition": miss.condition,
                        "note": self.rules.notes(miss.note, day),
                        "seen": miss.seen,
                    }
                )
                if miss.fact_type in self.rules.derived_types and miss.fact_id is None:
                    makers = sorted(
                        r.rule.id for r in self.compiled if r.rule.derive and r.rule.derive.type == miss.fact_type
                    )
                    entry["reason"] = f"no '{miss.fact_type}' fact was derived (it comes from {', '.join(makers)})"
            out.append(entry)
        return out


def _expand_parties(path: str, txn: Transaction) -> str:
    """A transaction-level question about parties (`parties[].us_person`) names the parties whose
    answer is missing: parties[0].us_person, or several joined by 'or'."""
    head, sep, field = path.partition("parties[].")
    if not sep or head:
        return path
    idx = [n for n, p in enumerate(txn.parties) if getattr(p, field, None) is None]
    return " or ".join(f"parties[{n}].{field}" for n in idx) or path


def result_findings_key(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule id, outcome) pairs of a result, for comparisons across engines or runs."""
    return sorted((f["rule_id"], f["outcome"]) for f in result["findings"])


__all__ = ["Decision", "Evaluator", "builtin_cases_dir", "load_transaction", "result_findings_key"]
