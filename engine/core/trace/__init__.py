"""Stage 5, the trace: the result contract (schema) of an evaluation."""
