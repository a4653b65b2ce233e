"""`exportsim generate`: a seeded synthetic population of transactions, as JSONL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from exportsim.engine.core.errors import InputError
from exportsim.engine.scenarios.generate import Generator, load_profile

from .common import fail_input, load_ruleset, refuse_overwrite, rules_option


@click.command("generate")
@click.option("--n", "count", type=click.IntRange(1), required=True, help="How many transactions.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same population.")
@click.option(
    "--profile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Population profile (default: the built-in one; docs/generate.md).",
)
@rules_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="JSONL file (default: stdout).")
@click.option("--force", is_flag=True, help="Replace an existing --output file.")
@click.option(
    "--drop-facts",
    type=click.FloatRange(0, 1),
    default=None,
    help="Leave out this share of the droppable facts (US-person status, countries, ECCN, origin, content, "
    "direct-product status, performance, completion date, training compute) to test unknown facts; the same "
    "seed gives the same transactions at any rate. Default: the profile's drop_facts (0).",
)
def generate_cmd(count, seed, profile, rules_dir, output, force, drop_facts) -> None:
    """Write a synthetic transaction population as JSONL, reproducible from --seed."""
    refuse_overwrite(output, force)
    try:
        prof = load_profile(profile)
    except InputError as err:
        fail_input(err)
    gen = Generator(prof, load_ruleset(rules_dir), seed, drop_facts=drop_facts)
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for txn in gen.population(count):
            out.write(json.dumps(txn, ensure_ascii=False, separators=(",", ":")) + "\n")
    finally:
        if output:
            out.close()
    if output:
        click.echo(f"wrote {count} transactions to {output} (profile {prof.id}, seed {seed})", err=True)
