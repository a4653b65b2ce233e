"""The `exportsim` command line: the root group and the table of its commands, nothing else.

Each command lives in a module of its own, imported only when that command runs or its help is
shown (click's lazy-loading idiom, `LazyGroup`), so `exportsim --help` imports click and nothing
of the engine, and no command module imports this one (no import cycle). Each command parses its
options, makes one engine call and renders the result.

Exit codes: 0 success (whatever the decision), 1 expectation mismatch where a command checks
expectations, 2 bad input (files, options), 3 internal engine failure.
"""

from __future__ import annotations

import importlib

import click

from exportsim import __version__

# name -> ("module:attribute", the one-line help `exportsim --help` shows without importing the
# module). tests/test_cli_startup.py checks each line against the command's own docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "case": ("exportsim.cli.case_cmd:case", "Write case files by hand comfortably: scaffold one, check one."),
    "cases": ("exportsim.cli.cases_cmd:cases", "The built-in case library."),
    "compare": (
        "exportsim.cli.compare_cmd:compare_cmd",
        "Evaluate INPUTS (case files, folders, JSONL populations; default: the built-in cases) under the "
        "baseline and each --variant, or on the two --dates, and report what changes: how many transactions "
        "change outcome, the transition matrix, breakdowns by regime, destination and item category, and for "
        "each changed transaction the rules that fired in one and not the other.",
    ),
    "evaluate": (
        "exportsim.cli.evaluate_cmd:evaluate",
        "Evaluate transaction FILES (paths or built-in case names) and explain the decision.",
    ),
    "evaluate-batch": (
        "exportsim.cli.batch_cmd:evaluate_batch",
        "Evaluate INPUT, a JSONL file (one transaction per line; '-' for stdin) or a folder of case files, "
        "writing one JSON result per line (with the input line number and transaction id).",
    ),
    "generate": (
        "exportsim.cli.generate_cmd:generate_cmd",
        "Write a synthetic transaction population as JSONL, reproducible from --seed.",
    ),
    "lists": (
        "exportsim.cli.lists_cmd:lists",
        "Import official list files into a local store, and show what it holds.",
    ),
    "progress": (
        "exportsim.cli.train_cmd:progress_cmd",
        "Attempts, scores, time and per-topic mastery, as a table or --format json.",
    ),
    "rules": (
        "exportsim.cli.rules_cmd:rules",
        "Inspect the rule set: regimes, rules, parameters, groups, list entries.",
    ),
    "schema": ("exportsim.cli.schema_cmd:schema", "Print JSON Schemas of the input and output formats."),
    "screen": (
        "exportsim.cli.lists_cmd:screen",
        "Screen NAME against the lists: each entry in the match or review band, with the name or alias that "
        "matched, both normalised forms and the score (thresholds: rules/screening.yaml).",
    ),
    "test": (
        "exportsim.cli.test_cmd:test_cases",
        "Run case files (default: the built-in library) and compare them with their expectations.",
    ),
    "train": (
        "exportsim.cli.train_cmd:train",
        "The case library by difficulty and topic with your status on each, then the next case.",
    ),
    "variants": (
        "exportsim.cli.variants_cmd:variants",
        'Regime variants: "what if" overlays of dated changes, applied with --variant.',
    ),
    "walk": (
        "exportsim.cli.train_cmd:walk",
        "Walk through CASE (a built-in case name or a file) step by step, with feedback.",
    ),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use: to run them, or to show their help.

    The root help lists every command with the one-line help stored in the table, so listing
    them imports none.
    """

    def __init__(self, *args, lazy_commands: dict[str, tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module_name, _, attr = self.lazy_commands[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}:{attr} is not a click command")
            self.commands[cmd_name] = command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            if name in self.lazy_commands and name not in self.commands:
                stand_in = click.Command(name, help=self.lazy_commands[name][1])  # shortened as click does
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="exportsim")
def cli() -> None:
    """exportsim: a rules-as-code export licensing simulator.

    A simplified training and analysis aid, not legal advice.
    Exit codes: 0 ok (whatever the decision), 2 bad input, 3 engine failure.
    """


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
