"""Where exportsim keeps its files: one data directory shared by every capability.

`$EXPORTSIM_DATA_DIR` when set, else `$XDG_DATA_HOME/exportsim` (by default
`~/.local/share/exportsim`). Every file in it is a cache or a store that a command names in its help.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    base = os.environ.get("EXPORTSIM_DATA_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "exportsim"


def cache_dir() -> Path:
    """Caches only (`cache/` in the data directory): deleting it is always safe, it is rebuilt."""
    return data_dir() / "cache"
