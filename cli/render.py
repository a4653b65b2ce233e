"""Text rendering of results and rules for people (rich). JSON is printed by the commands."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from exportsim import DISCLAIMER

STYLE = {
    "prohibited": "bold white on red",
    "license_required": "bold red",
    "notification_required": "bold yellow",
    "insufficient_facts": "bold magenta",
    "review_required": "yellow",
    "not_modelled": "bold blue",
    "license_exception": "cyan",
    "no_license_required": "green",
}


def outcome_text(outcome: str) -> Text:
    return Text(outcome.replace("_", " ").upper(), style=STYLE.get(outcome, ""))


def _value(v: Any) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _bound(node: Tree, bound: list[dict]) -> None:
    for b in bound:
        fact = node.add(Text.assemble((f"{b['alias']}", "bold"), f" = {b['label']} ", (f"[{b['fact']}]", "dim")))
        for m in b["matched"]:
            line = Text.assemble("✓ ", (m["condition"], ""), (f"  (saw {_value(m['value'])}", "dim"))
            if "groups" in m:
                line.append(f"; groups {_value(m['groups'])}", style="dim")
            line.append(")", style="dim")
            if m.get("note"):
                line.append(f" — {m['note']}", style="italic")
            fact.add(line)


def result_tree(r: dict[str, Any], *, show_trace: bool = True, show_law: bool = False) -> Group:
    title = Text.assemble(
        (r["transaction"]["id"], "bold"),
        f"  {r['transaction']['title']}",
        "  as of ",
        (r["as_of"], "bold"),
        "  → ",
        outcome_text(r["outcome"]),
    )
    root = Tree(title)
    if r["outcome"] == "insufficient_facts":
        possible = ", ".join(o.replace("_", " ") for o in r["possible_outcomes"])
        root.add(
            Text.assemble(
                ("Not a clearance: ", "bold magenta"),
                "the known facts decide ",
                outcome_text(r["certain_outcome"]),
                f"; once the missing facts below are answered the outcome may be: {possible}.",
            )
        )
    if r["rules"].get("variants"):
        root.add(
            Text(
                f"Under variant(s): {', '.join(r['rules']['variants'])} — not the law as it stands",
                style="bold magenta",
            )
        )
    regimes = root.add(Text("Regimes", style="bold"))
    for reg in r["regimes"].values():
        certain = reg.get("certain_outcome", reg["outcome"])
        known = f" (known facts: {certain.replace('_', ' ')})" if reg["outcome"] == "insufficient_facts" else ""
        regimes.add(
            Text.assemble(
                outcome_text(reg["outcome"]),
                (known, "dim"),
                f"  {reg['title']}",
                (f"  ({', '.join(reg['rules'])})" if reg["rules"] else "", "dim"),
            )
        )
    if r.get("missing_facts"):
        missing = root.add(Text("Missing facts (what to ask, and what each answer would give)", style="bold magenta"))
        for m in r["missing_facts"]:
            q = missing.add(Text.assemble((m["question"], "bold"), (f"  [{m['input']} — {m['label']}]", "dim")))
            for d in m["decides"]:
                also = f", and {'; '.join(d['also_needs'])}" if d["also_needs"] else ""
                q.add(
                    Text.assemble(
                        f"if {' or '.join(d['if'])}{also}: ",
                        outcome_text(d["outcome"]),
                        f" under {d['rule_id']}",
                        (f" (otherwise {d['otherwise'].replace('_', ' ')})", "dim"),
                    )
                )
    if r["findings"]:
        fnode = root.add(Text("Findings", style="bold"))
        for f in r["findings"]:
            head = Text.assemble(outcome_text(f["outcome"]), "  ", (f["rule_id"], "bold"), f"  {f['title']}")
            n = fnode.add(head)
            eff = f["effective"]
            n.add(
                Text(
                    f"Citation: {_citation(f['citation'])}  (rule v{f['version']}, in force "
                    f"{eff['from']} .. {eff['to'] or 'open'}; {f['confidence']})",
                    style="dim",
                )
            )
            n.add(Text(f["summary"]))
            if show_law and f.get("excerpt"):
                n.add(Text(f"Text of the law: “{f['excerpt']}”", style="italic"))
            if f["review_policy"]:
                n.add(Text(f"Review policy: {f['review_policy'].replace('_', ' ')}"))
            _bound(n.add("Triggered by"), f["triggering_facts"])
            for ob in f["obligations"]:
                due = f" — due {ob['due']} ({ob['rule']})" if ob.get("due") else ""
                n.add(Text(f"Obligation: {ob['text']}{due}", style="magenta"))
    for f in r.get("displaced", []):
        root.add(Text(f"{f['rule_id']} displaced by exception {f['displaced_by']}", style="cyan"))
    if r["notes"]:
        notes = root.add(Text("Facts derived before matching", style="bold"))
        for note in r["notes"]:
            src = f" [{note['source']}]" if note.get("source") else ""
            notes.add(Text(f"{note['fact']}.{note['field']}: {note['because']}{src}"))
    if show_trace and r["trace"]:
        trace = root.add(Text("Trace (rule firings in order)", style="bold"))
        for step in r["trace"]:
            what = f"derived {step['derived']['t']}" if step["derived"] else f"→ {step['outcome']}"
            s = trace.add(
                Text.assemble(
                    f"{step['step']}. ",
                    (step["rule_id"], "bold"),
                    f" [{step['regime']}] {what}  ",
                    (_citation(step["citation"]), "dim"),
                )
            )
            _bound(s, step["bound"])
    if r["parameters"]:
        params = root.add(Text("Parameters used", style="bold"))
        for k, v in r["parameters"].items():
            params.add(f"{k} = {v}")
    if "why_not" in r:
        wn = root.add(Text("Why not (rules that did not fire)", style="bold"))
        for m in r["why_not"]:
            if not m["in_force"]:
                wn.add(Text(f"{m['rule_id']}: {m['reason']}", style="dim"))
            elif m.get("failed_condition"):
                note = f" — {m['note']}" if m.get("note") else ""
                wn.add(
                    Text(
                        f"{m['rule_id']}: on {m['label']} [{m['fact']}], failed '{m['failed_condition']}' "
                        f"(saw {_value(m['seen'])}){note}"
                    )
                )
            else:
                wn.add(Text(f"{m['rule_id']}: {m['reason']}"))
    return Group(root)


def _citation(c: dict[str, Any]) -> str:
    parts = [c["instrument"]]
    if c.get("section"):
        parts.append(c["section"])
    if c.get("reference"):
        parts.append(f"({c['reference']})")
    return " ".join(parts)


def disclaimer_panel() -> Panel:
    return Panel(Text(DISCLAIMER, style="italic"), border_style="dim")


def print_results(console: Console, results: list[dict[str, Any]], show_trace: bool, show_law: bool = False) -> None:
    for r in results:
        console.print(result_tree(r, show_trace=show_trace, show_law=show_law))
        console.print()
    if len(results) > 1:
        table = Table(title="Summary")
        table.add_column("case")
        table.add_column("date")
        table.add_column("outcome")
        for r in results:
            table.add_row(r["transaction"]["id"], r["as_of"], outcome_text(r["outcome"]))
        console.print(table)
    console.print(disclaimer_panel())
