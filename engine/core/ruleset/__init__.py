"""The rules: their definitions, the loader of rules/, the fact schema and the compiler to atoms."""
