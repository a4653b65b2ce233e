"""Built-in sample transactions with expected outcomes, shipped as package data."""
