"""Capability: official list files imported into a store, and screening measured on labelled pairs."""
