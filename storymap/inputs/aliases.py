"""content/aliases.yaml: other spellings of the gazetteer's places, for the studio's place search.

    city-dandong: [Antung, Tantung]

Romanisations a contributor may know a place by (Wade–Giles, McCune–Reischauer, older spellings)
beside its English, Korean and Chinese names. Only the contribution studio reads them; `check`
makes sure each names a place of the gazetteer and lists plain names.
"""
from __future__ import annotations

import yaml

from .project import ALIASES, Project
from ..core.problems import Problem
from ..core.yaml_input import load as load_yaml

def load_aliases(project: Project, place_ids, problems: list[Problem]) -> dict[str, list[str]]:
    """Feature id -> other names; a problem for an entry that names no place or is not a list of names."""
    path = project / ALIASES
    if not path.is_file():
        return {}
    fix = "write each entry as feature-id: [Other name, Another name], with a city or crossing id from layers/."
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        problems.append(Problem(ALIASES, f"cannot be read as YAML ({str(err).splitlines()[0]}).", fix))
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(ALIASES, "is not a mapping.", fix))
        return {}
    aliases = {}
    for place_id, names in data.items():
        if place_id not in place_ids:
            problems.append(Problem(ALIASES, f"names {place_id!r}, which is no city or crossing in layers/.", fix,
                                    field=str(place_id)))
        elif not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(Problem(ALIASES, f"entry {place_id!r} is not a list of names.", fix, field=place_id))
        else:
            aliases[place_id] = [name.strip() for name in names]
    return aliases
