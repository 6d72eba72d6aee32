"""A new page type is one module, one template and its words: a glossary page, written here as a
module outside the package, with its template and its Korean and Chinese words in a copy of the
golden project, is built in every edition, listed in every page's navigation and in the offline
copy, and its folder is no chapter's to take."""
from __future__ import annotations

import importlib.util
import io
import re
import zipfile

import pytest

from storymap.commands.pipeline import assemble_site, load_inputs
from storymap.core.problems import InputError
from storymap.rendering.offline import OFFLINE_FOLDER, OFFLINE_PATH
from storymap.inputs.editions import EDITIONS
from storymap.rendering.page_types import PAGE_TYPES, reserved_folders
from storymap.tools.studio import STUDIO_FOLDER
from tests import golden

MODULE = '''
from storymap.rendering.pages import SITE_TITLE, NavEntry, PageType


def write(writer, pages):
    _ = pages.strings
    writer.write("glossary/index.html", title=_("Glossary") + f" | {_(SITE_TITLE)}",
                 description=_("The words the story uses."), preview=f"{pages.chapters[0].slug}/map.png",
                 chapters=pages.chapters)


PAGE = PageType(folder="glossary", template="glossary.html", write=write, nav=NavEntry("Glossary"))
'''
TEMPLATE = '''{% extends "base.html" %}
{% block main %}
<main id="content" class="prose-page">
  <h1>{{ _("Glossary") }}</h1>
  <p>{{ _("The words the story uses.") }} {{ chapters|length }}</p>
</main>
{% endblock %}
'''
WORDS = {"ko": {"Glossary": "용어집", "The words the story uses.": "이 이야기가 쓰는 낱말."},
         "zh": {"Glossary": "术语表", "The words the story uses.": "本故事使用的词语。"}}


@pytest.fixture
def project(tmp_path):
    """A copy of the golden project with the glossary's template and words."""
    project = golden.copy(tmp_path)
    root = project.root
    (root / "templates" / "glossary.html").write_text(TEMPLATE, encoding="utf-8")
    for code, words in WORDS.items():
        (root / "content" / code).mkdir(parents=True, exist_ok=True)
        (root / "content" / code / "strings.yaml").write_text(
            "".join(f'"{english}": "{translated}"\n' for english, translated in words.items()), encoding="utf-8")
    return project


@pytest.fixture
def glossary(tmp_path):
    """The glossary's module, imported from a file of its own."""
    path = tmp_path / "glossary.py"
    path.write_text(MODULE, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("glossary_page_type", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PAGE


def nav_links(html: str) -> list[tuple[str, str]]:
    site_nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]*)">([^<]*)</a>', site_nav)


def test_a_new_page_type_is_built_in_every_edition_and_listed_in_every_pages_navigation(project, glossary,
                                                                                         monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    files, _assets = assemble_site(project, page_types=PAGE_TYPES + (glossary,))
    labels = {"": "Glossary", "ko/": WORDS["ko"]["Glossary"], "zh/": WORDS["zh"]["Glossary"]}
    for prefix, label in labels.items():
        page = files[f"{prefix}glossary/index.html"]
        assert f"<h1>{label}</h1>" in page, "the page is written in the edition's words"
        assert ("../glossary/", label) in nav_links(page)
    pages = [path for path in files if path.endswith(".html") and not path.startswith("downloads/")
             and "embed/" not in path]
    assert len(pages) > 3 * 6
    for path in pages:
        prefix = next(p for p in ("ko/", "zh/", "") if path.startswith(p))
        home = "../" * (path.count("/") - prefix.count("/"))
        links = nav_links(files[path])
        assert (f"{home}glossary/", labels[prefix]) in links, f"{path} does not list the glossary"
        assert links[-1][0] == f"{home}glossary/", "in the registry's order: last"
    with zipfile.ZipFile(io.BytesIO(files[OFFLINE_PATH])) as copy:
        names = copy.namelist()
    assert {f"{OFFLINE_FOLDER}/{prefix}glossary/index.html" for prefix in labels} <= set(names)


def test_without_the_page_type_the_site_has_neither_its_pages_nor_its_link(project, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    files, _assets = assemble_site(project)
    assert not [path for path in files if "glossary" in path]
    assert all("glossary/" not in dict(nav_links(files[path])) for path in ("index.html", "ko/about/index.html"))


def test_a_new_page_types_folder_is_no_chapters_to_take(project, glossary):
    chapter = project / "chapters" / "01-the-river.md"
    chapter.with_name("01-glossary.md").write_text(
        chapter.read_text(encoding="utf-8").replace("slug: the-river\n", "slug: glossary\n", 1), encoding="utf-8")
    chapter.unlink()
    load_inputs(project)  # a slug like any other without the glossary
    with pytest.raises(InputError) as refused:
        load_inputs(project, PAGE_TYPES + (glossary,))
    assert ("chapters/01-glossary.md, field 'slug': slug 'glossary' is taken by another page of the site. "
            "Fix: choose another slug") in str(refused.value)


def test_the_reserved_folders_are_every_page_types_and_the_sites_others():
    reserved = reserved_folders(EDITIONS)
    assert {"sources", "about", "educators", "embed", "routes", "timeline", "index", "downloads", "assets",
            "ko", "zh"} <= reserved
    assert STUDIO_FOLDER in reserved, "the preview serves the contribution studio there"


def test_every_page_template_belongs_to_a_page_type():
    from storymap.rendering.site_pages.chapter import EMBED_TEMPLATE
    named = {t.template for t in PAGE_TYPES} | {EMBED_TEMPLATE}
    templates = {p.name for p in (golden.ROOT / "templates").glob("*.html")} - {"base.html"}
    assert templates == named, "a page template no page type writes, or a page type without its template"
