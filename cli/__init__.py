"""Command-line interface: thin shells over engine functions."""

if __name__ != "exportsim.cli":  # pragma: no cover
    raise ImportError("Import exportsim.cli, not cli: the folder is installed as exportsim.cli.")
