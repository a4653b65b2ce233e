"""Capability: case suites, their expectations, rule coverage and the rules linter."""
