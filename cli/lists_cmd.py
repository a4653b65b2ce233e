"""`exportsim lists import|show` (the local list store) and `exportsim screen` (one name, or a
labelled set of pairs for precision and recall)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.facts.screening import ListIndex
from exportsim.engine.lists.importers import FORMATS, parse_csl_csv, parse_csl_json, parse_sdn_csv, parse_sdn_xml
from exportsim.engine.lists.screen_eval import evaluate, load_set, thresholds
from exportsim.engine.lists.store import ListStore, default_path
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .common import EXIT_FAILED, fail_input, format_option, lists_db_option, load_ruleset, parse_date, rules_option

db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The list store (default: {default_path()}; or set EXPORTSIM_DATA_DIR).",
)


@click.group("lists")
def lists() -> None:
    """Import official list files into a local store, and show what it holds."""


@lists.command("import")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="sdn-csv (sdn.csv, with alt.csv/add.csv beside it or named), sdn-xml, csl-csv, csl-json.",
)
@click.option("--alt", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="sdn-csv: the alt.csv file.")
@click.option("--add", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="sdn-csv: the add.csv file.")
@click.option("--published", callback=parse_date, help="The list's publication date (sdn.xml carries its own).")
@click.option(
    "--downloaded", callback=parse_date, help="When the file was downloaded (default: its modification date)."
)
@db_option
def lists_import(file, fmt, alt, add, published, downloaded, db) -> None:
    """Import FILE; a re-import of a newer file updates entries and keeps the old ones' record."""
    try:
        file_published = None
        if fmt == "sdn-csv":
            entries = parse_sdn_csv(file, alt, add)
        elif fmt == "sdn-xml":
            entries, file_published = parse_sdn_xml(file)
        elif fmt == "csl-csv":
            entries = parse_csl_csv(file)
        else:
            entries = parse_csl_json(file)
        mtime = dt.date.fromtimestamp(file.stat().st_mtime).isoformat()
        store = ListStore(db)
        report = store.import_entries(
            fmt,
            file,
            entries,
            (published.isoformat() if published else file_published),
            downloaded.isoformat() if downloaded else mtime,
        )
    except InputError as err:
        fail_input(err)
    click.echo(
        f"imported {report.rows} entries from {file} into {store.path} (import {report.import_id}): "
        f"{report.added} new, {report.changed} changed, {report.unchanged} unchanged, {report.removed} removed"
    )


@lists.command("show")
@click.option("--source", is_flag=True, help="List every import (file, dates, SHA-256, row counts).")
@click.option("--entry", "uid", metavar="UID", help="Show one entry's history across imports (e.g. sdn:36).")
@db_option
@format_option
def lists_show(source, uid, db, fmt) -> None:
    """What the store holds: entries per list now, and with --source the imports."""
    try:
        store = ListStore(db, create=False)
    except InputError as err:
        fail_input(err)
    data = {"store": str(store.path), "current_entries": store.counts()}
    if source:
        data["imports"] = store.imports()
    if uid:
        data["history"] = store.history(uid)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    console.print(
        f"[bold]{store.path}[/]: " + ", ".join(f"{k} {v}" for k, v in sorted(data["current_entries"].items()))
    )
    if source:
        t = Table(title="Imports")
        for col in ("id", "format", "file", "published", "downloaded", "rows", "added", "changed", "removed"):
            t.add_column(col)
        for i in data["imports"]:
            t.add_row(
                *(
                    str(i[c] if i[c] is not None else "")
                    for c in ("id", "format", "file", "published", "downloaded", "rows", "added", "changed", "removed")
                )
            )
        console.print(t)
    for h in data.get("history", []):
        state = (
            f"superseded by import {h['superseded_by']}"
            if h["superseded_by"]
            else (f"removed by import {h['removed_by']}" if h["removed_by"] else "current")
        )
        console.print(
            escape(f"import {h['import']}: {h['name']} ({state}); aliases: {', '.join(h.get('aliases', []))}")
        )


