"""Stage 5, the trace: the result contract of an evaluation (pydantic models in result.py)."""
