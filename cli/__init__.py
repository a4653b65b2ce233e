"""Command-line interface: thin shells over engine functions."""
