"""Stage 6, developer and contributor tools around the build: the live preview and its server, the
contribution studio, route import, contribution files, derive and the page-weight budget."""
