"""Stage 2, assemble: per chapter and step, what the map shows and where (projection, scenes, flows,
per-view simplification)."""
