"""Capability: batch evaluation of JSONL with resume, worker pools and Dask."""
