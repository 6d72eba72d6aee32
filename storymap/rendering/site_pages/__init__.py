"""The site's page types, one module each (storymap/rendering/page_types.py lists them)."""
