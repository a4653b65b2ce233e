"""Stage 3, executors: durable-rules (default) and the plain-Python evaluator, from one compiled form."""
