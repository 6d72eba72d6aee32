"""Stage 4, the build cache: renderers wrapped so that what was made before is read back by content,
the worker processes that draw static maps and the head start that formats references early."""
