"""The contribution studio (/contribute/ in the live preview): a route added by place names in
Korean, a drawn file dropped on the page, bad input refused at its field, writes refused without
the page's token, axe in three languages, the keyboard alone.

One preview serves every test here, on a copy of the project in a temporary folder (the real
working tree is never written); the tests run in file order and each starts from a fresh page."""
from __future__ import annotations

import datetime
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
from storymap.inputs.layers import load_layers
from storymap.inputs.project import FEATURE_SCHEMA
from storymap.inputs.kinds import KINDS
from storymap.inputs.routes import Gazetteer, geodesic_line
from storymap.scenes.flows import CORRIDORS, ELSEWHERE, leg_weight
from storymap.tools.preview import Preview
from storymap.inputs.studio_words import STUDIO_LINK
from tests.support.layers import owned_project
from tests.support.project import snapshot

from storymap.tools.studio_script import DESCRIPTION, REFERENCE_TITLE, Counter, enter_korean_route

from .test_audits import describe_violations

#: The name the studio suggests for the scripted route, in Korean.
NAME = "선양에서 방콕까지"

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


#: The route's line on the studio's map (the polyline that is not a country's outline), or undefined.
ROUTE_LINE = ("(() => { let line; window.studioMap.eachLayer(l => { if (l instanceof L.Polyline && "
              "!(l instanceof L.Polygon)) line = l; }); return line; })()")


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
    assert properties["name"] == NAME, "the name the studio suggests from the first and last places"
    assert properties["description"] == DESCRIPTION and properties["start"] == 2010 and properties["end"] == 2019
    assert "king-2023" in properties["sources"] and len(properties["sources"]) == 2
    references = json.loads((preview.project / "references.json").read_text(encoding="utf-8"))
    new = [item for item in references if item["id"] in properties["sources"] and item["id"] != "king-2023"][0]
    assert new["author"] == [{"literal": "NKDB"}] and new["issued"] == {"date-parts": [[2020]]}
    assert new["type"] == "report" and new["title"] == REFERENCE_TITLE
    assert "accessed" not in new, "no web address, so no date read online"
    places = json.loads((preview.project / "layers" / "places.geojson").read_text(encoding="utf-8"))["features"]
    town = next(f for f in places if f["properties"]["name"] == "Vang Vieng")
    assert town["properties"]["country"] == "LAO" and town["properties"]["sources"] == ["geonames"]
    lon, lat = town["geometry"]["coordinates"]
    assert (round(lon, 2), round(lat, 2)) == (lon, lat), "rounded to two decimals"
    assert abs(lon - 102.45) < 0.3 and abs(lat - 18.92) < 0.3, "where the map was clicked (a pixel is ~0.05°)"
    out = io.StringIO()
    assert run_check(preview.project, out) == 0, out.getvalue()
    assert not set("".join(counter.typed)) & set('{}[]":'), "no JSON typed"
    slug = added[0].stem
    page.click("#saved-map")
    page.wait_for_function("() => window.storyKit && window.storyKit.active")
    expect(page.locator("#route-picker")).to_have_value(slug)
    page.goto(f"{preview.url}ko/routes/#{slug}")
    expect(page.locator(f"#{slug} h2")).to_have_text(NAME)
    expect(page.locator(f"#{slug}")).to_contain_text("Vang Vieng")
    expect(page.locator(f"#{slug} h2")).not_to_have_attribute("lang", "ko")  # in its own edition: the page's
    page.goto(f"{preview.url}routes/#{slug}")
    expect(page.locator(f"#{slug} h2")).to_have_attribute("lang", "ko")  # the English edition marks it Korean
    expect(page.locator(f"#{slug} p[lang=ko]")).to_have_text(DESCRIPTION)
    built = preview.site_dir / "routes" / "index.html"
    assert "contribute" not in built.read_text(encoding="utf-8"), "site/ never links to the studio"
    assert not (preview.site_dir / "contribute").exists() and not (preview.site_dir / "ko" / "contribute").exists()


def test_the_saved_route_reopens_and_a_draft_survives_a_closed_tab(preview, page, context):
    open_studio(page, preview)
    slug = next(p.stem for p in (preview.project / "layers" / "routes").glob("*shenyang*.geojson"))
    page.select_option("#open-route", slug)
    page.click("#open-button")
    expect(page.locator("#name")).to_have_value(NAME)
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
    assert f"Adds the route “{NAME}”" in out.getvalue() and "place-vang-vieng" in out.getvalue()
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
    page.select_option("#start", "2015")
    page.select_option("#end", "2005")
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


