"""The contribution studio (/contribute/ in the live preview): a route added by place names in
Korean, a drawn file dropped on the page, bad input refused at its field, writes refused without
the page's token, axe in three languages, the keyboard alone.

One preview serves every test here, on a copy of the project in a temporary folder (the real
working tree is never written); the tests run in file order and each starts from a fresh page."""
from __future__ import annotations

import io
import json
import urllib.error
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from storymap.commands.run import run_check
from storymap.tools.contribution_file import add_contribution
from storymap.inputs.editions import EDITIONS
from storymap.scenes.flows import ELSEWHERE
from storymap.tools.preview import Preview
from storymap.tools.studio import STUDIO_LINK
from tests.support.layers import owned_project
from tests.support.project import snapshot

from tests.support.studio_script import Counter, enter_korean_route

from .test_audits import describe_violations

KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>my route</name><author>Someone</author>
<Placemark><name>drawn</name><LineString><coordinates>
125.35,43.87,0 125.0,43.0,0 123.43,41.80,0 116.39,39.93,0
</coordinates></LineString></Placemark></Document></kml>
"""


@pytest.fixture(scope="module")
def preview(tmp_path_factory, built_site):
    # No contributor's route through Shenyang, nor work whose title has "king" in it, to meet the script's.
    project = owned_project(tmp_path_factory.mktemp("studio") / "project", uncited_references=False)
    out = io.StringIO()
    with Preview(project, port=0, out=out) as running:
        running.log = out
        yield running


def open_studio(page, preview, prefix: str = "") -> None:
    page.goto(f"{preview.url}{prefix}contribute/")
    page.wait_for_selector("html[data-studio=ready]", state="attached")


def test_a_korean_route_typed_by_name_is_saved_checked_and_shown(preview, page):
    open_studio(page, preview, "ko/")
    counter = Counter(page)
    enter_korean_route(page, counter)
    expect(page.locator("#saved-map")).to_be_visible(timeout=90_000)
    routes = sorted((preview.project / "layers" / "routes").glob("*.geojson"))
    added = [p for p in routes if "shenyang" in p.name]
    assert len(added) == 1, [p.name for p in routes]
    properties = json.loads(added[0].read_text(encoding="utf-8"))["features"][0]["properties"]
    assert properties["via"] == ["Shenyang", "Kunming", "Vang Vieng", "Vientiane", "Bangkok"]
    assert properties["name"] == "라오스를 거쳐 태국으로" and properties["start"] == 2010 and properties["end"] == 2019
    assert "king-2023" in properties["sources"] and len(properties["sources"]) == 2
    references = json.loads((preview.project / "references.json").read_text(encoding="utf-8"))
    new = [item for item in references if item["id"] in properties["sources"] and item["id"] != "king-2023"][0]
    assert new["author"] == [{"literal": "북한인권시민연합"}] and new["issued"] == {"date-parts": [[2020]]}
    assert new["type"] == "report" and new["title"] == "탈북 경로 보고서"
    places = json.loads((preview.project / "layers" / "places.geojson").read_text(encoding="utf-8"))["features"]
    town = next(f for f in places if f["properties"]["name"] == "Vang Vieng")
    assert town["properties"]["country"] == "LAO" and town["properties"]["sources"] == ["geonames"]
    lon, lat = town["geometry"]["coordinates"]
    assert (round(lon, 2), round(lat, 2)) == (lon, lat), "rounded to two decimals"
    assert abs(lon - 102.45) < 0.3 and abs(lat - 18.92) < 0.3, "where the map was clicked (a pixel is ~0.05°)"
    assert "place-vang-vieng: {\"name\": \"방비엥\"}" in (preview.project / "content/ko/places.yaml").read_text("utf-8")
    out = io.StringIO()
    assert run_check(preview.project, out) == 0, out.getvalue()
    assert not set("".join(counter.typed)) & set('{}[]":'), "no JSON typed"
    slug = added[0].stem
    page.click("#saved-map")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    expect(page.locator("#route-picker")).to_have_value(slug)
    page.goto(f"{preview.url}ko/routes/#{slug}")
    expect(page.locator(f"#{slug} h2")).to_have_text("라오스를 거쳐 태국으로")
    expect(page.locator(f"#{slug}")).to_contain_text("방비엥")
    expect(page.locator(f"#{slug} h2")).not_to_have_attribute("lang", "ko")  # in its own edition: the page's
    page.goto(f"{preview.url}routes/#{slug}")
    expect(page.locator(f"#{slug} h2")).to_have_attribute("lang", "ko")  # the English edition marks it Korean
    expect(page.locator(f"#{slug} p[lang=ko]")).to_have_text("여러 탈북민이 증언한 경로.")
    built = preview.site_dir / "routes" / "index.html"
    assert "contribute" not in built.read_text(encoding="utf-8"), "site/ never links to the studio"
    assert not (preview.site_dir / "contribute").exists() and not (preview.site_dir / "ko" / "contribute").exists()


def test_the_saved_route_reopens_and_a_draft_survives_a_closed_tab(preview, page, context):
    open_studio(page, preview)
    slug = next(p.stem for p in (preview.project / "layers" / "routes").glob("*shenyang*.geojson"))
    page.select_option("#open-route", slug)
    page.click("#open-button")
    expect(page.locator("#name")).to_have_value("라오스를 거쳐 태국으로")
    expect(page.locator("#stop-2")).to_have_value("Vang Vieng")
    page.fill("#description", "Edited, not yet saved.")
    page.close()
    again = context.new_page()
    open_studio(again, preview)
    expect(again.locator("#description")).to_have_value("Edited, not yet saved.")
    expect(again.locator("#draft-status")).not_to_be_empty()
    again.evaluate("localStorage.clear()")


def test_a_contributed_route_is_edited_and_deleted(preview, page):
    """Reopened, renamed and saved to the same file; then deleted, after a confirmation."""
    open_studio(page, preview)
    page.evaluate("localStorage.clear()")
    new_route = {"name": "A route to delete", "description": "Schematic, for this test.",
                 "sources": ["king-2023"], "stops": [{"name": "Yanji"}, {"name": "Beijing"}]}
    request = urllib.request.Request(preview.url + "__preview__/studio/save", method="POST",
                                     data=json.dumps(new_route).encode(),
                                     headers={"X-Studio-Token": preview.token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        slug = json.load(response)["slug"]
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    page.select_option("#open-route", slug)
    page.click("#open-button")
    expect(page.locator("#name")).to_have_value("A route to delete")
    page.fill("#name", "A route renamed, then deleted")
    page.check("#safety-confirm")
    page.click("#save")
    expect(page.locator("#saved-catalogue")).to_be_visible(timeout=90_000)
    path = preview.project / "layers" / "routes" / f"{slug}.geojson"
    assert json.loads(path.read_text("utf-8"))["features"][0]["properties"]["name"] == "A route renamed, then deleted"
    assert len(list(path.parent.glob(f"{slug}*"))) == 1, "saved to the same file"
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#delete")
    expect(page.locator("#saved")).to_contain_text("deleted", timeout=30_000)
    assert not path.exists()
    expect(page.locator(f"#open-route option[value='{slug}']")).to_have_count(0)


def test_send_to_the_editors_downloads_a_file_that_merges_into_a_fresh_copy(preview, page, tmp_path):
    open_studio(page, preview)
    with page.expect_download() as download:
        page.click("#send")
    archive = tmp_path / "contribution.zip"
    download.value.save_as(archive)
    fresh = owned_project(tmp_path / "fresh", uncited_references=False)
    out = io.StringIO()
    assert add_contribution(fresh, archive, out) == 0, out.getvalue()
    assert "Adds the route “라오스를 거쳐 태국으로”" in out.getvalue() and "place-vang-vieng" in out.getvalue()
    checked = io.StringIO()
    assert run_check(fresh, checked) == 0, checked.getvalue()


def test_a_dropped_kml_opens_in_the_form_with_what_was_done_said(preview, page, tmp_path):
    open_studio(page, preview, "ko/")
    kml = tmp_path / "route.kml"
    kml.write_text(KML, encoding="utf-8")
    page.set_input_files("#import-file", str(kml))
    expect(page.locator("#import-said li").first).to_be_visible(timeout=30_000)
    said = page.locator("#import-said").inner_text()
    assert "시각, 이름, 설명은 보관하지 않았습니다" in said, "times and names dropped, said in Korean"
    assert "창춘, 선양, 베이징" in said and "점 1개를 버렸습니다" in said, "what was snapped and dropped"
    expect(page.locator("#stop-0")).to_have_value("창춘 (Changchun)")
    expect(page.locator("#stop-2")).to_have_value("베이징 (Beijing)")
    assert page.locator(".stop").count() == 3
    page.evaluate("localStorage.clear()")


def test_bad_input_is_refused_at_its_field_and_changes_no_file(preview, page, tmp_path):
    before = snapshot(preview.project / "layers"), (preview.project / "references.json").read_bytes()
    open_studio(page, preview)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    page.fill("#stop-0", "Atlantis")
    page.press("#stop-0", "Tab")
    expect(page.locator("#problem-stop-0")).to_contain_text("Atlantis")
    page.fill("#stop-0", "Dandong")
    page.wait_for_selector("#stop-options-0 [role=option]")
    page.keyboard.press("Enter")
    page.fill("#stop-1", "Antung")
    page.wait_for_selector("#stop-options-1 [role=option]")
    expect(page.locator("#stop-options-1 [role=option]").first).to_contain_text("Dandong")
    page.fill("#stop-1", "Beijing")
    page.wait_for_selector("#stop-options-1 [role=option]")
    page.keyboard.press("Enter")
    page.fill("#name", "A bad route")
    page.fill("#description", "Years the wrong way round and no source.")
    page.fill("#start", "2015")
    page.fill("#end", "2005")
    page.check("#safety-confirm")
    page.click("#save")
    expect(page.locator("#problem-end")).to_contain_text("end year is before the start year")
    expect(page.locator("#problem-sources")).to_contain_text("at least one published source")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    expect(page.locator("#end")).to_have_value("2005")
    expect(page.locator("#stop-1")).to_have_value("Beijing")  # a refused save keeps the draft
    page.route("**/__preview__/studio/save", lambda route: route.abort())  # the preview has crashed
    page.click("#save")
    expect(page.locator("#problem-route")).to_contain_text("The preview is not running")
    page.unroute("**/__preview__/studio/save")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    expect(page.locator("#name")).to_have_value("A bad route")  # and so does a crashed preview
    big = tmp_path / "big.gpx"
    big.write_bytes(b"<gpx>" + b" " * (6 * 1024 * 1024) + b"</gpx>")
    page.set_input_files("#import-file", str(big))
    expect(page.locator("#problem-import")).to_contain_text("5 MB")
    broken = tmp_path / "broken.kml"
    broken.write_text("<kml><Document><Placemark><LineString><coordinates>1,2", encoding="utf-8")
    page.set_input_files("#import-file", str(broken))
    expect(page.locator("#problem-import")).to_contain_text("cannot be used")
    assert (snapshot(preview.project / "layers"), (preview.project / "references.json").read_bytes()) == before
    page.evaluate("localStorage.clear()")


def test_an_oversized_upload_and_writes_without_the_token_or_from_another_host_are_refused(preview):
    before = snapshot(preview.project / "layers")
    save = preview.url + "__preview__/studio/save"
    body = json.dumps({"name": "x"}).encode()

    def status(url, data, headers):
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:  # refused before the whole body was sent: the server hung up
            return "refused"

    assert status(save, body, {"Content-Type": "application/json"}) == 403
    assert status(save, body, {"X-Studio-Token": "guess"}) == 403
    assert status(save, body, {"X-Studio-Token": preview.token, "Host": "rebound.example"}) == 400
    assert status(save, body, {"X-Studio-Token": preview.token, "Origin": "http://evil.example"}) == 403
    assert status(preview.url + "__preview__/studio/delete", json.dumps({"slug": "mongolia"}).encode(), {}) == 403
    huge = b"0" * (6 * 1024 * 1024)
    assert status(preview.url + "__preview__/studio/import?type=kml", huge,
                  {"X-Studio-Token": preview.token}) in (422, "refused")
    assert status(save, b"[" * 300_000, {"X-Studio-Token": preview.token}) in (413, "refused")
    assert snapshot(preview.project / "layers") == before
    assert "라오스를 거쳐" not in preview.log.getvalue(), "no contributor's text in the log"


@pytest.mark.parametrize("prefix", ["", "ko/", "zh/"])
def test_axe_finds_no_violations_in_the_studio(preview, page, prefix):
    open_studio(page, preview, prefix)
    page.fill("#stop-0", "Shen")
    page.wait_for_selector("#stop-options-0 [role=option]")
    page.click("#new-reference summary")
    page.click("#new-place summary")
    results = Axe().run(page)
    assert not results.response["violations"], "\n".join(describe_violations(f"{prefix}contribute/",
                                                                            results.response["violations"]))
    assert page.errors == [], "the studio keeps within its Content-Security-Policy"
    page.evaluate("localStorage.clear()")


def test_every_control_works_by_keyboard_alone(preview, page):
    open_studio(page, preview)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    page.focus("#stop-0")
    page.keyboard.type("Kunm")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#stop-0", "aria-activedescendant")
    assert page.get_attribute("#stop-0", "aria-expanded") == "true"
    page.keyboard.press("Enter")
    expect(page.locator("#stop-0")).to_have_value("Kunming")
    page.keyboard.press("Tab")  # the stop's role
    page.keyboard.press("Tab")  # "Move up" is disabled on the first stop: "Move down"
    assert page.evaluate("document.activeElement.dataset.action") == "down"
    page.keyboard.press("Enter")
    expect(page.locator("#stop-1")).to_have_value("Kunming")
    assert page.evaluate("document.activeElement.dataset.action") == "up", "focus follows the moved stop"
    page.focus("#add-stop")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "stop-2", "a new stop takes the focus"
    for _ in range(3):  # the stop's role, "Move up", then "Remove" ("Move down" is disabled on the last stop)
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "remove"
    page.keyboard.press("Enter")
    expect(page.locator(".stop")).to_have_count(2)
    page.focus("#stop-0")
    page.keyboard.type("Bang")
    page.keyboard.press("Escape")
    assert page.get_attribute("#stop-0", "aria-expanded") == "false"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#stop-0")).to_have_value("Bangkok")
    colour = page.evaluate("(() => { let c; window.studioMap.eachLayer(l => { if (l instanceof L.Polyline &&"
                           " !(l instanceof L.Polygon)) c = l.options.color; }); return c; })()")
    assert colour == ELSEWHERE[1], "Bangkok to Kunming ends in China: the flow map's colour for other countries"
    page.focus("#source-search")
    page.keyboard.type("ohchr")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#sources li")).to_have_count(1)
    page.focus("#stop-1")
    page.keyboard.press("Control+A")
    page.keyboard.type("Mohan")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#stop-role-1")).to_have_value("waypoint")  # a border post: a waypoint unless a source...
    page.focus("#stop-role-1")
    page.keyboard.press("ArrowUp")  # ... says people crossed there: then it is named, with that source
    expect(page.locator("#stop-role-1")).to_have_value("named")
    assert page.evaluate("document.activeElement.id") == "stop-role-1"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "stop-source-1"
    page.select_option("#stop-source-1", index=1)
    assert page.evaluate("JSON.parse(localStorage.getItem('between-borders.studio.draft')).stops[1].sources") \
        == ["ohchr-2023"]
    page.focus("#new-reference summary")
    page.keyboard.press("Enter")
    expect(page.locator("#ref-title")).to_be_visible()
    page.focus("#new-place summary")
    page.keyboard.press("Enter")
    page.focus("#town-search")
    page.keyboard.type("Nannin")
    page.wait_for_selector("#town-options [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#place-name-en")).to_have_value("Nanning")
    expect(page.locator("#place-position")).to_contain_text("China")
    expect(page.locator("#place-source")).to_have_value("naturalearth")
    assert page.evaluate("document.activeElement.id") == "place-name-ko"
    page.fill("#place-lon", "102.45")
    page.fill("#place-lat", "18.92")
    page.focus("#place-locate")
    page.keyboard.press("Enter")
    expect(page.locator("#place-position")).to_contain_text("Laos")
    page.focus("#safety-confirm")
    page.keyboard.press("Space")
    assert page.is_checked("#safety-confirm")
    page.evaluate("localStorage.clear()")


def test_the_catalogue_and_the_routes_chapter_link_to_the_studio_in_the_preview_only(preview, page):
    page.goto(f"{preview.url}ko/routes/")
    link = page.locator("#preview-studio-link")
    expect(link).to_have_attribute("href", "/ko/contribute/")
    expect(link).to_have_text(preview.strings(next(e for e in EDITIONS if e.code == "ko"))(STUDIO_LINK))
    chapter = page.get_attribute("main.route-catalogue a[href*='?route=']", "href").split("/")[1]
    page.goto(f"{preview.url}{chapter}/")
    expect(page.locator("#preview-studio-link")).to_have_attribute("href", "/contribute/")
    page.click("#preview-studio-link")
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    written = [p for p in preview.site_dir.rglob("*") if p.is_file() and p.suffix in (".html", ".js")]
    assert written and not [p for p in written if "contribute/" in p.read_text(encoding="utf-8")], \
        "nothing in site/ links to the studio"
