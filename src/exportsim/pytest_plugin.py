"""pytest plugin (entry point `pytest11`): `pytest cases/` collects case files as test items.

A YAML or JSON file is collected when it reads as a case: a top-level `kind:` and an
`expected:` block. Each case is evaluated on its own date with the built-in rules (or
`--exportsim-rules DIR`, `--exportsim-variant FILE|ID`, `--exportsim-engine python`) and judged by
the same comparison as `exportsim test`, so both give the same verdicts. A failure names the case
file, the line and field of each unmet expectation, and what the rules found instead.

Set `exportsim_cases = false` in the pytest ini options to stop collecting case files.

pytest loads this plugin in every run of the environment it is installed in, so importing it
loads no engine: the rules, the evaluator (and durable-rules, for the durable engine) are
imported when the first case file is collected or run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from exportsim.engine.core.errors import InputError

if TYPE_CHECKING:
    from exportsim.engine.core.evaluate import Evaluator
    from exportsim.engine.suites.expectations import Mismatch
    from exportsim.engine.suites.suite import CaseFile

CASE_SUFFIXES = (".yaml", ".yml", ".json")  # as engine/suites/suite.py (checked in the tests)
_YAML_CASE = (re.compile(r"^kind\s*:", re.M), re.compile(r"^expected\s*:", re.M))
_JSON_CASE = (re.compile(r'"kind"\s*:'), re.compile(r'"expected"\s*:'))
_EVALUATOR = pytest.StashKey["Evaluator"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exportsim", "exportsim case files")
    group.addoption("--exportsim-rules", metavar="DIR", help="Rules folder for case files (default: built-in).")
    group.addoption(
        "--exportsim-variant",
        action="append",
        default=[],
        metavar="FILE|ID",
        help="Apply a regime variant when running case files (repeat to stack).",
    )
    group.addoption(
        "--exportsim-engine",
        choices=["durable", "python"],
        default="durable",
        help="Executor for case files (default: durable).",
    )
    parser.addini("exportsim_cases", "Collect exportsim case files (default true).", type="bool", default=True)


def looks_like_case(path: Path) -> bool:
    """A cheap textual test, so that rule files and unrelated YAML are never parsed as cases."""
    if path.suffix.lower() not in CASE_SUFFIXES:
        return False
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    patterns = _JSON_CASE if path.suffix.lower() == ".json" else _YAML_CASE
    return all(p.search(text) for p in patterns)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if parent.config.getini("exportsim_cases") and looks_like_case(file_path):
        return CaseFileCollector.from_parent(parent, path=file_path)
    return None


def _evaluator(config: pytest.Config) -> Evaluator:
    if _EVALUATOR not in config.stash:
        from exportsim.engine.core.errors import EngineFailure
        from exportsim.engine.scenarios.prepared import prepare

        rules_dir = config.getoption("exportsim_rules")
        try:
            prepared = prepare(Path(rules_dir) if rules_dir else None, config.getoption("exportsim_variant"))
            config.stash[_EVALUATOR] = prepared.evaluator(config.getoption("exportsim_engine"))
        except InputError as err:
            raise pytest.UsageError(f"exportsim could not load the rules:\n{err}") from None
        except EngineFailure as exc:  # durable-rules cannot be imported: the cause and the fix
            raise pytest.UsageError(f"exportsim cannot run the case files: {exc}") from None
    return config.stash[_EVALUATOR]


class CaseFileCollector(pytest.File):
    def collect(self):
        from exportsim.engine.suites.suite import load_cases

        cases, problems = load_cases([self.path])
        if problems:
            yield BrokenCaseItem.from_parent(self, name=self.path.name, error=InputError(problems))
        for case in cases:
            yield CaseItem.from_parent(self, name=case.txn.id, case=case)


class CaseMismatch(AssertionError):
    def __init__(self, mismatches: list[Mismatch], result: dict[str, Any]) -> None:
        super().__init__(mismatches)
        self.mismatches = mismatches
        self.result = result


class CaseItem(pytest.Item):
    def __init__(self, *, case: CaseFile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        # `pytest -k` matches a case by its id (the item name), file name and tags.
        self.extra_keyword_matches.update([*case.txn.tags, case.path.stem])

    def runtest(self) -> None:
        from exportsim.engine.suites.suite import run

        (outcome,) = run([self.case], _evaluator(self.config))
        if not outcome.passed:
            raise CaseMismatch(outcome.mismatches, outcome.result)

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        if not isinstance(excinfo.value, CaseMismatch):
            return super().repr_failure(excinfo)
        err = excinfo.value
        lines = [f"case {self.case.txn.id} ({self.path}) does not meet its expectation:"]
        for m in err.mismatches:
            lines.append(f"  {self.path}:{m.line or '?'}  {m.field}")
            lines.append(f"      expected: {m.expected}")
            lines.append(f"      got:      {m.actual}")
        lines.append(_explain(err.result))
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, None, f"case {self.case.txn.id}"


class BrokenCaseItem(pytest.Item):
    """A case file that cannot be read fails as one item, with the loader's located message."""

    def __init__(self, *, error: InputError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        return "the case file cannot be used:\n" + "\n".join(f"  {p.render()}" for p in self.error.problems)

    def reportinfo(self):
        return self.path, None, f"case file {self.path.name}"


def _explain(result: dict[str, Any]) -> str:
    """What the rules found, in a few lines (the full trace: `exportsim evaluate FILE`)."""
    lines = [f"  the rules found: {result['outcome']} (as of {result['as_of']})"]
    for name, r in result["regimes"].items():
        lines.append(f"    {name}: {r['outcome']}" + (f"  [{', '.join(r['rules'])}]" if r["rules"] else ""))
    for f in result["findings"]:
        lines.append(f"    - {f['rule_id']}: {f['title']} ({f['citation']['instrument']})")
    lines.append(f"  full explanation: exportsim evaluate {result['transaction']['file']}")
    return "\n".join(lines)