def test_a_place_the_full_check_refuses_is_said_in_korean_at_its_field_and_changes_no_file(preview, page):
    """A new town named like a place of the map but for an accent: the studio's own rules let it
    through, the check in the scratch copy refuses it, and the page says why in Korean, with the fix."""
    before = snapshot(preview.project / "layers"), snapshot(preview.project / "content"), \
        (preview.project / "references.json").read_bytes()
    open_studio(page, preview, "ko/")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    page.fill("#stop-0", "쿤밍")
    page.wait_for_selector("#stop-options-0 [role=option]")
    page.keyboard.press("Enter")
    page.click("#new-place summary")
    page.fill("#place-lon", "102.45")
    page.fill("#place-lat", "18.92")
    page.click("#place-locate")
    expect(page.locator("#place-position")).to_contain_text("라오스")
    page.fill("#place-name-en", "Vientiané")
    page.select_option("#place-source", "geonames")
    page.click("#place-add")
    expect(page.locator("#stop-1")).to_have_value("Vientiané")
    page.fill("#name", "악센트 하나")
    page.fill("#description", "검사가 거부하는 경로.")
    page.fill("#source-search", "king")
    page.wait_for_selector("#source-options [role=option]")
    page.keyboard.press("Enter")
    page.check("#safety-confirm")
    page.click("#save")
    problem = page.locator("#problem-place-0")
    expect(problem).to_contain_text("검사 결과:", timeout=60_000)
    expect(problem).to_be_visible()  # beside the new place's fields, unfolded again
    expect(problem).to_contain_text("대소문자, 악센트 또는 비슷하게 생긴 글자만 다릅니다")  # the message, in Korean
    expect(problem).to_contain_text("고치는 법: 같은 장소라면 둘 중 하나만 남기고")  # and its fix
    assert "look-alike" not in problem.inner_text(), "not in English"
    assert (snapshot(preview.project / "layers"), snapshot(preview.project / "content"),
            (preview.project / "references.json").read_bytes()) == before, "no file changed"
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
    assert DESCRIPTION not in preview.log.getvalue(), "no contributor's text in the log"


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
    expect(page.locator("#name")).to_have_value("Bangkok to Kunming")  # suggested from the first and last places
    page.wait_for_function(f"() => {ROUTE_LINE}")
    colour = page.evaluate(f"{ROUTE_LINE}.options.color")
    assert colour == ELSEWHERE[1], "Bangkok to Kunming ends in China: the flow map's colour for other countries"
    page.focus("#source-search")
    page.keyboard.type("ohchr")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#sources li")).to_have_count(1)
    page.fill("#name", "A name of my own")
    page.focus("#stop-1")
    page.keyboard.press("Control+A")
    page.keyboard.type("Mohan")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#stop-role-1")).to_have_value("waypoint")  # a border post: a waypoint unless a source...
    expect(page.locator("#name")).to_have_value("A name of my own")  # a name written is kept
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
    expect(page.locator("#ref-accessed")).to_have_value(datetime.date.today().isoformat())  # read today, unless changed
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


def test_the_map_draws_the_line_the_build_draws_in_the_flow_maps_style(preview, page):
    """Geodesic legs through the stops, as the flow map draws them, not straight segments."""
    open_studio(page, preview)
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("html[data-studio=ready]", state="attached")
    for index, name in enumerate(("Shenyang", "Bangkok")):
        page.fill(f"#stop-{index}", name)
        page.wait_for_selector(f"#stop-options-{index} [role=option]")
        page.keyboard.press("Enter")
    page.wait_for_function(f"() => {ROUTE_LINE} && {ROUTE_LINE}.getLatLngs().length > 2")
    drawn = page.evaluate(f"{ROUTE_LINE}.getLatLngs().map(p => [p.lng, p.lat])")
    style = page.evaluate(f"(() => {{ const o = {ROUTE_LINE}.options; return [o.color, o.weight, o.opacity]; }})()")
    gazetteer = Gazetteer([f for layer in load_layers(preview.project / "layers", None, preview.project.root / FEATURE_SCHEMA) for f in layer.features])
    stops = [gazetteer.get(name).point for name in ("Shenyang", "Bangkok")]
    built = geodesic_line([(p.x, p.y) for p in stops])
    assert drawn == [list(c) for c in built.coords], "the build's line, vertex for vertex"
    assert len(drawn) > 40, "a leg of some 3,000 km densified every 25 km, not one straight segment"
    route = KINDS["route"].style
    assert style == [CORRIDORS["THA"][1], leg_weight(1), route["opacity"]], "a route to Thailand, as the flow map draws it"
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
