"""The code's stages read off its tree: every module of storymap sits in one stage package, and
no module imports from a later stage (data flows one way: core, inputs, scenes, rendering,
cache, commands, tools)."""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import storymap
from storymap import STAGES

PACKAGE = Path(storymap.__file__).parent


def imported_stages(source: bytes, module: str) -> dict[str, int]:
    """The storymap stages a module imports (anywhere in it, a function's body too) -> first line."""
    package = module.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else node.module
            names = [base] if base != "storymap" else [f"storymap.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "storymap" and len(parts) > 1:
                found.setdefault(parts[1], node.lineno)
    return found


def test_every_module_sits_in_a_stage_package():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert not loose, f"put these modules in one of the stage packages {STAGES}: {loose}"
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(STAGES), "storymap.STAGES lists every stage package, in the order data flows"


def test_no_module_imports_from_a_later_stage():
    crossings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent == PACKAGE:
            continue
        stage = STAGES.index(path.relative_to(PACKAGE).parts[0])
        module = "storymap." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for other, line in imported_stages(path.read_bytes(), module).items():
            if other not in STAGES:
                crossings.append(f"{path.relative_to(PACKAGE)}:{line} imports storymap.{other}, which is no stage")
            elif STAGES.index(other) > stage:
                crossings.append(f"{path.relative_to(PACKAGE)}:{line} ({STAGES[stage]}) imports from the later "
                                 f"stage {other}")
    assert not crossings, "\n".join(crossings)


def test_the_rule_sees_every_form_of_import():
    """The checker itself: relative, absolute and function-level imports are all found."""
    source = (b"import storymap.scenes.flows\nfrom storymap import tools\n"
              b"def f():\n    from ..rendering import pages\n    from ..core.problems import Problem\n")
    assert imported_stages(source, "storymap.inputs.probe") == {"scenes": 1, "tools": 2, "rendering": 4, "core": 5}