@click.command("screen")
@click.argument("name", required=False)
@click.option("--country", help="The party's country (ISO code): a different country lowers the score.")
@click.option("--lists", "list_names", default="entity_list,sdn", show_default=True, help="Lists to screen against.")
@click.option(
    "--date", "on", callback=parse_date, help="Screen against the entries in force on this date (default today)."
)
@click.option(
    "--evaluate-set",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Instead of NAME: measure precision and recall on a labelled set of pairs.",
)
@rules_option
@lists_db_option
@format_option
def screen(name, country, list_names, on, evaluate_set, rules_dir, lists_db, fmt) -> None:
    """Screen NAME against the lists: each entry in the match or review band, with the name or alias
    that matched, both normalised forms and the score (thresholds: rules/screening.yaml)."""
    rules = load_ruleset(rules_dir, (), lists_db)
    if evaluate_set:
        try:
            pairs, index, match_at, review_at = load_set(evaluate_set, rules)
        except InputError as err:
            fail_input(err)
        report = evaluate(pairs, index, match_at, review_at)
        _print_evaluation(report, fmt)
        return
    if not name:
        raise click.UsageError("Give a NAME to screen, or --evaluate-set FILE.")
    day = on or dt.date.today()
    match_at, review_at = thresholds(rules, day)
    index = ListIndex(list(rules.entries.values()))
    wanted = frozenset(lst.strip() for lst in list_names.split(","))
    hits = index.screen_lists([name], wanted, day, country=country, match_at=match_at, review_at=review_at)
    rows = [
        {
            "entry": m.entry.id,
            "list": m.entry.list,
            "listed_name": m.entry.name,
            "band": m.band,
            "score": m.score,
            "matched": m.matched_name,
            "evidence": m.evidence,
            "query_normalised": m.normalised,
            "matched_normalised": m.matched_normalised,
            "adjustments": list(m.adjustments),
        }
        for m in hits
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "query": name,
                    "date": day.isoformat(),
                    "thresholds": {"match": match_at, "review": review_at},
                    "hits": rows,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    console = Console(highlight=False)
    if not rows:
        console.print(escape(f"no entry reaches the review band ({review_at:g}) for '{name}' on {day}"))
        return
    t = Table(title=f"'{name}' on {day} (match >= {match_at:g}, review >= {review_at:g})")
    for col in ("band", "score", "entry", "listed name", "matched", "evidence", "normalised"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r["band"],
            f"{r['score']:.0f}",
            r["entry"],
            r["listed_name"],
            r["matched"],
            r["evidence"],
            f"{r['query_normalised']} ~ {r['matched_normalised']}" + "".join(f"; {a}" for a in r["adjustments"]),
        )
    console.print(t)


def _print_evaluation(report: dict, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        console = Console(highlight=False)
        console.print(
            f"{report['pairs']} pairs; thresholds match {report['thresholds']['match']:g}, review "
            f"{report['thresholds']['review']:g}\nprecision {report['precision']:.3f}, recall {report['recall']:.3f}; "
            f"traps in the match band: {report['traps_in_match_band']}; false positives: "
            f"{report['false_positives']['hard']} hard (match band), {report['false_positives']['soft']} soft (review)"
        )
        t = Table(title="Per category (fp hard: in the match band; fp soft: for review)")
        for col in ("category", "tp", "fn", "fp", "fp hard", "fp soft", "tn"):
            t.add_column(col)
        for cat, c in report["per_category"].items():
            t.add_row(cat, *(str(c.get(k, 0)) for k in ("tp", "fn", "fp", "fp_hard", "fp_soft", "tn")))
        console.print(t)
        for e in report["errors"]:
            console.print(
                f"  {e['category']}: '{e['query']}' expected {e['expected']} ({e['expected_band'] or 'any band'}), "
                f"got {e['got']} ({e['band']}): {e['why']}"
            )
    if report["errors"]:
        sys.exit(EXIT_FAILED)
