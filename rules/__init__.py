"""Built-in rule files, shipped as package data."""
