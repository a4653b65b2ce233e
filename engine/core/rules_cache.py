"""A disk cache of prepared rule sets, so a command starts without re-parsing the rule YAML.

Why: parsing the rule files (YAML with line maps, then pydantic) and building the screening index
of the list entries (which needs pypinyin for the Chinese aliases) took about 0.3 s of the 0.7 s
an `exportsim evaluate` took; reading the pickled result back takes about 5 ms.

The cache lives in `cache/` in the data directory (engine/core/datadir.py) and is safe to delete.
It is never stale: an entry's key hashes the path and bytes of every input file (the rules
folder, every variant file, in order), the exportsim and Python versions, and the size and
modification time of every engine source file (so a code change during development is a new key
too). Entries are written atomically (a temporary file, then `os.replace`), and an entry that
cannot be read for any reason is ignored and rebuilt. `EXPORTSIM_NO_CACHE=1` turns the cache off.
Nothing is written when building fails (bad rules are reported as usual).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from exportsim.engine.core.datadir import cache_dir

from exportsim import __version__

T = TypeVar("T")
FORMAT = 1  # bump when the layout of cached values changes in a way the code fingerprint misses
KEEP = 16  # entries kept per kind; older ones are pruned after a write
_ENGINE_ROOT = Path(__file__).resolve().parents[1]  # the installed `exportsim.engine` package


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [path]


def _code_fingerprint() -> bytes:
    h = hashlib.sha256()
    for p in _files(_ENGINE_ROOT):
        if p.suffix == ".py":
            st = p.stat()
            h.update(f"{p.relative_to(_ENGINE_ROOT)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.digest()


def cache_key(kind: str, inputs: Sequence[Path]) -> str:
    """The key of a value built from `inputs` (files or folders, order significant)."""
    h = hashlib.sha256(f"{kind}\0{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    h.update(_code_fingerprint())
    for n, item in enumerate(inputs):
        for f in _files(item):
            h.update(f"\0input {n}\0{f.resolve()}\0".encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:32]


def cached(kind: str, inputs: Sequence[Path], build: Callable[[], T]) -> T:
    """`build()`, or the value it returned last time for the same inputs and code."""
    if os.environ.get("EXPORTSIM_NO_CACHE"):
        return build()
    try:
        key = cache_key(kind, inputs)
    except OSError:  # an input vanished or is unreadable: let `build` report it
        return build()
    path = cache_dir() / f"{kind}-{key}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # truncated, corrupt, or written by other code: rebuild it
        pass
    value = build()
    try:
        unchanged = cache_key(kind, inputs) == key  # an input edited while building: do not keep it
    except OSError:
        unchanged = False
    if unchanged:
        _write(path, value)
    return value


def _write(path: Path, value: object) -> None:
    """Atomically, and silently not at all if the data directory is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        kind = path.name.split("-", 1)[0]
        entries = sorted(path.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # a cache that cannot be written is only a slower next start
        pass
