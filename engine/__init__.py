"""The engine: the evaluation core (engine/core) and the capabilities around it, one sub-package each."""

if __name__ != "exportsim.engine":  # pragma: no cover - a guard, not behaviour
    raise ImportError(
        "Import exportsim.engine, not engine: the folder is installed as exportsim.engine, and loading it under "
        "two names would give two copies of every class (two Outcome enums that never compare equal)."
    )
