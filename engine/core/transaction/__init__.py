"""Stage 1, the transaction: reading files with line numbers, the pydantic input model, ownership data."""
