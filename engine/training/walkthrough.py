"""Walk-throughs generated from a case and the rules: no authoring needed, any case is walkable.

The steps follow the order a licensing officer uses (15 CFR part 732): read the facts; which
parties and items matter; is the item subject to the EAR; its classification; the destination;
end users and the lists; end use; licence exceptions; then which regimes apply, the outcome of
each, and the overall outcome. The right answers come from evaluating the case with the rules
in force on its date, and each step's feedback names the deciding rules with their plain-English
summaries, citations and the facts that decided them. Questions a trainer adds to the case
(`teaching.questions`) are asked after the step they name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.transaction.model import Transaction

POINTS = 10
HINT_COST = 3
NONE = "none of them"
ORDER = [
    "read",
    "parties",
    "items",
    "subject_to_ear",
    "classification",
    "destination",
    "lists",
    "end_use",
    "exceptions",
    "missing",
    "regimes",
    "regime_outcomes",
    "overall",
]


@dataclass
class Step:
    id: str  # unique within the walk, e.g. "regime:bis_entity_list"
    stage: str  # one of ORDER
    title: str
    text: str = ""  # what the trainee reads before answering (or the whole step, if no question)
    kind: Literal["info", "single", "multi"] = "info"
    options: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)  # the right option(s)
    hint: str = ""
    explanation: list[str] = field(default_factory=list)  # shown after the answer
    table: list[tuple[str, str]] = field(default_factory=list)  # facts shown as a table

    @property
    def scored(self) -> bool:
        return self.kind != "info"


def _rule_lines(findings: list[dict[str, Any]]) -> list[str]:
    lines = []
    for f in findings:
        lines.append(f"{f['rule_id']} ({f['outcome'].replace('_', ' ')}): {f['title']}")
        lines.append(f"  {f['summary']}")
        cite = f["citation"]
        lines.append(f"  Citation: {cite['instrument']}" + (f", {cite['section']}" if cite.get("section") else ""))
        for b in f["triggering_facts"]:
            met = "; ".join(f"{m['condition']} (saw {m['value']})" for m in b["matched"])
            if met:
                lines.append(f"  Decided by {b['label']}: {met}")
    return lines


def _bound_labels(result: dict[str, Any], fact_type: str) -> set[str]:
    out = set()
    for step in result["trace"]:
        for b in step["bound"]:
            if b["type"] == fact_type:
                out.add(b["label"])
    return out


def build_steps(txn: Transaction, result: dict[str, Any], requiring: set[str] | None = None) -> list[Step]:
    """Every step of the walk-through for one case, answers included. `requiring` names the
    regimes that can require something (a jurisdiction gate that only derives facts is left out
    of the regime questions)."""
    steps: list[Step] = []
    findings = result["findings"]
    by_regime = {n: r for n, r in result["regimes"].items() if requiring is None or n in requiring}
    facts_table = [("date", txn.date.isoformat()), ("kind", str(txn.kind)), ("origin", txn.origin)]
    if txn.destination:
        facts_table.append(("destination", txn.destination))
    for p in txn.parties:
        owners = f"; owned by {', '.join(f'{o.name} {o.share:.0%}' for o in p.owners)}" if p.owners else ""
        facts_table.append((f"party: {p.name}", f"{', '.join(str(r) for r in p.roles)} ({p.country or '?'}){owners}"))
    for item in txn.items:
        extra = ", ".join(
            f"{k}={v}"
            for k, v in item.model_dump(exclude_none=True).items()
            if k not in ("id", "description", "quantity") and v not in ([], False)
        )
        facts_table.append((f"item: {item.description}", extra))
    if txn.investment:
        inv = txn.investment
        facts_table.append(("investment", f"{inv.type}, activities {', '.join(inv.activities) or '-'}"))
    if txn.end_uses:
        facts_table.append(("end uses", ", ".join(txn.end_uses)))
    steps.append(Step("read", "read", "Read the case", txn.narrative or txn.title, table=facts_table))

    # Which parties and items matter: those a rule bound when it fired (asked only when there is a choice).
    for step_id, names, fact_type, text, hint, said in (
        (
            "parties",
            [p.name for p in txn.parties],
            "party",
            "Choose every party whose identity, role, country or ownership drives a finding.",
            "Look for list matches, ownership, headquarters and the investment target.",
            "Deciding parties",
        ),
        (
            "items",
            [i.description for i in txn.items],
            "item",
            "Choose every item a rule looked at and used.",
            "Think about classification, origin, and controlled materials.",
            "Items the rules used",
        ),
    ):
        if len(names) > 1:
            bound = _bound_labels(result, fact_type)
            deciding = [n for n in names if n in bound]
            steps.append(
                Step(
                    step_id,
                    step_id,
                    f"Which {step_id} matter?",
                    text,
                    "multi",
                    [*names, NONE],
                    deciding or [NONE],
                    hint=hint,
                    explanation=[f"{said}: {', '.join(deciding) or 'none'}."],
                )
            )

    if txn.items and txn.kind != "investment":
        subject = any(s["derived"] and s["derived"]["t"] == "ear_item" for s in result["trace"])
        why = [
            f"{s['rule_id']}: {s['title']}" for s in result["trace"] if s["derived"] and s["derived"]["t"] == "ear_item"
        ]
        steps.append(
            Step(
                "subject_to_ear",
                "subject_to_ear",
                "Is an item subject to the EAR? (15 CFR 734.3)",
                "US-origin items, foreign items above the de minimis level and certain foreign direct products are.",
                "single",
                ["yes", "no"],
                ["yes" if subject else "no"],
                hint="Check US origin, US controlled content and the direct product flag.",
                explanation=why or ["No rule made an item subject to the EAR: US export controls do not reach it."],
            )
        )
        ai = [s for s in result["trace"] if s["derived"] and s["derived"]["t"] == "ai_item"]
        if any(i.tpp is not None for i in txn.items) or ai:
            controls = sorted({str(s["derived"].get("control", "?")) for s in ai}) or ["not 3A090"]
            # Before 17 November 2023 there was one 3A090 (no .a/.b): both spellings are offered.
            options = sorted({"3A090", "3A090.a", "3A090.b", *controls}) + ["not 3A090"]
            options = list(dict.fromkeys(options))
            steps.append(
                Step(
                    "classification",
                    "classification",
                    "How is the chip classified?",
                    "Compare its total processing performance and performance density with the 3A090 thresholds "
                    "in force on the date.",
                    "multi" if len(controls) > 1 else "single",
                    options,
                    controls,
                    hint="3A090.a by TPP alone, or by a lower TPP together with performance density; the thresholds "
                    "in force on the date are in the classification rules (exportsim rules show "
                    "ai.classify_3a090a_tpp).",
                    explanation=[f"{s['rule_id']}: {s['title']}" for s in ai] or ["No 3A090 parameter was met."],
                )
            )
        if txn.destination:
            txn_fact = next((b for s in result["trace"] for b in s["bound"] if b["type"] == "txn"), None)
            groups = [m for m in (txn_fact or {}).get("matched", []) if m.get("groups")]
            text = f"Destination {txn.destination}" + (f": groups {', '.join(groups[0]['groups'])}" if groups else "")
            steps.append(Step("destination", "destination", "Destination", text + "."))

    listed = [n for n in result["notes"] if n["field"] in ("el_listed", "sdn_listed", "blocked", "el_owner_share")]
    possible = [n for n in result["notes"] if n["field"].endswith("possible_match")]
    steps.append(
        Step(
            "lists",
            "lists",
            "End users and the lists",
            "Is any party on the Entity List or the SDN List, owned by listed parties at or above the "
            "ownership threshold in force (exportsim rules show aggregations), or a possible match that needs review?",
            "single",
            ["listed or owned by listed parties", "possible match only", "no list concerns"],
            [
                "listed or owned by listed parties"
                if listed
                else "possible match only"
                if possible
                else "no list concerns"
            ],
            hint="Screen every party and follow the ownership chains.",
            explanation=[n["because"] for n in listed + possible] or ["No party matched a list entry."],
        )
    )
    if txn.end_uses:
        steps.append(Step("end_use", "end_use", "End use", f"Declared end uses: {', '.join(txn.end_uses)}."))
    if result["displaced"] or any(f["outcome"] == "license_exception" for f in findings):
        steps.append(
            Step(
                "exceptions",
                "exceptions",
                "Licence exceptions",
                "Does an exception or exemption take a requirement away here?",
                "single",
                ["yes", "no"],
                ["yes" if result["displaced"] else "no"],
                hint="An exception only counts if a requirement would otherwise apply.",
                explanation=[f"{f['rule_id']} displaced by {f['displaced_by']}" for f in result["displaced"]]
                or ["No requirement was displaced."],
            )
        )

    missing = result.get("missing_facts") or []
    if missing:
        steps.append(_missing_step(missing))
    applying = [r for r, v in by_regime.items() if v["outcome"] != "no_license_required"]
    steps.append(
        Step(
            "regimes",
            "regimes",
            "Which regimes apply?",
            "Choose every regime that requires something (a licence, a notification, a review, or forbids it), "
            "or may, once the missing facts are known.",
            "multi",
            [by_regime[r]["title"] for r in by_regime] + [NONE],
            [by_regime[r]["title"] for r in applying] or [NONE],
            hint="Each regime has its own trigger: EAR jurisdiction, list parties, the chip and destination, "
            "exports from China, US persons investing.",
            explanation=[f"{by_regime[r]['title']}: {by_regime[r]['outcome'].replace('_', ' ')}" for r in applying]
            or ["No regime requires anything."],
        )
    )
    outcomes = [str(o) for o in Outcome]  # strongest first
    for r in applying:
        regime_findings = [f for f in findings if f["regime"] == r]
        steps.append(
            Step(
                f"regime:{r}",
                "regime_outcomes",
                f"Outcome under: {by_regime[r]['title']}",
                "",
                "single",
                outcomes,
                [by_regime[r]["outcome"]],
                hint=f"Rules that fired here: {', '.join(x['rule_id'] for x in regime_findings)}.",
                explanation=_rule_lines(regime_findings),
            )
        )
    mistakes = txn.teaching.mistakes if txn.teaching else []
    steps.append(
        Step(
            "overall",
            "overall",
            "Overall outcome",
            "The strongest outcome across the regimes.",
            "single",
            outcomes,
            [result["outcome"]],
            hint="Prohibited beats licence required, which beats notification, review, exception, no licence.",
            explanation=[f"Overall: {result['outcome'].replace('_', ' ')}."]
            + [f"Common mistake: {m}" for m in mistakes],
        )
    )
    return _with_authored(steps, txn)


# Questions that decide nothing under any modelled rule, offered beside the real missing facts.
_IDLE_QUESTIONS = (
    "Which carrier ships the goods, and from which port?",
    "In which currency is the invoice written?",
    "How much does the shipment weigh?",
    "Who signed the purchase order on the buyer's side?",
)


def _missing_step(missing: list[dict[str, Any]]) -> Step:
    """'What would you need to know?': the facts do not decide, and the trainee must name the
    missing facts that do (the answers' effects are the feedback)."""
    questions = list(dict.fromkeys(m["question"] for m in missing))
    explanation = []
    for m in missing:
        for d in m["decides"]:
            also = f" (and {'; '.join(d['also_needs'])})" if d["also_needs"] else ""
            explanation.append(
                f"{m['question']} If {' or '.join(d['if'])}{also}: {d['outcome'].replace('_', ' ')} under "
                f"{d['rule_id']}; otherwise {d['otherwise'].replace('_', ' ')}."
            )
    return Step(
        "missing",
        "missing",
        "What would you need to know?",
        "The facts of this case do not decide it. Choose every question whose answer could change the outcome "
        "(the others decide nothing here).",
        "multi",
        sorted([*questions, *_IDLE_QUESTIONS]),
        questions,
        hint="Look for a fact the rules need that the case does not state: origin and content, classification, "
        "who the parties are, and what the rule's thresholds test.",
        explanation=explanation,
    )


def _with_authored(steps: list[Step], txn: Transaction) -> list[Step]:
    if not txn.teaching or not txn.teaching.questions:
        return steps
    out: list[Step] = []
    for step in steps:
        out.append(step)
        for n, q in enumerate(txn.teaching.questions):
            if q.after == step.stage and not step.id.startswith("regime:"):
                out.append(
                    Step(
                        f"authored:{n}",
                        step.stage,
                        "A question from your trainer",
                        q.prompt,
                        "single",
                        list(q.options),
                        [q.answer],
                        explanation=[q.explanation] if q.explanation else [],
                    )
                )
    return out


def parse_answer(step: Step, text: str) -> list[str] | None:
    """The options chosen by a typed answer (numbers or option text, commas for several), or None
    if it names no option."""
    chosen = []
    for part in [p.strip() for p in (text.split(",") if step.kind == "multi" else [text])]:
        if not part:
            return None
        if part.isdigit() and 1 <= int(part) <= len(step.options):
            chosen.append(step.options[int(part) - 1])
            continue
        match = [o for o in step.options if o.casefold() == part.casefold()]
        if not match:
            match = [o for o in step.options if o.casefold().replace("_", " ") == part.casefold().replace("_", " ")]
        if len(match) != 1:
            return None
        chosen.append(match[0])
    return sorted(set(chosen))


def is_right(step: Step, chosen: list[str]) -> bool:
    return sorted(chosen) == sorted(step.answer)


def max_score(steps: list[Step]) -> int:
    return POINTS * sum(s.scored for s in steps)
