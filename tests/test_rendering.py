"""Prose, charts and maps render what a reader should see, and nothing they should not."""
from __future__ import annotations

from storymap.rendering.charts import YearCount, arrivals_chart
from storymap.inputs.chapters import cite_keys
from storymap.rendering.prose import ProseRenderer
from storymap.inputs.references import Bibliography

ITEMS = {
    "park-baptista-2024": {"id": "park-baptista-2024", "type": "article-newspaper", "title": "Fishing net",
                           "author": [{"family": "Park", "given": "Ju-min"}, {"family": "Baptista", "given": "Eduardo"}],
                           "issued": {"date-parts": [[2024, 9, 25]]}, "container-title": "Reuters",
                           "URL": "https://www.reuters.com/example"},
    "ahn-2018": {"id": "ahn-2018", "type": "article-journal", "title": "China and the North Korean refugee crisis",
                 "author": [{"family": "Ahn", "given": "Christine"}], "issued": {"date-parts": [[2018]]},
                 "container-title": "Asian Studies Journal", "volume": "5", "issue": "1", "page": "1-12"},
}


def renderer(figures=None) -> ProseRenderer:
    return ProseRenderer(Bibliography(ITEMS), figures or {})


def test_citations_become_apa_links_to_the_sources_page():
    html = renderer().render("Police have quotas [@park-baptista-2024; @ahn-2018, p. 4].", "../sources/")
    assert '<a class="cite" href="../sources/#ref-ahn-2018">Ahn, 2018, p. 4</a>' in html
    assert '<a class="cite" href="../sources/#ref-park-baptista-2024">Park &amp; Baptista, 2024</a>' in html
    assert html.index("ref-ahn-2018") < html.index("ref-park-baptista-2024"), "APA orders works by author"


def test_raw_html_in_a_chapter_is_shown_as_text():
    html = renderer().render('A <script>alert(1)</script> and <img src=x onerror="y">', "")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_figure_marker_places_the_figure_outside_a_paragraph():
    html = renderer({"chart": lambda: "<figure>chart</figure>"}).render("Before.\n\n<!-- figure: chart -->\n\nAfter.", "")
    assert "<figure>chart</figure>" in html and "<p><figure>" not in html


def test_cited_keys_finds_every_key():
    assert cite_keys("a [@ahn-2018] b [@park-baptista-2024; @king-2023, p. 2]") == ["ahn-2018", "park-baptista-2024", "king-2023"]


def test_reference_entries_link_their_urls_without_referrer():
    entry = Bibliography(ITEMS).entry("park-baptista-2024")
    assert '<a href="https://www.reuters.com/example" rel="noreferrer">' in entry


def test_arrivals_chart_has_text_alternative_and_data_table():
    rows = [YearCount(2009, 2914, 662, 2252, ""), YearCount(2020, 229, 72, 157, ""), YearCount(2021, 63, 40, 23, "")]
    svg = arrivals_chart(rows, "Source: MOU")
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "peak of 2,914 in 2009" in svg
    assert "<th scope=\"row\">2020</th><td>229</td>" in svg
    assert svg.count('class="bar bar-flag"') == 2


def test_framing_marker_never_reaches_the_page():
    html = renderer().render("Cited [@ahn-2018].\n\n<!-- framing -->\nA transition.", "")
    assert "<p>A transition.</p>" in html
    assert "framing" not in html and "&lt;!--" not in html
