"""Stage 1, load and check: every file the build reads (layers, routes, chapters, references, content,
editions and their translations), validated into plain objects; `check` is this stage."""
