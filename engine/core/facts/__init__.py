"""Stage 2, facts: flattening a transaction into typed facts (screening names, ownership fixed points)."""
