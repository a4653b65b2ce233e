"""Reports of a suite run for people (coverage tables) and for CI systems (JUnit XML)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from exportsim.engine.core.errors import Problem
from exportsim.engine.suites.coverage import Coverage
from exportsim.engine.suites.suite import CaseOutcome
from rich.console import Group
from rich.table import Table
from rich.text import Text


def coverage_text(cov: Coverage) -> Group:
    table = Table(title="Rule coverage", title_justify="left")
    for col, justify in (
        ("regime", "left"),
        ("rules fired", "right"),
        ("never fired", "left"),
        ("exception branches", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in cov.regimes:
        total = len(r.fired) + len(r.never_fired)
        covered = sum(b.covered for b in r.branches)
        table.add_row(
            r.regime,
            f"{len(r.fired)}/{total}",
            ", ".join(r.never_fired) or "-",
            f"{covered}/{len(r.branches)}" if r.branches else "-",
        )
    lines: list = [table]
    missed = [b for r in cov.regimes for b in r.branches if not b.covered]
    if missed:
        lines.append(Text("Exception branches never taken (exception -> the requirements it never displaced):"))
        by_exception: dict[str, list[str]] = defaultdict(list)
        for b in missed:
            by_exception[b.exception].append(b.displaces)
        lines.extend(Text(f"  {exc} -> {', '.join(targets)}") for exc, targets in by_exception.items())
    lines.append(
        Text(
            f"List entries never matched ({len(cov.entries_untouched)}/{cov.entries_total}): "
            + (", ".join(cov.entries_untouched) or "none")
        )
    )
    lines.append(
        Text(
            f"Parameters never used ({len(cov.parameters_untouched)}/{cov.parameters_total}): "
            + (", ".join(cov.parameters_untouched) or "none")
        )
    )
    style = "bold green" if cov.percent >= 100 else "bold yellow"
    lines.append(Text(f"rules covered: {cov.rules_fired}/{cov.rules_total} ({cov.percent:.1f}%)", style=style))
    return Group(*lines)


def junit_xml(outcomes: list[CaseOutcome], broken: list[Problem], variants: list[str]) -> str:
    """One <testsuite> per case folder, one <testcase> per case; a failure lists each mismatch,
    and a file that could not be read is a testcase with an <error>."""
    by_folder: dict[str, list[CaseOutcome]] = defaultdict(list)
    for o in outcomes:
        by_folder[str(o.case.path.parent)].append(o)
    root = ET.Element("testsuites", name="exportsim", tests=str(len(outcomes) + len({p.file for p in broken})))
    root.set("failures", str(sum(not o.passed for o in outcomes)))
    root.set("errors", str(len({p.file for p in broken})))
    for folder, items in sorted(by_folder.items()):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=folder,
            tests=str(len(items)),
            failures=str(sum(not o.passed for o in items)),
            time=f"{sum(o.seconds for o in items):.4f}",
        )
        if variants:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="variants", value=",".join(variants))
        for o in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=folder.replace("/", "."),
                name=o.case.path.name,
                file=str(o.case.path),
                time=f"{o.seconds:.4f}",
            )
            if not o.passed:
                first = o.mismatches[0]
                failure = ET.SubElement(
                    case, "failure", message=f"{first.field}: expected {first.expected}, got {first.actual}"
                )
                failure.text = "\n".join(
                    f"{o.case.path}:{m.line or '?'} {m.field}: expected {m.expected}, got {m.actual}"
                    for m in o.mismatches
                )
    if broken:
        suite = ET.SubElement(root, "testsuite", name="unreadable case files", tests=str(len({p.file for p in broken})))
        for file in sorted({p.file for p in broken}):
            case = ET.SubElement(suite, "testcase", classname="unreadable", name=Path(file).name, file=file)
            problems = [p for p in broken if p.file == file]
            error = ET.SubElement(case, "error", message=problems[0].message)
            error.text = "\n".join(p.render() for p in problems)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
