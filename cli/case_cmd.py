"""`exportsim case new` scaffolds a case file; `exportsim case check` validates one without running it."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import yaml
from exportsim.engine.core.decision.outcomes import Outcome
from exportsim.engine.core.errors import InputError
from exportsim.engine.core.ruleset.loader import RuleSet
from exportsim.engine.core.transaction.model import Item, Kind, Role, Transaction
from exportsim.engine.core.transaction.source import LineMap
from exportsim.engine.core.transaction.validation import validate
from exportsim.engine.suites.case_check import check_expectation
from exportsim.engine.suites.suite import load_cases
from iso3166 import countries_by_alpha2
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from .common import EXIT_BAD_INPUT, fail_input, load_ruleset, rules_option, variant_option

OUTCOMES = [str(o) for o in Outcome]
KINDS = [str(k) for k in Kind]
ROLES = [str(r) for r in Role]


@click.group("case")
def case() -> None:
    """Write case files by hand comfortably: scaffold one, check one."""


def _party(text: str) -> dict:
    """NAME:ROLE[+ROLE...]:CC, e.g. 'Huawei Technologies Co., Ltd.:end_user+ultimate_consignee:CN'."""
    name, _, rest = text.rpartition(":")
    name, _, roles = name.rpartition(":")
    if not name or not roles:
        raise click.BadParameter(f"'{text}' should read NAME:ROLE:CC, e.g. 'Acme GmbH:end_user:DE'.")
    bad = [r for r in roles.split("+") if r not in ROLES]
    if bad:
        raise click.BadParameter(f"unknown role {', '.join(bad)} in '{text}'; use {', '.join(ROLES)}.")
    return {"name": name, "roles": roles.split("+"), "country": rest}


def _item(text: str) -> dict:
    """DESCRIPTION[:ECCN], e.g. 'Data-centre GPU:3A090.a' (no ECCN: EAR99 by default)."""
    desc, sep, eccn = text.rpartition(":")
    if not (sep and desc):
        return {"description": text}
    if not eccn.strip():
        return {"description": desc}
    try:
        Item.model_validate({"description": desc, "eccn": eccn.strip()})
    except ValidationError:
        raise click.BadParameter(f"'{eccn}' is not an ECCN; write e.g. 3A090.a, 5A992.c or EAR99.") from None
    return {"description": desc, "eccn": eccn.strip()}


def _country_code(text: str) -> str:
    code = text.strip()
    if code not in countries_by_alpha2 or code != code.upper():
        raise click.BadParameter(f"'{text}' is not an ISO 3166-1 alpha-2 code in capitals, e.g. CN, US, DE.")
    return code


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise click.BadParameter(f"'{text}' is not a date; write YYYY-MM-DD.") from None


def _regime_expectation(text: str) -> tuple[str, str]:
    regime, sep, outcome = text.partition("=")
    if not sep or outcome not in OUTCOMES:
        raise click.BadParameter(f"'{text}' should read REGIME=OUTCOME with OUTCOME one of {', '.join(OUTCOMES)}.")
    return regime, outcome


@case.command("new")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here (never overwrites).")
@click.option("--id", "case_id", help="Case id (letters, digits, '.', '_', '-').")
@click.option("--title")
@click.option("--kind", type=click.Choice(KINDS))
@click.option("--date", "on", help="The day whose rules apply, YYYY-MM-DD.")
@click.option("--origin", help="Country the item leaves from (ISO code, e.g. US).")
@click.option("--destination", help="Country of destination (ISO code).")
@click.option("--party", "parties", multiple=True, help="NAME:ROLE[+ROLE]:CC (repeatable).")
@click.option("--item", "items", multiple=True, help="DESCRIPTION[:ECCN] (repeatable).")
@click.option("--difficulty", type=click.Choice(["intro", "intermediate", "advanced"]))
@click.option("--expect", type=click.Choice(OUTCOMES), help="Expected overall outcome.")
@click.option("--expect-regime", "regime_expect", multiple=True, help="REGIME=OUTCOME (repeatable).")
@click.option("--narrative", help="The story of the case, for trainees.")
@click.option("--interactive/--no-interactive", default=None, help="Ask for missing values (default: on a terminal).")
@rules_option
def case_new(
    output,
    case_id,
    title,
    kind,
    on,
    origin,
    destination,
    parties,
    items,
    difficulty,
    expect,
    regime_expect,
    narrative,
    interactive,
    rules_dir,
) -> None:
    """Scaffold a case file from flags, asking on a terminal for anything missing.

    The file is validated before it is written, lists the regimes of the rule set under
    'expected' for you to fill in, and is never written over an existing file.
    """
    if output is not None and output.exists():
        click.echo(
            f"error: {output} already exists; exportsim never overwrites a file. Fix: choose a new name.", err=True
        )
        sys.exit(EXIT_BAD_INPUT)
    ask = sys.stdin.isatty() if interactive is None else interactive
    rules = load_ruleset(rules_dir)
    values = {"id": case_id, "title": title, "kind": kind, "date": on, "origin": origin, "expect": expect}
    # Each prompt re-asks until the answer is usable (click re-prompts on BadParameter).
    prompts = {
        "id": ("Case id", None, None),
        "title": ("Title", None, None),
        "kind": ("Kind", "export", click.Choice(KINDS)),
        "date": ("Date whose rules apply (YYYY-MM-DD)", dt.date.today().isoformat(), _iso_date),
        "origin": ("Origin country (ISO code)", "US", _country_code),
        "expect": ("Expected overall outcome", None, click.Choice(OUTCOMES)),
    }
    missing = [k for k, v in values.items() if v is None]
    if missing and not ask:
        flags = ", ".join(f"--{k}" for k in missing)
        click.echo(f"error: missing {flags}. Fix: give them as options, or run on a terminal to be asked.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    try:
        for key in missing:
            text, default, kind_of = prompts[key]
            if isinstance(kind_of, click.Choice):
                values[key] = click.prompt(text, default=default, type=kind_of)
            else:
                values[key] = click.prompt(text, default=default, value_proc=kind_of)
        if ask and destination is None and values["kind"] != "investment":
            destination = click.prompt("Destination country (ISO code)", value_proc=_country_code)
        if ask and not parties:
            parties = tuple(_ask_many("Party as NAME:ROLE[+ROLE]:CC (empty line to finish)", _party))
        if ask and not items and values["kind"] != "investment":
            items = tuple(_ask_many("Item as DESCRIPTION[:ECCN] (empty line to finish)", _item))
    except (click.Abort, EOFError):
        click.echo("\nstopped; nothing was written.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    data = _scaffold(values, destination, parties, items, difficulty, regime_expect, narrative, rules)
    text = _render(data, rules)
    try:
        validate(Transaction, data, str(output or "<new case>"), LineMap())
    except InputError as err:
        fail_input(err)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with output.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(f"error: cannot write {output}: {exc.strerror}. Fix: choose a writable path.", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"wrote {output}; check it with: exportsim case check {output}")


def _ask_many(text: str, parse) -> list:
    out = []
    while True:
        answer = click.prompt(text, default="", show_default=False).strip()
        if not answer:
            return out
        try:
            out.append(parse(answer))
        except click.BadParameter as exc:
            click.echo(f"  {exc.message}")


def _scaffold(values, destination, parties, items, difficulty, regime_expect, narrative, rules: RuleSet) -> dict:
    data: dict = {"id": values["id"], "title": values["title"]}
    if narrative:
        data["narrative"] = narrative
    if difficulty:
        data["difficulty"] = difficulty
    data |= {"date": str(values["date"]), "kind": values["kind"], "origin": values["origin"]}
    if destination:
        data["destination"] = destination
    parsed_parties = [p if isinstance(p, dict) else _party(p) for p in parties]
    if parsed_parties:
        data["parties"] = parsed_parties
    parsed_items = [i if isinstance(i, dict) else _item(i) for i in items]
    if parsed_items:
        data["items"] = parsed_items
    regimes = dict(_regime_expectation(r) if isinstance(r, str) else r for r in regime_expect)
    unknown = sorted(set(regimes) - set(rules.regimes))
    if unknown:
        raise click.BadParameter(f"unknown regime {', '.join(unknown)}; the rule set has {', '.join(rules.regimes)}.")
    data["expected"] = {"outcome": values["expect"]}
    if regimes:
        data["expected"]["regimes"] = {r: {"outcome": o} for r, o in regimes.items()}
    return data


def _render(data: dict, rules: RuleSet) -> str:
    """YAML with a header that says how to finish the case."""
    regimes = ", ".join(sorted(rules.regimes))
    header = (
        "# exportsim case file. Fields: 'exportsim schema transaction'; format: docs/transaction-format.md.\n"
        "# Under expected.regimes, add the outcome you expect per regime (rules may be listed too).\n"
        f"# Regimes of the rule set: {regimes}.\n"
        "# Run it: exportsim test THIS_FILE    Validate it: exportsim case check THIS_FILE\n"
    )
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@case.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@rules_option
@variant_option
def case_check(files, rules_dir, variants) -> None:
    """Validate case FILES without running them: the transaction, the expectation, and that every
    regime and rule the expectation names exists in the rule set (and is in force on the date).

    Exit 0 when every file is sound, 2 otherwise (each problem with file:line and the fix).
    """
    rules = load_ruleset(rules_dir, variants)
    cases, problems = load_cases(list(files))
    for c in cases:
        problems.extend(check_expectation(c, rules))
    console = Console(highlight=False)
    bad = {p.file for p in problems}
    for f in files:
        if str(f) not in bad:
            console.print(Text(f"ok {f}", style="green"))
    if problems:
        fail_input(InputError(problems))
