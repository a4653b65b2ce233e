"""The comparison as one self-contained HTML page: inline CSS, inline JS, SVG charts drawn here.

Everything that comes from case or variant files is escaped: text is written with html.escape,
and the data the page's script reads is embedded as JSON with every '<' escaped, then put into
the page with textContent only (never innerHTML), so a case titled `<script>...` shows as text.
"""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from exportsim.engine.core.decision.outcomes import Outcome

from exportsim import __version__

ORDER = [str(o) for o in Outcome]  # strongest first

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dde5; --accent:#2f5fb3; --bad:#b3261e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background:#f6f7f9; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 28px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
.disclaimer { color: var(--muted); font-style: italic; }
main { padding: 8px 28px 40px; max-width: 1200px; }
section.scenario { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 20px; margin-top: 20px; }
.kpis { display: flex; gap: 24px; flex-wrap: wrap; }
.kpi { background: #f0f3f8; border-radius: 6px; padding: 8px 14px; } .kpi b { font-size: 20px; display: block; }
.charts { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
table.changes { border-collapse: collapse; width: 100%; margin-top: 8px; }
table.changes th, table.changes td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.changes th { cursor: pointer; user-select: none; background: #f0f3f8; position: sticky; top: 0; }
table.changes th.sorted-asc::after { content: " \\25B2"; } table.changes th.sorted-desc::after { content: " \\25BC"; }
table.changes tr.row:hover { background: #f7f9fd; cursor: pointer; }
tr.detail td { background: #fbfbfd; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.sides ul { margin: 4px 0; padding-left: 18px; }
.only { color: var(--bad); font-weight: 600; }
.filters { display: flex; gap: 12px; margin-top: 12px; align-items: center; flex-wrap: wrap; }
input[type=search], select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
.muted { color: var(--muted); }
"""

JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function findingList(items, onlyIds) {
    var ul = el("ul");
    if (!items.length) ul.appendChild(el("li", "no findings", "muted"));
    items.forEach(function (f) {
      var li = el("li", f.outcome + " \u2014 " + f.rule_id + ": " + (f.title || "") + (f.citation ? " (" + f.citation + ")" : ""));
      if (onlyIds.indexOf(f.rule_id) >= 0) li.className = "only";
      ul.appendChild(li);
    });
    return ul;
  }
  function firedList(refs) {
    var ul = el("ul");
    if (!refs.length) ul.appendChild(el("li", "none", "muted"));
    refs.forEach(function (r) { ul.appendChild(el("li", r.rule_id + " [" + r.regime + "] " + r.title + " \u2014 " + r.citation)); });
    return ul;
  }
  function detailRow(c, cols) {
    var tr = el("tr", undefined, "detail"), td = el("td"); td.colSpan = cols;
    var sides = el("div", undefined, "sides");
    var onlyB = c.only_in_baseline.map(function (r) { return r.rule_id; });
    var onlyS = c.only_in_scenario.map(function (r) { return r.rule_id; });
    var left = el("div"), right = el("div");
    left.appendChild(el("h3", "Baseline (" + c.baseline_date + "): " + c.from));
    left.appendChild(findingList(c.findings.baseline, onlyB));
    left.appendChild(el("div", "Rules fired only here:", "muted")); left.appendChild(firedList(c.only_in_baseline));
    right.appendChild(el("h3", "Scenario (" + c.date + "): " + c.to));
    right.appendChild(findingList(c.findings.scenario, onlyS));
    right.appendChild(el("div", "Rules fired only here:", "muted")); right.appendChild(firedList(c.only_in_scenario));
    sides.appendChild(left); sides.appendChild(right);
    td.appendChild(el("div", c.where, "muted")); td.appendChild(sides); tr.appendChild(td);
    return tr;
  }
  var COLS = [["id", "id"], ["title", "title"], ["destination", "dest."], ["kind", "kind"], ["from", "baseline"], ["to", "scenario"], ["regimes", "regimes changed"]];
  function cellText(c, key) { return key === "regimes" ? Object.keys(c.regimes).join(", ") : String(c[key]); }
  data.scenarios.forEach(function (s, si) {
    var host = document.getElementById("changes-" + si);
    var table = el("table", undefined, "changes"), thead = el("thead"), hr = el("tr"), tbody = el("tbody");
    var state = { key: "id", dir: 1, text: "", outcome: "" };
    COLS.forEach(function (col) {
      var th = el("th", col[1]); th.dataset.key = col[0];
      th.addEventListener("click", function () {
        state.dir = state.key === col[0] ? -state.dir : 1; state.key = col[0]; render();
      });
      hr.appendChild(th);
    });
    thead.appendChild(hr); table.appendChild(thead); table.appendChild(tbody);
    var filters = el("div", undefined, "filters");
    var search = el("input"); search.type = "search"; search.placeholder = "filter by id, title, destination, rule\u2026"; search.id = "filter-" + si;
    var select = el("select"); select.id = "outcome-" + si; select.appendChild(el("option", "any scenario outcome"));
    select.options[0].value = "";
    Array.from(new Set(s.changes.map(function (c) { return c.to; }))).sort().forEach(function (o) { var op = el("option", o); op.value = o; select.appendChild(op); });
    var shown = el("span", "", "muted"); shown.id = "shown-" + si;
    search.addEventListener("input", function () { state.text = search.value.toLowerCase(); render(); });
    select.addEventListener("change", function () { state.outcome = select.value; render(); });
    filters.appendChild(search); filters.appendChild(select); filters.appendChild(shown);
    host.appendChild(filters); host.appendChild(table);
    function matches(c) {
      if (state.outcome && c.to !== state.outcome) return false;
      if (!state.text) return true;
      var hay = [c.id, c.title, c.destination, c.kind].concat(c.only_in_baseline.map(function (r) { return r.rule_id; }), c.only_in_scenario.map(function (r) { return r.rule_id; })).join(" ").toLowerCase();
      return hay.indexOf(state.text) >= 0;
    }
    function render() {
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      Array.prototype.forEach.call(hr.children, function (th) { th.className = th.dataset.key === state.key ? (state.dir > 0 ? "sorted-asc" : "sorted-desc") : ""; });
      var rows = s.changes.filter(matches).sort(function (a, b) {
        var x = cellText(a, state.key), y = cellText(b, state.key);
        return x < y ? -state.dir : x > y ? state.dir : 0;
      });
      rows.forEach(function (c) {
        var tr = el("tr", undefined, "row"); tr.dataset.id = c.id;
        COLS.forEach(function (col) { tr.appendChild(el("td", cellText(c, col[0]))); });
        var open = null;
        tr.addEventListener("click", function () {
          if (open) { tbody.removeChild(open); open = null; return; }
          open = detailRow(c, COLS.length); tbody.insertBefore(open, tr.nextSibling);
        });
        tbody.appendChild(tr);
      });
      shown.textContent = rows.length + " of " + s.changes.length + " changed transactions shown";
    }
    render();
  });
  document.body.dataset.ready = "yes";
})();
"""


def _heatmap(transitions: list[dict[str, Any]]) -> str:
    outcomes = [o for o in ORDER if any(o in (t["from"], t["to"]) for t in transitions)]
    if not outcomes:
        return "<p class='muted'>No transactions.</p>"
    cell = {(t["from"], t["to"]): t["count"] for t in transitions}
    top = max(cell.values())
    size, left, head = 56, 150, 120
    width, height = left + size * len(outcomes) + 80, head + size * len(outcomes) + 10
    parts = [f'<svg role="img" aria-label="Transition matrix" width="{width}" height="{height}" class="heatmap">']
    for j, o in enumerate(outcomes):
        x = left + j * size + size / 2
        parts.append(f'<text transform="translate({x},{head - 6}) rotate(-40)">{escape(o.replace("_", " "))}</text>')
    for i, a in enumerate(outcomes):
        y = head + i * size
        parts.append(
            f'<text x="{left - 6}" y="{y + size / 2 + 4}" text-anchor="end">{escape(a.replace("_", " "))}</text>'
        )
        for j, b in enumerate(outcomes):
            n = cell.get((a, b), 0)
            shade = 0 if n == 0 else 0.15 + 0.85 * math.log1p(n) / math.log1p(top)
            colour = f"rgba(179,38,30,{shade:.3f})" if a != b else f"rgba(47,95,179,{shade:.3f})"
            x = left + j * size
            parts.append(
                f'<rect x="{x}" y="{y}" width="{size - 2}" height="{size - 2}" fill="{colour if n else "#f2f3f6"}">'
                f"<title>{escape(a)} -> {escape(b)}: {n}</title></rect>"
            )
            if n:
                parts.append(
                    f'<text x="{x + size / 2 - 1}" y="{y + size / 2 + 4}" text-anchor="middle" '
                    f'class="cell" data-from="{escape(a)}" data-to="{escape(b)}">{n}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)


def _bars(title: str, rows: list[tuple[str, int, int]]) -> str:
    """Horizontal bars: changed of total per label."""
    if not rows:
        return f"<div><h3>{escape(title)}</h3><p class='muted'>No changes.</p></div>"
    top = max(total for _, _, total in rows) or 1
    bar_w, left, row_h = 260, 230, 20
    height = row_h * len(rows) + 10
    parts = [
        f"<div><h3>{escape(title)}</h3>",
        f'<svg role="img" aria-label="{escape(title)}" width="{left + bar_w + 90}" height="{height}">',
    ]
    for i, (label, changed, total) in enumerate(rows):
        y = i * row_h + 4
        shown = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(shown)}<title>{escape(label)}</title></text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{bar_w * total / top:.1f}" height="14" fill="#dfe5f1"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{bar_w * changed / top:.1f}" height="14" fill="#b3261e"/>')
        parts.append(f'<text x="{left + bar_w * total / top + 6:.1f}" y="{y + 12}">{changed} / {total}</text>')
    parts.append("</svg></div>")
    return "".join(parts)


def _regime_rows(s: dict[str, Any]) -> list[tuple[str, int, int]]:
    rows = [(r, sum(moves.values()), sum(moves.values())) for r, moves in s["by_regime"].items()]
    return sorted(rows, key=lambda r: -r[1])


def render_html(data: dict[str, Any]) -> str:
    n = data["transactions"]
    sections = []
    for i, s in enumerate(data["scenarios"]):
        dests = sorted(
            ((k, v.get("changed", 0), v.get("total", 0)) for k, v in s["by_destination"].items()),
            key=lambda r: (-r[1], -r[2], r[0]),
        )[:15]
        cats = sorted(
            ((k, v.get("changed", 0), v.get("total", 0)) for k, v in s["by_category"].items()),
            key=lambda r: (-r[1], -r[2], r[0]),
        )[:12]
        share = 100 * s["changed"] / n if n else 0.0
        sections.append(
            f"""<section class="scenario" id="scenario-{i}">
<h2>{escape(s["scenario"])} <span class="muted">vs {escape(data["baseline"])}</span></h2>
<div class="kpis">
  <div class="kpi"><b class="changed-count" id="changed-{i}">{s["changed"]}</b>change overall outcome ({share:.1f}%)</div>
  <div class="kpi"><b id="findings-only-{i}">{s["changed_findings_only"]}</b>change only in the rules fired</div>
  <div class="kpi"><b>{n - s["changed"]}</b>keep their outcome</div>
</div>
<div class="charts">
  <div><h3>Transitions (rows: baseline, columns: scenario)</h3>{_heatmap(s["transitions"])}</div>
  {_bars("Changed by destination (changed / total)", dests)}
  {_bars("Changes by regime", _regime_rows(s))}
  {_bars("Changed by item category", cats)}
</div>
<h3>Changed transactions <span class="muted">(click a row for the side-by-side explanation; click a heading to sort)</span></h3>
<div id="changes-{i}"></div>
</section>"""
        )
    payload = (
        json.dumps(
            {"scenarios": [{"scenario": s["scenario"], "changes": s["changes"]} for s in data["scenarios"]]},
            ensure_ascii=False,
        )
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    rules = data.get("rules", {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>exportsim comparison</title>
<style>{CSS}</style></head>
<body>
<header>
<h1>exportsim comparison: <span id="count-transactions">{n}</span> transactions</h1>
<div>Baseline: {escape(data["baseline"])}; rules {escape(str(rules.get("source", "")))} (digest {escape(str(rules.get("digest", "")))}); exportsim {escape(__version__)}</div>
<div class="disclaimer">{escape(data.get("disclaimer", ""))}</div>
</header>
<main>
{"".join(sections)}
</main>
<script id="report-data" type="application/json">{payload}</script>
<script>{JS}</script>
</body></html>
"""
