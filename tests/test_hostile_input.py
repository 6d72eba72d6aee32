"""Hostile input (issue 24): no contributor's or translator's text can leak the build's
environment, become markup, smuggle a spreadsheet formula, hang or crash `check`, or crash a build
that `check` passed. Each hostile input is a file in tests/fixtures/hostile/, put into a copy of
the golden project (tests/golden/project), which is built once for the module."""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markupsafe import Markup

from build import build
from storymap.core.characters import look_alike_key
from storymap.rendering.downloads import neutralised
from storymap.inputs.editions import Strings
from storymap.rendering.pages import environment
from storymap.tools.serving import make_server
from storymap.rendering.site import write_site
from tests.golden import ROOT
from tests.support.hostile import HOSTILE, golden_copy, hostile
from tests.support.project import check, snapshot

SECRET = "h24-dummy-secret-0a9f3c"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the golden project, built once (its site/ is what a refused build must leave)."""
    root = golden_copy(tmp_path_factory.mktemp("hostile"))
    out = io.StringIO()
    assert build(root, out=out) == 0, out.getvalue()
    return root


def refused(root: Path, relative: str, *words: str) -> str:
    """`check` and `build` both refuse the project with a plain problem naming `relative` and its
    fix (and each of `words`); the build leaves site/ as it was. The check's report."""
    status, message = check(root)
    assert status == 1, message
    assert relative in message and " Fix: " in message, message
    for word in words:
        assert word in message, message
    before = snapshot(root / "site")
    out = io.StringIO()
    assert build(root, out=out) == 1, out.getvalue()
    assert "Traceback" not in out.getvalue() and relative in out.getvalue()
    assert snapshot(root / "site") == before
    return message


def site_bytes(site: Path):
    """Every file the site publishes, and every member of its zips."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        yield path.relative_to(site).as_posix(), path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    yield f"{path.name}/{member}", archive.read(member)


# --- 1. a translation is text with {name} fields, never a format string ---------------------------

def test_a_translation_cannot_publish_the_build_environment(project, monkeypatch):
    monkeypatch.setenv("H24_DUMMY_SECRET", SECRET)
    with hostile(project, "content/ko/strings.yaml", "strings-environment.yaml") as relative:
        message = refused(project, relative, "brace", "{title}")
    assert SECRET not in message
    leaks = [name for name, data in site_bytes(project / "site") if SECRET.encode() in data]
    assert not leaks


def test_an_interface_text_fills_only_its_named_fields():
    attack = "{title.format.__globals__[string]._re.enum.sys.modules[os].environ}"
    strings = Strings({"Next: {title}": attack, "Step {number}": "{number}단계 {number!r} {0} {}"})
    # Markup's format is a Python function, whose globals lead to os.environ under str.format.
    assert strings("Next: {title}", title=Markup("<i>x</i>")) == attack
    assert strings("Step {number}", number=3) == "3단계 {number!r} {0} {}"


def test_a_stray_brace_in_a_translation_is_a_problem_not_a_crash(project):
    with hostile(project, "content/ko/strings.yaml", "strings-stray-brace.yaml") as relative:
        message = refused(project, relative, "brace")
    assert "'Sources'" in message and "Map for the chapter" in message


# --- 2. a reference's fields are text on every page that shows them ------------------------------

class Elements(HTMLParser):
    """The elements of a page, and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_a_reference_with_markup_shows_as_text_on_every_page_that_cites_it(project):
    with hostile(project, "references.json", "references-markup.json"):
        out = io.StringIO()
        assert build(project, out=out) == 0, out.getvalue()
        site = project / "site"
        pages = [f"{edition}{page}/index.html" for edition in ("", "ko/", "zh/") for page in ("sources", "the-river")]
        for name in pages:
            page = Elements((site / name).read_text(encoding="utf-8"))
            text = " ".join(page.text)
            assert not [tag for tag, attrs in page.tags if tag == "b" or (attrs.get("http-equiv") or "").lower() == "refresh"], name
            assert "King<b>" in text, name  # the author, as text (in the citations and the list)
            assert '<meta http-equiv="refresh"' in text and "Sample <b>Journal" in text, name
    out = io.StringIO()
    assert build(project, out=out) == 0, out.getvalue()


# --- 3. interface translations are text; the templates make the markup --------------------------

def test_a_translation_holding_markup_is_refused(project):
    with hostile(project, "content/ko/strings.yaml", "strings-markup.yaml") as relative:
        message = refused(project, relative, "markup", "'Sources'")
    assert "'Steps'" in message


