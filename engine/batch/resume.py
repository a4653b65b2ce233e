"""Whether and where a batch may write into an existing output file: the resume policy.

A batch's output has a manifest beside it (`OUTPUT.batch.json`: the input, the rule-set digest
and the configuration). An existing output is resumed only when its manifest says it is this
batch's; anything else is refused (an InputError naming the file and the fix) and left as it is,
unless the caller forces a fresh start. A fresh start empties the output and writes the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

from exportsim.engine.batch.runner import BatchConfig, manifest, manifest_path, resume_point
from exportsim.engine.core.errors import InputError


def prepare_output(output: Path, input_arg: str, config: BatchConfig, digest: str, force: bool) -> int:
    """The input line after which to resume (0: from the start). Raises InputError, touching
    nothing, when `output` exists and is not the output of this batch (and `force` is off)."""
    meta_file = manifest_path(output)
    wanted = json.loads(json.dumps(manifest(input_arg, config, digest)))  # as it reads back from the file
    if output.exists() and not force:
        try:
            found = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else None
        except json.JSONDecodeError:
            found = None
        if found != wanted:
            why = (
                "was written by a different batch (input, rules, variants, engine, trace or result version)"
                if found
                else "is not the output of an exportsim batch"
            )
            raise InputError.one(
                str(output),
                f"The file exists and {why}; it is left as it is.",
                "Choose another --output, or pass --force to replace it.",
            )
        return resume_point(output)
    output.write_text("", encoding="utf-8")
    meta_file.write_text(json.dumps(wanted, indent=2), encoding="utf-8")
    return 0
