"""exportsim: a rules-as-code export licensing simulator.

A simplified training and analysis aid. It is not legal advice: real licensing decisions need the
current regulations, the official lists and qualified counsel.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "exportsim is a simplified training and analysis aid, not legal advice. Its rules and lists are "
    "deliberately simplified and may be out of date; check the current regulations and official lists."
)