def test_a_translation_reaches_the_page_as_text_and_the_templates_markup_stays():
    strings = yaml.safe_load((HOSTILE / "strings-markup.yaml").read_text(encoding="utf-8"))
    env = environment(ROOT / "templates", Strings(strings))
    html = env.from_string('{{ _("Sources") }} | {{ _("Use the {n} and {p} keys", n=kbd("n"), p=kbd("p")) }}').render()
    assert html == ("&lt;a href=&#34;https://example.org/login&#34;&gt;출처 (로그인 필요)&lt;/a&gt; | "
                    "<kbd>n</kbd>, <kbd>p</kbd> 키 사용")


def test_no_template_marks_a_translation_safe():
    marked = [f"{path.name}: {line.strip()[:80]}" for path in sorted((ROOT / "templates").rglob("*.html"))
              for line in path.read_text(encoding="utf-8").splitlines() if re.search(r"_\(.*\|\s*safe", line)]
    assert not marked


# --- 4. no CSV the site offers holds a formula ---------------------------------------------------

def csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_cells_that_would_run_as_formulas_are_neutralised(project):
    with hostile(project, "layers/rivers.geojson", "rivers-formulas.geojson"):
        out = io.StringIO()
        assert build(project, out=out) == 0, out.getvalue()
        csvs = {name: data for name, data in site_bytes(project / "site") if name.endswith(".csv")}
        assert "downloads/layers/rivers.csv" in csvs and "downloads/defector-arrivals.csv" in csvs
        assert any(name.endswith("/layers/rivers.csv") and "zip" in name for name in csvs)  # the zip's copy
        for name, data in csvs.items():
            for row in csv_cells(data):
                assert not [cell for cell in row if cell.startswith(("=", "+", "@", "\t", "\r"))
                            or (cell.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", cell))], name
        header, river = csv_cells(csvs["downloads/layers/rivers.csv"])
        row = dict(zip(header, river))
        assert row["name"] == "'=HYPERLINK(\"https://example.org/x\",\"Open the map\")"
        assert row["description"] == "'@SUM(1+1) the western border river."
        assert row["name_local"] == "'+鸭绿江"
    out = io.StringIO()
    assert build(project, out=out) == 0, out.getvalue()


@pytest.mark.parametrize("cell, written", [("=1+1", "'=1+1"), ("-1+1", "'-1+1"), ("\tx", "'\tx"), ("\r=x", "'\r=x"),
                                           ("-12.5", "-12.5"), ("124.39", "124.39"), ("Dandong", "Dandong")])
def test_a_cell_is_neutralised_only_where_it_would_begin_a_formula(cell, written):
    assert neutralised(cell) == written


# --- 5. what check passes, the build builds: each input that crashed is a plain problem -----------

@pytest.mark.parametrize("relative, fixture, words", [
    ("chapters/01-the-river.md", "chapter-private-use.md", ["private-use", "U+E000", "line 33"]),
    ("content/ko/strings.yaml", "strings-private-use.yaml", ["private-use", "'Sources'"]),
    ("references.json", "references-unbalanced-braces.json", ["'title'", "'container-title'", "partner"]),
    ("references.json", "references-deeply-nested.json", ["levels deep"]),
    ("layers/deep.geojson", "layer-deeply-nested.geojson", ["levels deep"]),
    ("layers/deep.geojson", "layer-nested-properties.geojson", ["levels deep"]),
    ("data/defector_arrivals.csv", "arrivals-superscript.csv", ["line 2", "'7²'", "digits"]),
])
def test_an_input_that_crashed_the_build_is_a_plain_problem(project, relative, fixture, words):
    with hostile(project, relative, fixture):
        refused(project, relative, *words)


# --- 6. YAML aliases are refused, at the first one ----------------------------------------------

def refused_promptly(root: Path, relative: str, *words: str) -> str:
    """refused(), guarded against a hang: the old alias bomb kept `check` busy for minutes (a guard,
    generous on purpose; the refusal's speed comes from stopping at the first alias)."""
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(refused(root, relative, *words)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "check did not finish"
    assert result, "the check or the build did not refuse the file (see the error above)"
    return result[0]


def test_every_yaml_the_project_reads_goes_through_the_loader_that_refuses_aliases():
    readers = [f"{path.name}: {line.strip()}" for path in sorted((ROOT / "storymap").rglob("*.py"))
               if path.name != "yaml_input.py"
               for line in path.read_text(encoding="utf-8").splitlines()
               if re.search(r"\byaml\.(safe_)?load|frontmatter\.load(s)?\((?![^)]*handler=)", line)]
    assert not readers


TRICKY_YAML = """\
title: "Crossing the Tumen \\u2014 \\"quoted\\" \\x41"
ko: 두만강을 건너다
plain: a:b, then # a comment
folded: >
  one line
  and the next

  a paragraph
literal: |-
  kept
    as written
when: 2024-03-01
numbers: [1, 1.5, 0x1F, .inf, -0, 1_000]
flags: {on: yes, off: no, none: ~}
empty:
separated: "a\u2028b"
nested:
  - {a: [1, {b: 2}]}
  - - deeper
"""


def test_libyaml_and_the_pure_python_loader_read_the_same_data_and_errors():
    """The loader parses with libyaml where PyYAML has it; the data is what the pure-Python
    parser gives, and a broken text's error is the pure-Python parser's (the messages quote it)."""
    from storymap.core import yaml_input

    pure = yaml.load(TRICKY_YAML, Loader=yaml_input._Loader)  # noqa: S506 - a SafeLoader
    assert yaml_input.load(TRICKY_YAML) == pure and pure["ko"] == "두만강을 건너다"
    for broken in ("url: [unclosed\n", "a: 'open\n", "a:\n\t- tab\n", "- a\nb: c\n"):
        with pytest.raises(yaml.YAMLError) as fast:
            yaml_input.load(broken)
        with pytest.raises(yaml.YAMLError) as slow:
            yaml.load(broken, Loader=yaml_input._Loader)  # noqa: S506 - a SafeLoader
        assert str(fast.value) == str(slow.value), broken


@pytest.mark.parametrize("relative, fixture, words", [
    ("chapters/01-the-river.md", "chapter-alias-bomb.md", ["alias *q0 on line 7", "&name"]),
    ("content/ko/strings.yaml", "strings-alias.yaml", ["alias *sources on line 3", "&name"]),
    ("content/site.yaml", "site-alias.yaml", ["alias *url on line 5", "&name"]),
    ("content/ko/strings.yaml", "strings-deeply-nested.yaml", ["levels deep"]),
    ("content/ko/strings.yaml", "strings-repeated-key.yaml", ["key 'Sources' twice on line 4", "keep one"]),
])
def test_yaml_aliases_and_deep_nesting_are_refused(project, relative, fixture, words):
    with hostile(project, relative, fixture):
        refused_promptly(project, relative, *words)


# --- 7. a killed build's worker processes end with it -------------------------------------------

def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc), zombies left out."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 if hasattr(os, "sched_getaffinity") else True,
                    reason="a build draws its maps in worker processes on two cores or more")
def test_no_worker_outlives_a_killed_build(tmp_path):
    project = golden_copy(tmp_path)  # with an empty cache: every static map is drawn by a worker
    build_process = subprocess.Popen([sys.executable, str(HOSTILE / "build_that_hangs.py"), str(project.root),
                                      str(project.cache_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        for _ in range(1200):  # the pool's two workers, drawing (a guard of two minutes, not a speed test)
            workers = children(build_process.pid)
            if len(workers) >= 2 or build_process.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers) >= 2, "the build started no worker processes"
        build_process.kill()
        build_process.wait()
        for _ in range(300):
            if not any(alive(pid) for pid in workers):
                break
            time.sleep(0.1)
        assert not [pid for pid in workers if alive(pid)]
    finally:
        for pid in [build_process.pid, *workers]:
            with contextlib.suppress(OSError):
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


# --- 8. the low ones ------------------------------------------------------------------------------

def finished_pid() -> int:
    """The pid of a process that has ended (a folder named with it is stale)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_new_site_replaces_the_old_without_a_moment_with_no_site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    write_site(site, {"index.html": "first"}, {})
    renames = []
    real_rename = os.rename

    def rename(source, target, *args, **kwargs):  # Path.rename calls os.rename
        real_rename(source, target, *args, **kwargs)
        renames.append(site.exists())
    monkeypatch.setattr(os, "rename", rename)
    write_site(site, {"index.html": "second"}, {})
    assert (site / "index.html").read_text() == "second"
    assert all(renames), "site/ was missing between two renames"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_rebuild_links_the_unchanged_files_and_never_changes_the_old_site(tmp_path):
    """A file with the same bytes is the previous site's file, linked; a changed one is written anew,
    so the old site (a reader may still hold it open) keeps what it had."""
    site, style = tmp_path / "site", tmp_path / "style.css"
    style.write_text("p {}\n", encoding="utf-8")
    write_site(site, {"index.html": "first", "same.html": "same"}, {"assets/style.css": style})
    old = {name: (site / name).stat().st_ino for name in ("index.html", "same.html", "assets/style.css")}
    kept = open(site / "index.html", encoding="utf-8")  # noqa: SIM115 - held across the rebuild
    write_site(site, {"index.html": "second", "same.html": "same"}, {"assets/style.css": style})
    with kept:
        assert kept.read() == "first", "the old site's file was not changed in place"
    assert (site / "index.html").read_text() == "second" and (site / "same.html").read_text() == "same"
    assert (site / "same.html").stat().st_ino == old["same.html"], "an unchanged page is linked, not written"
    assert (site / "assets/style.css").stat().st_ino == old["assets/style.css"]
    assert (site / "index.html").stat().st_ino != old["index.html"]


def test_a_killed_builds_temporary_folders_are_removed_by_the_next_build(tmp_path):
    site = tmp_path / "site"
    stale = [f".site-new-{finished_pid()}-x1y2", f".site-old-{finished_pid()}-z3", ".site-new-ab12cd", ".site-old-ef34"]
    running = f".site-new-{os.getpid()}-still-writing"  # another build, at work in this process
    for name in [*stale, running]:
        (tmp_path / name / "sub").mkdir(parents=True)
    write_site(site, {"index.html": "built"}, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running, "site"])


def test_a_route_file_name_that_is_not_a_slug_is_refused(project):
    with hostile(project, "layers/routes/dandong #2 (draft).geojson", "route-named-with-a-hash.geojson") as relative:
        refused(project, relative, "layers/routes/dandong-2-draft.geojson", "lower-case letters")


def test_a_route_through_the_same_place_twice_in_a_row_is_refused(project):
    with hostile(project, "layers/routes/dandong-twice.geojson", "route-through-a-place-twice.geojson") as relative:
        refused(project, relative, "places 2 and 3 are both Dandong", "0 km", "field 'via'")


def test_place_names_that_differ_only_by_case_accents_or_look_alike_letters_are_flagged(project):
    with hostile(project, "layers/places.geojson", "places-look-alike.geojson") as relative:
        message = refused(project, relative, "look-alike letters", "layers/cities.geojson")
    for name, other in (("DANDONG", "Dandong"), ("Sinŭiju", "Sinuiju"), ("D\u0430ndong", "Dandong")):
        assert f'its name "{name}" differs from "{other}"' in message


@pytest.mark.parametrize("name, other", [("Hoeryŏng", "Hoeryong"), ("MOHAN-BOTEN CROSSING", "Mohan–Boten crossing"),
                                         ("Кunming", "Kunming"), ("Dа Nang", "Da Nang")])
def test_look_alike_names_share_a_key(name, other):
    assert look_alike_key(name) == look_alike_key(other)


def test_names_that_differ_in_more_than_looks_have_their_own_keys():
    assert len({look_alike_key(n) for n in ("Tumen", "Yanji", "Hunchun", "Huay Xai", "Hanoi", "Boten")}) == 6


@pytest.mark.parametrize("path", [b"/chapter/%00", b"/chapter/\x00index.html", b"/__preview__/x%00"])
def test_a_nul_byte_in_an_address_is_a_bad_request_without_a_traceback(tmp_path, capfd, path):
    (tmp_path / "chapter").mkdir()
    (tmp_path / "chapter" / "index.html").write_text("<p>story</p>", encoding="utf-8")
    server = make_server(tmp_path, 0)  # the preview's application is built on the same one (site_app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as connection:
            connection.sendall(b"GET " + path + b" HTTP/1.0\r\n\r\n")
            reply = connection.makefile("rb").readline()
    finally:
        server.shutdown()
        server.server_close()
    assert reply.split()[1] == b"400", reply
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("relative, fixture, words", [
    ("layers/rivers.geojson", "rivers-bidi-override.geojson", ["U+202E", "right-to-left override", "field 'name'",
                                                                "U+200B", "field 'name_local'"]),
    ("chapters/01-the-river.md", "chapter-zero-width-title.md", ["the title", "U+200B", "zero width space"]),
    ("references.json", "references-bidi-title.json", ["'king-2023': the title", "U+202E", "author[0].family",
                                                       "U+2066"]),
    ("content/ko/places.yaml", "places-hangul-filler.yaml", ["'city-dandong'", "U+3164", "hangul filler"]),
])
def test_invisible_characters_in_names_and_titles_are_refused(project, relative, fixture, words):
    with hostile(project, relative, fixture):
        refused(project, relative, "invisible character", "type the text again", *words)
