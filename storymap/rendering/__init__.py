"""Stage 3, render: scenes and chapters become maps, static maps, pages, downloads, the offline copy;
`site.py` writes them atomically."""
