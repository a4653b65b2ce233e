"""Safe YAML/JSON reading that remembers where every value came from.

Files are data, never code: only PyYAML's SafeLoader is used, so tags such as `!!python/object`
are rejected, and nothing in a file is ever executed. Each mapping and sequence is returned with a
`LineMap` so that validation errors can be reported as `file:line`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from exportsim.engine.core.errors import InputError, Problem

Path_ = tuple[str | int, ...]


class _DataLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay text, so the models validate them and
    an impossible date such as 2025-02-30 gets a clear field error instead of a YAML crash.
    Booleans follow YAML 1.2 (only true/false): under YAML 1.1 the country code NO (Norway),
    like yes/on/off, would silently become a boolean."""


_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_DataLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _BOOL_12 if tag == "tag:yaml.org,2002:bool" else regexp)
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LineMap:
    """Maps a path into the loaded data (keys and indices) to a 1-based line number."""

    lines: dict[Path_, int] = field(default_factory=dict)

    def line_for(self, path: Path_) -> int | None:
        """The line of the deepest known prefix of `path` (pydantic locations may be deeper)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _to_python(node: yaml.Node, path: Path_, lines: LineMap, loader: yaml.SafeLoader) -> Any:
    lines.lines[path] = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag '{node.tag}'", node.start_mark
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in result:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            result[key] = _to_python(value_node, (*path, key), lines, loader)
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(child, (*path, i), lines, loader) for i, child in enumerate(node.value)]
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
        # PyYAML keeps JSON-style escaped surrogate pairs ("\ud800\udc00") as two lone surrogates.
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def load_text(text: str, name: str) -> tuple[Any, LineMap]:
    """Parse YAML (JSON is a subset) safely, returning data and its line map."""
    lines = LineMap()
    loader = _DataLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem(name, "The file is empty.", "Write the document into the file.")])
        data = _to_python(node, (), lines, loader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag_hint = "python" in str(exc.problem or "")
        fix = (
            "Remove the tag: files are data, and exportsim never constructs objects or runs code from them."
            if tag_hint
            else "Write plain YAML values (strings, numbers, lists, mappings) with unique keys."
        )
        raise InputError([Problem(name, f"Unsupported YAML: {exc.problem}.", fix, line=line)]) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        started = ""
        if exc.context_mark is not None and exc.context_mark.line + 1 != line:
            started = f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
        raise InputError(
            [
                Problem(
                    name,
                    f"The file is not valid YAML/JSON: {exc.problem}{started}.",
                    "Check indentation, colons and quotes near that line.",
                    line=line,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, f"The file is not valid YAML/JSON: {exc}.", "Fix the syntax.")]) from None
    finally:
        loader.dispose()
    return data, lines


def load_file(path: Path) -> tuple[Any, LineMap]:
    """Read and parse one file; unreadable files become an `InputError`."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(name, "The file does not exist.", "Check the path.")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, "This is a folder, not a file.", "Name a .yaml or .json file.")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(name, "The file is not UTF-8 text.", "Save it as UTF-8.")]) from None
    if path.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                [
                    Problem(
                        name,
                        f"The file is not valid JSON: {exc.msg}.",
                        "Fix the JSON syntax.",
                        line=exc.lineno,
                    )
                ]
            ) from None
    return load_text(text, name)
