"""The evaluation engine: model, loader, compiler, two backends, decision and trace."""
