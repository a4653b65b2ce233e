"""Stage 4, the decision: outcomes and the pure fold of firings into findings."""
