#!/usr/bin/env python3
"""Between Borders benchmarks: build time, preview speed, page weight, and scaling with routes.

    python benchmarks/bench.py                 5 runs of each build, the preview, page weights,
                                               10/100/1,000 extra routes
    python benchmarks/bench.py --runs 9        more runs per figure (medians are reported)
    python benchmarks/bench.py --quick         1 run per figure, scaling with 10 and 100 routes only
    python benchmarks/bench.py --skip-scaling  build times, preview and page weights only
    python benchmarks/bench.py --only-changes  only the figures of routes added to a built project
    python benchmarks/bench.py --skip-preview  no preview figure (it needs Playwright and chromium)
    python benchmarks/bench.py --suite         also the whole test suite, once (several minutes)

Build times are ratios to the floor measured in the same run, `python -c "import storymap.commands.pipeline"`
(start-up and imports alone): a full build from an empty cache (target at most 3x the floor) and
from a warm one (at most 1.5x). The preview figure is the time from saving a one-line chapter edit
to the edit being on screen in a page open in the running `python build.py serve` (target at most
0.3x the floor).
Routes added to a project built before: the next build with 1,000 routes at most 1.5x a warm
build without them, `check` at most 1.2x, and with 10,000 routes every page within the budget.
The whole test suite (`--suite`: the README's test command, in this checkout) at most 4 minutes,
about 70 times the build from an empty cache timed in the same run.

Every build goes into a temporary folder; site/ and the committed inputs are never touched.
Each timing is a fresh `python` process, so it includes start-up and imports: what a
contributor waits for after typing `python build.py build`.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storymap.tools.budget import MAX_GZIP_BYTES, MAX_REQUESTS, all_views, format_table  # noqa: E402
from storymap.inputs.project import CHAPTERS, LAYERS, Project  # noqa: E402

ROUTE_COUNTS = (10, 100, 1000)
#: Targets, as ratios to the same figure without the added routes in the same run: the next build
#: of a project built before, with 1,000 routes added, against a warm build; `check` with them; a
#: build from an empty cache with them (the scaling figures).
NEXT_BUILD_TARGET, CHECK_TARGET, SCALING_BUILD_TARGET = 1.5, 1.2, 2
SCALING_COUNT = 1000
#: The snapshot of the project the figures are measured on (set by main).
CODE = ROOT
#: Generated routes are routes by place names, as contributors write them: from a town near the
#: border, through some Chinese cities, out along one corridor (a random subset of its stops, in order);
#: the places added only to draw the line are waypoints.
STARTS = ["Dandong", "Yanji", "Tumen", "Hunchun", "Changchun", "Shenyang", "Harbin"]
CHINA = ["Shenyang", "Beijing", "Qingdao", "Kunming"]
CORRIDORS = [
    ["Jinghong", {"waypoint": "Mohan–Boten crossing"}, "Luang Namtha", "Huay Xai", "Chiang Rai", "Bangkok"],
    ["Jinghong", {"waypoint": "Mohan–Boten crossing"}, "Luang Prabang", "Vientiane", "Bangkok"],
    ["Hanoi", {"waypoint": "Da Nang"}, {"waypoint": "Ho Chi Minh City"}, "Phnom Penh"],
    ["Hanoi", "Vientiane", "Bangkok"],
    ["Erenhot", "Ulaanbaatar"],
]


def snapshot_code(target: Path) -> Path:
    """A copy of the project's inputs and code (build.py, storymap/), so that every figure of one
    run measures the same code even while someone edits the work tree."""
    Project(ROOT).copy(target)
    shutil.copy2(ROOT / "build.py", target / "build.py")
    shutil.copytree(ROOT / "storymap", target / "storymap", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def environment(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    # Copied projects have no storymap/ package of their own: import the snapshot's.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def timed(command: list[str], cwd: Path) -> float:
    """Seconds one run of command takes; fails loudly if the command fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(CODE), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd} (exit {result.returncode}):\n"
                         f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed


