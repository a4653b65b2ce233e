"""The HTML comparison report in a real headless browser (Debian's chromium, installed by .ci/run):
it loads without console messages, its script builds every changed row, the counts are right,
and markup from a case file shows as text and runs nothing.

Without chromium this module is skipped on a developer's machine (install it with
`apt-get install chromium`); under CI (CI=true) a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


def browse(page: Path, tmp_path: Path) -> tuple[str, list[str]]:
    """The DOM after the page's scripts ran, and every console message the page produced."""
    assert CHROMIUM, "chromium is required under CI: .ci/run installs Debian's chromium package"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


def report(tmp_path: Path, inputs: list[str], *variants: str) -> tuple[Path, dict]:
    args = ["compare", *inputs, *(a for v in variants for a in ("--variant", v))]
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    page = tmp_path / "report.html"
    out = CliRunner().invoke(cli, [*args, "--format", "html", "-o", str(page)])
    assert out.exit_code == 0, out.output
    return page, data


def test_report_loads_cleanly_and_shows_the_counts(tmp_path):
    page, data = report(tmp_path, [], "affiliates-suspension-extended", "hikvision-on-sdn")
    dom, console = browse(page, tmp_path)
    assert console == []
    assert 'data-ready="yes"' in dom
    assert re.search(r'id="count-transactions">(\d+)<', dom).group(1) == str(len(builtin_case_paths()))
    for i, s in enumerate(data["scenarios"]):
        assert re.search(rf'id="changed-{i}">(\d+)<', dom).group(1) == str(s["changed"])
        assert re.search(rf'id="shown-{i}">(\d+) of (\d+)', dom).groups() == (str(len(s["changes"])),) * 2
    rows = re.findall(r'<tr class="row" data-id="([^"]+)"', dom)
    assert len(rows) == sum(len(s["changes"]) for s in data["scenarios"])
    assert "el-affiliate-reimposed" in rows


def test_markup_in_a_case_title_is_shown_as_text_and_never_runs(tmp_path):
    src = next(p for p in builtin_case_paths() if p.stem == "el-affiliate-reimposed")
    case = yaml.safe_load(src.read_text())
    evil = (
        "<script>document.body.dataset.pwned='script'</script>"
        "<img src=x onerror=\"document.body.dataset.pwned='img'\">"
    )
    case["title"] = evil
    case["id"] = "evil-case"
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "evil.yaml").write_text(yaml.safe_dump(case, allow_unicode=True))
    page, data = report(tmp_path, [str(folder)], "affiliates-suspension-extended")
    assert data["scenarios"][0]["changes"][0]["title"] == evil
    dom, console = browse(page, tmp_path)
    assert console == []
    assert "pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]  # no attribute set on <body>
    assert "&lt;script&gt;document.body.dataset.pwned" in dom  # shown as text in the table
    assert 'data-ready="yes"' in dom
