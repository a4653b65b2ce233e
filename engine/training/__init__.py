"""Capability: guided walk-throughs for trainees and their saved progress."""