def cpu_seconds(command: list[str], cwd: Path, wall=lambda seconds: None) -> float:
    """CPU seconds (user + system) one run of command takes, with the worker processes it waited
    for: on a machine others share, this is what the run would take alone, where wall-clock time
    also counts the others' work. `wall` is given the wall-clock seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall(timed(command, cwd))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_time(command: list[str], cwd: Path, runs: int) -> tuple[float, list[float]]:
    times = [timed(command, cwd) for _ in range(runs)]
    return statistics.median(times), times


def build_command(root: Path, site_dir: Path, cache_dir: Path) -> list[str]:
    """A full build of the project at root into site_dir with cache_dir, in a fresh interpreter."""
    code = ("import io, sys; from build import build; from storymap.inputs.project import Project; "
            f"sys.exit(build(Project({str(root)!r}, site_dir={str(site_dir)!r}, cache_dir={str(cache_dir)!r}), "
            "out=io.StringIO()))")
    return [sys.executable, "-c", code]


FLOOR_COMMAND = [sys.executable, "-c", "import storymap.commands.pipeline"]


# ---- generated routes -------------------------------------------------------------------------


def route_places(rng: random.Random) -> list[str]:
    """A plausible schematic escape route by place names."""
    corridor = rng.choice(CORRIDORS)
    middle = [p for p in CHINA if rng.random() < 0.6]
    if corridor[0] != "Erenhot" and "Kunming" not in middle:
        middle.append("Kunming")  # the way south runs through Kunming
    stops = [corridor[0]] + [p for p in corridor[1:-1] if rng.random() < 0.6] + [corridor[-1]]
    places = [rng.choice(STARTS)] + middle + stops
    return [p for i, p in enumerate(places) if i == 0 or p != places[i - 1]]


def route_collection(number: int, rng: random.Random) -> dict:
    slug = f"bench-{number:04d}"
    return {
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "properties": {
                "id": f"route-{slug}",
                "name": f"Benchmark route {number}",
                "kind": "route",
                "description": "A generated route for the scaling benchmark, by place names: from the North "
                               "Korean border across China and out along one corridor.",
                "sources": ["king-2023"],
                "precision": "schematic",
                "via": route_places(rng),
            },
            "geometry": None,
        }],
    }


def add_routes(project: Path, count: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    routes = project / LAYERS / "routes"
    for number in range(1, count + 1):
        (routes / f"bench-{number:04d}.geojson").write_text(json.dumps(route_collection(number, rng)),
                                                            encoding="utf-8")


# ---- reports ----------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i else str(c).ljust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Slope, intercept and R^2 of the least-squares line through points (statistics module)."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    same = len(set(ys)) == 1  # a flat series fits its line exactly; correlation is undefined there
    return slope, intercept, 1.0 if same else statistics.correlation(xs, ys) ** 2


#: A build's targets, as multiples of the floor (issue #20).
COLD_TARGET, WARM_TARGET = 3, 1.5
#: The whole test suite's target, in seconds and in builds from an empty cache timed in the same run.
SUITE_TARGET_S, SUITE_TARGET_BUILDS = 240, 70


def bench_suite(cold: float) -> None:
    """The whole test suite once, as `./dev.sh test` runs it (the checkout's own tests, which
    build into temporary folders), against its target and against the cold build of this run."""
    print("== Test suite (once) ==")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                            capture_output=True, text=True)
    seconds = time.perf_counter() - start
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else f"exit {result.returncode}")
    print(table(["figure", "seconds", "target", ""], [
        ["whole suite", f"{seconds:.0f}", f"<= {SUITE_TARGET_S} s", verdict(seconds <= SUITE_TARGET_S)],
        ["in cold builds", f"{seconds / cold:.0f}x", f"<= {SUITE_TARGET_BUILDS}x",
         verdict(seconds / cold <= SUITE_TARGET_BUILDS)]]))
    print()


def bench_build(runs: int, work: Path) -> tuple[Path, Path, float, float]:
    """The floor, a build from an empty cache and one from a warm cache, interleaved run by run so
    that the machine's changing load falls on all three alike. Returns the last site and cache,
    the floor and the build from an empty cache (medians, seconds)."""
    print(f"== Full build ({runs} run{'s' if runs != 1 else ''} of each, fresh interpreter each) ==")
    times: dict[str, list[float]] = {"floor (imports only)": [], "empty cache": [], "warm cache": []}
    for run in range(runs):
        cache, site = work / f"cache-{run}", work / f"build-{run}" / "site"
        site.parent.mkdir(parents=True)
        times["floor (imports only)"].append(timed(FLOOR_COMMAND, CODE))
        times["empty cache"].append(timed(build_command(CODE, site, cache), CODE))
        times["warm cache"].append(timed(build_command(CODE, site, cache), CODE))
    floor = statistics.median(times["floor (imports only)"])
    targets = {"empty cache": COLD_TARGET, "warm cache": WARM_TARGET}
    rows = []
    for name, values in times.items():
        ratio = statistics.median(values) / floor
        target = f"<= {targets[name]}x" if name in targets else ""
        rows.append([name, f"{statistics.median(values):.2f}", f"{min(values):.2f}", f"{max(values):.2f}",
                     f"{ratio:.2f}x", target, verdict(ratio <= targets[name]) if name in targets else ""])
    print(table(["build", "median s", "min s", "max s", "x floor", "target", ""], rows))
    print()
    return site, cache, floor, statistics.median(times["empty cache"])


def wait_until_served(url: str, seconds: float = 120) -> None:
    """Return once a server answers at url (a preview builds the site before it listens)."""
    import urllib.request

    for _ in range(int(seconds * 10)):
        try:
            urllib.request.urlopen(url).close()
            return
        except OSError:
            time.sleep(0.1)


#: The preview's target: a one-line chapter edit on screen within this many times the floor.
PREVIEW_TARGET = 0.3


def bench_preview(runs: int, work: Path, cache: Path, floor: float) -> None:
    """Save a one-line edit to a chapter while `python build.py serve` runs and a page of that
    chapter is open in Chromium; time from the save until the page shows the edit, also as a
    ratio to the floor (`floor`, seconds, measured in the same run)."""
    import socket

    from playwright.sync_api import sync_playwright

    from storymap.tools.chromium import CHROMIUM_FLAGS

    print(f"== Live preview: one-line chapter edit, save to on screen ({runs} edits) ==")
    project = work / "preview"
    shutil.copytree(CODE, project, ignore=shutil.ignore_patterns("storymap", "site", "__pycache__", ".cache"))
    shutil.copytree(cache, project / ".cache")  # the preview starts from a warm cache, as it would
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=project,
                              env=environment(CODE), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    chapter = sorted((project / CHAPTERS).glob("*.md"))[0]
    original = chapter.read_text(encoding="utf-8")
    slug = next(line.split(":", 1)[1].strip() for line in original.splitlines() if line.startswith("slug:"))
    lines = original.split("\n")
    body = lines.index("---", 1) + 1  # the first line of prose after the front matter
    edited = next(i for i in range(body, len(lines)) if lines[i].strip() and lines[i][0].isalpha())
    url = f"http://127.0.0.1:{port}/{slug}/"
    times = []
    try:
        wait_until_served(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(url)
            for run in range(runs):
                page.wait_for_selector("html[data-preview=listening]", state="attached")
                marker = f"Preview benchmark edit {chr(ord('a') + run % 26)}."  # no digits: the check wants
                text = "\n".join(lines[:edited] + [f"{lines[edited]} {marker}"] + lines[edited + 1:])  # a source for those
                saved = time.perf_counter()
                chapter.write_text(text, encoding="utf-8")
                page.wait_for_function(f"() => document.body.textContent.includes({marker!r})", polling="raf",
                                       timeout=60_000)
                times.append(time.perf_counter() - saved)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        chapter.write_text(original, encoding="utf-8")
    median = statistics.median(times)
    print(table(["figure", "seconds", "x floor"], [[name, f"{value:.2f}", f"{value / floor:.2f}x"] for name, value in
                                                  (("median", median), ("min", min(times)), ("max", max(times)))]))
    ratio = median / floor
    print(f"runs: {' '.join(f'{t:.2f}' for t in times)}; floor {floor:.2f} s; median {ratio:.2f}x, target "
          f"<= {PREVIEW_TARGET}x: {verdict(ratio <= PREVIEW_TARGET)}")
    print()


def bench_weights(site: Path) -> None:
    print(f"== Page weight, first view (budget {MAX_GZIP_BYTES // 1024} KB gzip, {MAX_REQUESTS} requests) ==")
    print(format_table(all_views(site)))
    print()


def weight_figures(views) -> list[str]:
    """The heaviest page with scripts on and off (KB gzip), the most requests, the pages over budget."""
    def heaviest(scripts: bool) -> str:
        page = max((v for v in views if v.scripts == scripts), key=lambda v: v.gzip_bytes)
        return f"{page.gzip_bytes / 1024:.1f} KB ({page.page})"
    over = sorted({f"{v.page} ({'on' if v.scripts else 'off'})" for v in views if v.over_budget})
    return [heaviest(True), heaviest(False), str(max(v.requests for v in views)), ", ".join(over) or "none"]


def bench_scaling(counts: tuple[int, ...], runs: int, work: Path) -> None:
    print(f"== Scaling with route files (routes by place names; median of {runs}) ==")
    rows, weights = [], []
    figures: dict[int, tuple[float, float, float]] = {}
    for count in (0,) + counts:
        project = work / f"routes-{count}"
        shutil.copytree(CODE, project, ignore=shutil.ignore_patterns("storymap", "site", "__pycache__", ".cache"))
        add_routes(project, count)
        check, _ = median_time([sys.executable, "build.py", "check"], project, runs)
        check_cpu = statistics.median(cpu_seconds([sys.executable, "build.py", "check"], project) for _ in range(runs))
        # Each build from an empty cache: the routes' cost is drawing them.
        build = statistics.median(timed(build_command(project, project / "site", project / f".cache-{run}"), project)
                                  for run in range(runs))
        html = sum(p.stat().st_size for p in (project / "site").rglob("*") if p.is_file())
        figures[count] = (check, build, html)
        rows.append([f"{count:,}", f"{check:.2f}", f"{check_cpu:.2f}", f"{check / figures[0][0]:.2f}x", f"{build:.2f}",
                     f"{build / figures[0][1]:.2f}x", f"{html / 1e6:.1f}"])
        weights.append([f"{count:,}", *weight_figures(all_views(project / "site"))])
        print(f"  {count:>5} extra routes: check {check:.2f} s, build {build:.2f} s", flush=True)
        shutil.rmtree(project)
    print()
    print(table(["extra routes", "check s", "check CPU s", "check / 0 routes", "build s", "build / 0 routes",
                 "site MB"], rows))
    print()
    print(f"Page weights, first view (budget {MAX_GZIP_BYTES // 1024} KB gzip, {MAX_REQUESTS} requests):")
    print(table(["extra routes", "heaviest, scripts on", "heaviest, scripts off", "most requests", "pages over"],
                weights))
    print()
    if SCALING_COUNT in figures:
        check, build, _ = (figures[SCALING_COUNT][i] / figures[0][i] for i in range(3))
        print(f"Targets with {SCALING_COUNT:,} routes, ratios to the same figure without them (this run):")
        print(table(["figure", "ratio", "target", ""], [
            ["build from an empty cache", f"{build:.2f}x", f"<= {SCALING_BUILD_TARGET}x",
             verdict(build <= SCALING_BUILD_TARGET)],
            ["check", f"{check:.2f}x", f"<= {CHECK_TARGET}x", verdict(check <= CHECK_TARGET)]]))
    over = [row[0] for row in weights if row[-1] != "none"]
    print(f"Every page within the budget at every count: {verdict(not over)}"
          + (f" (over at {', '.join(over)} routes)" if over else ""))
    print()
    base_check, base_build, _ = figures[0]
    per_route = {n: ((figures[n][0] - base_check) / n, (figures[n][1] - base_build) / n) for n in counts}
    print(table(["extra routes", "check ms/route", "build ms/route"],
                [[f"{n:,}", f"{c * 1000:.1f}", f"{b * 1000:.1f}"] for n, (c, b) in per_route.items()]))
    print("(time over the 0-route baseline divided by the routes added; noise dominates at small counts)")
    for index, name in ((0, "check"), (1, "build")):
        slope, intercept, r2 = linear_fit([(n, figures[n][index]) for n in figures])
        print(f"least-squares fit, {name}: {intercept:.2f} s + {slope * 1000:.2f} ms x routes (R^2 = {r2:.3f})")
    if len(counts) >= 2:
        small, large = counts[-2], counts[-1]
        growth = []
        for index, name in ((0, "check"), (1, "build")):
            before, after = per_route[small][index], per_route[large][index]
            if before <= 0.0005:  # under half a millisecond per route: within the noise
                growth.append(f"{name} n/a ({small:,} routes cost no measurable time)")
                continue
            ratio = after / before
            shape = "linear" if 0.5 <= ratio <= 2 else ("super-linear" if ratio > 2 else "sub-linear")
            growth.append(f"{name} {ratio:.2f} ({shape})")
        print(f"\nGrowth ratio, time per route at {large:,} over time per route at {small:,} "
              f"(1.0 = linear): " + ", ".join(growth))
    print()


def bench_route_change(runs: int, work: Path, count: int = 1000, big: int = 10_000) -> None:
    """What a contributor waits for: routes added to a project built before. The next build from
    the warm cache with 1 and with `count` routes added, against a warm build with no change, and
    `check` with and without them, interleaved run by run; then with `big` routes, whether every
    page stays within the budget."""
    print(f"== Routes added to a project built before ({runs} run{'s' if runs != 1 else ''} of each) ==")
    ignore = shutil.ignore_patterns("storymap", "site", "__pycache__", ".cache")
    base = work / "change-0"
    shutil.copytree(CODE, base, ignore=ignore)
    warm = work / "change-cache"
    timed(build_command(base, base / "site", warm), base)  # the build before the change
    projects = {}
    for added in (1, count):
        projects[added] = work / f"change-{added}"
        shutil.copytree(base, projects[added], ignore=ignore)
        add_routes(projects[added], added)
    check = [sys.executable, "build.py", "check"]
    names = {"warm": "warm build, no change", 1: "next build, 1 route added",
             count: f"next build, {count:,} routes added", "check": "check", "check+": f"check, {count:,} routes added"}
    times: dict = {key: [] for key in names}
    cpu: dict = {key: [] for key in names}

    def measure(key, command: list[str], cwd: Path) -> None:
        seconds = cpu_seconds(command, cwd, wall=times[key].append)
        cpu[key].append(seconds)

    for run in range(runs):
        measure("warm", build_command(base, base / "site", warm), base)
        for added, project in projects.items():
            cache = work / f"change-cache-{added}-{run}"
            shutil.copytree(warm, cache)  # each run starts from the cache the build before the change left
            measure(added, build_command(project, project / "site", cache), project)
            shutil.rmtree(cache)
        measure("check", check, base)
        measure("check+", check, projects[count])
    median = {key: statistics.median(values) for key, values in times.items()}
    median_cpu = {key: statistics.median(values) for key, values in cpu.items()}
    targets = {count: ("warm", NEXT_BUILD_TARGET), "check+": ("check", CHECK_TARGET)}
    rows = []
    for key, name in names.items():
        against, target = targets.get(key, ("warm" if key in (1, "warm") else "check", None))
        ratio, cpu_ratio = median[key] / median[against], median_cpu[key] / median_cpu[against]
        rows.append([name, f"{median[key]:.2f}", f"{ratio:.2f}x {names[against]}" if key != against else "",
                     f"<= {target}x" if target else "", verdict(ratio <= target) if target else "",
                     f"{median_cpu[key]:.2f}", f"{cpu_ratio:.2f}x" if key != against else ""])
    print(table(["figure", "median s", "ratio", "target", "", "CPU s", "CPU ratio"], rows))
    print("(targets judged on the time waited; CPU: the process and its workers, what the machine's other work "
          "does not change)")
    project = work / f"change-{big}"
    shutil.copytree(base, project, ignore=ignore)
    add_routes(project, big)
    cache = work / "change-cache-big"
    shutil.copytree(warm, cache)
    seconds = timed(build_command(project, project / "site", cache), project)
    figures = weight_figures(all_views(project / "site"))
    print(f"\nWith {big:,} routes added (next build {seconds:.1f} s): heaviest page {figures[0]} with scripts on, "
          f"{figures[1]} with scripts off, at most {figures[2]} requests; pages over the budget: {figures[3]}")
    print(f"Target with {big:,} routes: every page within the budget ({MAX_GZIP_BYTES // 1024} KB gzip, {MAX_REQUESTS} "
          f"requests, scripts on and off): {verdict(figures[3] == 'none')}")
    print()
    for path in [base, *projects.values(), project, warm, cache]:
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="runs per timing (default 5 for the build, "
                        "3 for the scaling figures)")
    parser.add_argument("--quick", action="store_true", help="one run each; 10 and 100 routes only")
    parser.add_argument("--skip-scaling", action="store_true", help="no route-scaling figures")
    parser.add_argument("--skip-preview", action="store_true", help="no live-preview figure (needs Playwright)")
    parser.add_argument("--suite", action="store_true", help="also time the whole test suite, once")
    parser.add_argument("--only-changes", action="store_true",
                        help="only the figures of routes added to a project built before")
    parser.add_argument("--routes", type=int, nargs="+", default=None,
                        help=f"extra route counts for the scaling figures (default {' '.join(map(str, ROUTE_COUNTS))})")
    args = parser.parse_args(argv)

    build_runs = 1 if args.quick else (args.runs or 5)
    scaling_runs = 1 if args.quick else (args.runs or 3)
    counts = tuple(args.routes or ((10, 100) if args.quick else ROUTE_COUNTS))

    print(f"Between Borders benchmark, {datetime.date.today().isoformat()}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs\n")
    global CODE
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        CODE = snapshot_code(work / "code")
        timed([sys.executable, "build.py", "check"], CODE)  # warm-up: compiles the snapshot's bytecode
        if args.only_changes:
            bench_route_change(scaling_runs, work)
            return 0
        site, cache, floor, cold = bench_build(build_runs, work)
        if not args.skip_preview:
            bench_preview(build_runs, work, cache, floor)
        bench_weights(site)
        if args.suite:
            bench_suite(cold)
        if not args.skip_scaling:
            bench_route_change(scaling_runs, work, big=1000 if args.quick else 10_000)
            bench_scaling(counts, scaling_runs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
