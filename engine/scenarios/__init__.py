"""Capability: variants (what-if overlays), comparisons over a corpus, generated populations."""
