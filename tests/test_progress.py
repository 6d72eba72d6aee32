"""What the build prints while it works: a bar on a terminal, plain lines elsewhere, a summary."""
from __future__ import annotations

import io

from storymap.core.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def draw_three(out) -> str:
    progress = Progress(out)
    progress.count("static maps", 3, cached=1)
    progress.count("pages", 2)
    with progress.bar(3, "Drawing static maps") as tick:
        for value in range(3):
            assert tick(value) == value
    return out.getvalue()


def test_a_terminal_gets_a_progress_bar():
    shown = draw_three(Terminal())
    assert "Drawing static maps:" in shown and "0/3" in shown and "%|" in shown, "a bar, redrawn in place"
    assert "(3)" not in shown


def test_a_log_gets_one_line_per_stage_and_no_bar():
    assert draw_three(io.StringIO()) == "  Drawing static maps (3)\n"


def test_the_summary_counts_what_came_from_the_cache():
    progress = Progress(None)
    progress.count("static maps", 35, cached=30)
    progress.count("pages", 22)
    assert progress.summary() == "22 pages, 35 static maps (30 from the cache)"
