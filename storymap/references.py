"""The bibliography: one CSL-JSON file (references.json) that Zotero and Pandoc also read."""
from __future__ import annotations

import json
from pathlib import Path

from .problems import InputError, Problem


def load_references(path: Path) -> dict[str, dict]:
    """CSL-JSON items by id. Raises InputError naming the file when it cannot be read."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError([Problem(str(path), f"cannot be read as JSON ({err}).",
                                  "keep it a CSL-JSON array of reference objects.")]) from None
    if not isinstance(items, list):
        raise InputError([Problem(str(path), "is not a JSON array.", "keep it a CSL-JSON array of reference objects.")])
    return {item["id"]: item for item in items if isinstance(item, dict) and "id" in item}
