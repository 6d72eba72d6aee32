"""The contribution studio benchmark (issue 21): the scripted Korean route, from opening
/ko/contribute/ to the route on the preview's flow map.

    python benchmarks/studio.py [--runs N]

It copies the project's inputs into a temporary folder, starts `python build.py serve` there
(with a copy of the warm build cache, as a contributor's preview would have), and drives Debian's
Chromium through the script in storymap/tools/studio_script.py: 선양, 쿤밍, 비엔티안 and 방콕 each
found by its first syllable and taken with Enter, a new town placed by clicking the map (with its
English name and a source), the name the studio suggests, a one-sentence description, years picked
from lists; a new reference from the form (its author typed, its title pasted from the source) and
one found by a two-letter search; the safety confirmation; save; then the flow map with the route
alone. The working tree is never written.

It reports, per run: the machine's time (the studio's and the preview's own share: searching,
saving, checking, rebuilding, drawing), the keystrokes (Hangul counted as the jamo keys typed, a
paste as Ctrl+C and Ctrl+V, and how many of them are the contributor's own words: the town's
name, the description, the reference's author and title), the clicks,
and the keystrokes spent on syntax (brackets, quotes, commas of a file format: none can be
typed, since no field takes JSON). A first-time contributor's time is estimated from those
counts with the Keystroke-Level Model (Card, Moran and Newell, 1980: 0.28 s a keystroke for an
average typist, 1.1 s to point and 0.2 s to click), plus the machine's time; reading and thinking
are not in it. Targets: under 2 minutes, under 60 keystrokes, none on syntax.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import wait_until_served  # noqa: E402  (the benchmarks' own helpers)

KEYSTROKE_SECONDS, POINT_SECONDS, CLICK_SECONDS = 0.28, 1.1, 0.2
SYNTAX = set('{}[]":')


def run_once(url: str, browser) -> dict:
    from storymap.tools.studio_script import Counter, enter_korean_route

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url + "ko/routes/")  # a page of the site first, as a contributor arrives
    opened = time.perf_counter()
    page.goto(url + "ko/contribute/")
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    counter = Counter(page)
    enter_korean_route(page, counter)
    page.wait_for_selector("#saved-map", timeout=120_000)
    counter.click("#saved-map")
    page.wait_for_function("() => { const p = document.getElementById('route-picker');"
                           " return p && p.value && window.storyKit && window.storyKit.active; }", timeout=60_000)
    seconds = time.perf_counter() - opened
    page.evaluate("localStorage.clear()")
    page.close()
    syntax = sum(1 for text in counter.typed for c in text if c in SYNTAX)
    estimate = (counter.keys * KEYSTROKE_SECONDS + counter.clicks * (POINT_SECONDS + CLICK_SECONDS) + seconds)
    return {"machine": seconds, "keys": counter.keys, "words": counter.words, "clicks": counter.clicks,
            "syntax": syntax, "estimate": estimate}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from storymap.tools.chromium import CHROMIUM_FLAGS
    from storymap.inputs.project import Project

    results = []
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as work:
        for run in range(args.runs):
            project = Project(ROOT).copy(Path(work) / f"project-{run}")
            shutil.copy2(ROOT / "build.py", project / "build.py")
            if Project(ROOT).cache_dir.is_dir():
                shutil.copytree(Project(ROOT).cache_dir, project / ".cache")
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            server = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=project,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            url = f"http://127.0.0.1:{port}/"
            try:
                wait_until_served(url)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
                    results.append(run_once(url, browser))
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=30)
    machine = statistics.median(r["machine"] for r in results)
    first = results[0]
    estimate = statistics.median(r["estimate"] for r in results)
    print("== Contribution studio: the scripted Korean route, opened to on the preview's map ==")
    runs = " ".join(f"{r['machine']:.1f}" for r in results)
    print(f"runs: {runs} s of the machine's time (median {machine:.1f} s)")
    print(f"keystrokes: {first['keys']} ({first['words']} of them the contributor's own words, "
          f"{first['keys'] - first['words']} on places, years and choices); clicks: {first['clicks']}; "
          f"keystrokes on syntax: {first['syntax']}")
    print(f"first-time contributor, estimated (Keystroke-Level Model, plus the machine's time): {estimate:.0f} s")
    print(f"targets: under 120 s {'met' if estimate < 120 else 'MISSED'}; under 60 keystrokes "
          f"{'met' if first['keys'] < 60 else 'MISSED'} ({first['keys'] - first['words']} without the contributor's "
          f"own words); no syntax {'met' if not first['syntax'] else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
