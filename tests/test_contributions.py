"""What the contribution studio writes (storymap/tools/contributions.py) and the contribution file that
hands it to the editors (storymap/tools/contribution_file.py): a save is as valid as a hand-written
file, a refused save changes nothing, and `add-contribution` merges only what passes the check."""
from __future__ import annotations

import io
import json
import stat
import zipfile

import pytest

from storymap.tools import contributions
from storymap.commands.run import run_check
from storymap.tools.contribution_file import MAX_ARCHIVE_BYTES, add_contribution, contribution_zip
from storymap.tools.contributions import Refused, reference_key, save, write_files
from storymap.inputs.editions import EDITIONS, Strings, load_strings
from storymap.inputs.studio_words import studio_words
from tests.support.contributions import gazetteer, reference_keys
from tests.support.layers import owned_project
from tests.support.project import repository, snapshot

ENGLISH = Strings({})


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project with routes, places and references of the tests' own: a contributor's file or key
    (shenyang-bangkok, Vang Vieng) must not meet the ones these tests save."""
    return owned_project(tmp_path_factory.mktemp("contributions") / "project")


SUBMISSION = {
    "name": "Through Laos to Thailand", "description": "Schematic: as the report tells it.",
    "start": 2010, "end": 2019, "sources": ["new-1"],
    "stops": [{"name": "Shenyang"}, {"name": "Kunming"}, {"name": "Vang Vieng"}, {"name": "Vientiane"},
              {"name": "Bangkok"}],
    "new_references": [{"client_key": "new-1", "type": "report", "authors": [{"family": "Kim", "given": "Ji-won"}],
                        "title": "Routes out", "publisher": "An NGO", "issued": "2020-05", "URL": "https://example.org/r",
                        "accessed": "2025-01-15"}],
    "new_places": [{"name": "Vang Vieng", "names": {"ko": "방비엥", "zh": "万荣"}, "lon": 102.4471, "lat": 18.9236,
                    "country": "LAO", "sources": ["geonames"]}],
}


def new_key(root) -> str:
    """The key the submission's new reference gets: Kim 2020 is kim-2020, unless a contributor's
    reference has that key already (references.json is the project's)."""
    key = reference_key(SUBMISSION["new_references"][0], reference_keys(root))
    assert key.startswith("kim-2020")
    return key


def test_a_save_writes_route_place_and_reference_that_pass_the_check(project):
    key = new_key(project)
    slug, files = save(project, SUBMISSION, gazetteer(project), reference_keys(project), ENGLISH)
    assert slug == "shenyang-bangkok"
    assert files == ["content/ko/places.yaml", "content/zh/places.yaml", "layers/places.geojson",
                     "layers/routes/shenyang-bangkok.geojson", "references.json"]
    out = io.StringIO()
    assert run_check(project, out) == 0, out.getvalue()
    reference = next(item for item in json.loads((project / "references.json").read_text("utf-8"))
                     if item["id"] == key)
    assert reference == {"id": key, "type": "report", "title": "Routes out",
                         "author": [{"family": "Kim", "given": "Ji-won"}], "publisher": "An NGO",
                         "URL": "https://example.org/r", "issued": {"date-parts": [[2020, 5]]},
                         "accessed": {"date-parts": [[2025, 1, 15]]}}
    route = json.loads((project / "layers/routes/shenyang-bangkok.geojson").read_text("utf-8"))["features"][0]
    assert route["geometry"] is None and route["properties"]["sources"] == [key]
    assert route["properties"]["via"] == ["Shenyang", "Kunming", "Vang Vieng", "Vientiane", "Bangkok"]
    place = json.loads((project / "layers/places.geojson").read_text("utf-8"))["features"][-1]
    assert place["geometry"]["coordinates"] == [102.45, 18.92], "rounded to two decimals"
    assert 'place-vang-vieng: {"name": "万荣"}' in (project / "content/zh/places.yaml").read_text("utf-8")
    assert contributions.read_route(project, slug)["stops"][2] == {"name": "Vang Vieng", "waypoint": False}


def test_a_route_with_a_waypoint_saves_and_passes_the_check(tmp_path):
    root = owned_project(tmp_path / "project")
    submission = {**SUBMISSION, "new_places": [], "new_references": [], "sources": ["king-2023"],
                  "stops": [{"name": "Kunming"}, {"name": "Da Nang", "waypoint": True}, {"name": "Ho Chi Minh City"}]}
    slug, _ = save(root, submission, gazetteer(root), reference_keys(root), ENGLISH)
    route = json.loads((root / f"layers/routes/{slug}.geojson").read_text("utf-8"))["features"][0]["properties"]
    assert route["via"] == ["Kunming", {"waypoint": "Da Nang"}, "Ho Chi Minh City"]
    assert contributions.read_route(root, slug)["stops"][1] == {"name": "Da Nang", "waypoint": True}


def test_a_crossing_named_with_its_source_saves_in_the_agreed_form(tmp_path):
    root = owned_project(tmp_path / "project")
    submission = {**SUBMISSION, "new_places": [], "sources": ["new-1"],
                  "stops": [{"name": "Kunming"}, {"name": "Mohan–Boten crossing", "sources": ["new-1"]},
                            {"name": "Vientiane"}]}
    key = new_key(root)
    slug, _ = save(root, submission, gazetteer(root), reference_keys(root), ENGLISH)
    route = json.loads((root / f"layers/routes/{slug}.geojson").read_text("utf-8"))["features"][0]["properties"]
    assert route["via"][1] == {"place": "Mohan–Boten crossing", "sources": [key]}, "the new reference's key"
    out = io.StringIO()
    assert run_check(root, out) == 0, out.getvalue()


def test_a_waypoint_is_written_in_the_agreed_form(project, tmp_path):
    """{"waypoint": name} as the team agreed (routes.py reads it)."""
    properties = contributions.route_properties(
        {**SUBMISSION, "sources": ["king-2023"],
         "stops": [{"name": "Kunming"}, {"name": "Hanoi", "waypoint": True}, {"name": "Vientiane"}]}, "x")
    assert properties["via"] == ["Kunming", {"waypoint": "Hanoi"}, "Vientiane"]


@pytest.mark.parametrize("change, field, words", [
    ({"sources": []}, "sources", "at least one published source"),
    ({"start": 2015, "end": 2005}, "end", "end year is before the start year"),
    ({"stops": [{"name": "Kunming"}, {"name": "Atlantis"}]}, "stop-1", "not a place the map knows"),
    ({"stops": [{"name": "Kunming", "waypoint": True}, {"name": "Hanoi"}]}, "stop-0", "first and last places"),
    ({"stops": [{"name": "Kunming"}, {"name": "Mohan–Boten crossing"}, {"name": "Vientiane"}]}, "stop-1",
     "official border post is named only with a source"),
    ({"description": "TODO: later"}, "description", "placeholder"),  # found by the check itself
])
def test_a_refused_save_says_why_at_the_field_in_the_contributors_words_and_changes_nothing(project, change, field,
                                                                                            words):
    before = snapshot(project)
    submission = {**SUBMISSION, "new_places": [], "new_references": [], "sources": ["king-2023"],
                  "stops": [{"name": "Kunming"}, {"name": "Hanoi"}], **change}
    with pytest.raises(Refused) as refused:
        save(project, submission, gazetteer(project), reference_keys(project), ENGLISH)
    assert field in refused.value.problems.found, refused.value.problems.found
    assert words in json.dumps(refused.value.problems.found[field])
    assert snapshot(project) == before
    korean = load_strings(repository(), EDITIONS[1], [])
    with pytest.raises(Refused) as in_korean:
        save(project, submission, gazetteer(project), reference_keys(project), korean)
    message = in_korean.value.problems.found[field][0]["message"]
    assert any("\uac00" <= c <= "\ud7a3" for c in message), message


VANG_VIENG = {"names": {}, "lon": 102.45, "lat": 18.92, "country": "LAO", "sources": ["geonames"]}


@pytest.mark.parametrize("change, field, english, korean, chinese", [
    ({"new_places": [{**VANG_VIENG, "name": "Vientiane"}]}, "place-0",
     "another place is already called \"Vientiane\"", "다른 장소가 이미 \"Vientiane\"(이)라는 이름을", "另一个地点已叫\"Vientiane\""),
    ({"new_places": [{**VANG_VIENG, "name": "Vientiané"}]}, "place-0",
     "only by case, accents or look-alike letters", "비슷하게 생긴 글자만 다릅니다", "只在大小写、重音或形似字母上不同"),
    ({"stops": [{"name": "Kunming"}, {"name": "Mohan–Boten crossing", "sources": ["kimg-2023"]},
                {"name": "Vientiane"}]}, "stops",
     "place 2, \"Mohan–Boten crossing\", cites \"kimg-2023\"", "2번째 장소 \"Mohan–Boten crossing\"이(가) 인용한",
     "第2个地点\"Mohan–Boten crossing\"引用了"),
    ({"new_places": [{**VANG_VIENG, "name": "Vang Vieng " * 13}]}, "place-0",
     "it is too long (142 characters; at most 120)", "너무 깁니다(142자, 최대 120)", "太长了（142个字符；最多120）"),
    ({"description": "TODO: later"}, "description", "placeholder text", "자리 표시 글", "占位文字"),
    ({"name": "Through\u200bLaos"}, "name", "holds an invisible character", "보이지 않는 문자", "不可见字符"),
    ({"sources": ["new-1"], "new_references": [{**SUBMISSION["new_references"][0], "title": "Routes {out"}]},
     "reference-0", "without its partner", "짝이 없는", "不成对"),
])
def test_what_only_the_full_check_refuses_is_said_in_the_contributors_language_with_its_fix(
        project, change, field, english, korean, chinese):
    """Problems the studio's own rules let through, found by `build.py check` in the scratch copy:
    each is shown at its field, in Korean or Chinese in those editions, message and fix."""
    before = snapshot(project)
    new_places = change.get("new_places")
    submission = {**SUBMISSION, "new_places": [], "new_references": [], "sources": ["king-2023"],
                  "stops": [{"name": "Kunming"}, {"name": new_places[0]["name"].strip() if new_places else "Hanoi"}],
                  **change}
    said = {}
    for edition in EDITIONS:
        with pytest.raises(Refused) as refused:
            save(project, submission, gazetteer(project), reference_keys(project), load_strings(repository(), edition, []))
        found = refused.value.problems.found
        assert list(found) == [field], found
        said[edition.code] = found[field][0]
    assert english in said["en"]["message"], said["en"]
    assert korean in said["ko"]["message"] and english not in said["ko"]["message"], said["ko"]
    assert chinese in said["zh"]["message"] and english not in said["zh"]["message"], said["zh"]
    for code, letters in (("ko", ("\uac00", "\ud7a3")), ("zh", ("\u4e00", "\u9fff"))):
        fix = said[code]["fix"]
        assert fix != said["en"]["fix"] and any(letters[0] <= c <= letters[1] for c in fix), (code, fix)
    assert snapshot(project) == before


def test_a_problem_without_a_phrase_is_shown_in_english(project):
    from storymap.core.problems import Phrase

    korean = load_strings(repository(), EDITIONS[1], [])
    assert korean.said("a message the check has no Phrase for.") == "a message the check has no Phrase for."
    said = korean.said(Phrase("place {number}, {name}, is not in the map's gazetteer.", number=2, name='"Atlantis"'))
    assert said == '2번째 장소 "Atlantis"은(는) 지도의 지명 목록에 없습니다.'


def test_a_failed_write_puts_back_the_files_already_written(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    (tmp_path / "b.txt").write_text("old b", encoding="utf-8")
    real = contributions.os.replace
    calls = []

    def failing(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("disk full")
        real(source, target)

    monkeypatch.setattr(contributions.os, "replace", failing)
    with pytest.raises(OSError):
        write_files(tmp_path, {"a.txt": "new a", "b.txt": "new b"})
    assert (tmp_path / "a.txt").read_text() == "old a" and (tmp_path / "b.txt").read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"], "no half-written file left"


def test_every_studio_word_is_translated_and_check_names_a_missing_one(tmp_path):
    for edition in EDITIONS[1:]:
        assert not studio_words() - load_strings(repository(), edition, []).table.keys(), edition.code
    project = owned_project(tmp_path / "project")
    strings = project / "content" / "ko" / "strings.yaml"
    gazetteer_line = next(line for line in strings.read_text(encoding="utf-8").splitlines(keepends=True)
                          if line.startswith('"place {number}, {name}, is not in the map\'s gazetteer."'))
    strings.write_text(strings.read_text(encoding="utf-8").replace('"Save the route": "경로 저장"\n', "")
                       .replace(gazetteer_line, ""), "utf-8")
    out = io.StringIO()
    assert run_check(project, out) == 0, "a missing translation shows the English; it is not an error"
    assert "content/ko/strings.yaml: has no translation of the studio's words 'Save the route'." in out.getvalue()
    assert ("content/ko/strings.yaml: has no translation of the studio's words \"place {number}, {name}, is not in "
            "the map's gazetteer.\"") in out.getvalue(), "a problem of the check the studio shows is a studio word"


def test_aliases_name_places_of_the_gazetteer(tmp_path):
    project = owned_project(tmp_path / "project")
    (project / "content" / "aliases.yaml").write_text("city-atlantis: [Atlantis]\ncity-dandong: Antung\n", "utf-8")
    out = io.StringIO()
    assert run_check(project, out) == 1
    assert "content/aliases.yaml, field 'city-atlantis': names 'city-atlantis', which is no city or crossing" in out.getvalue()
    assert "entry 'city-dandong' is not a list of names" in out.getvalue()


# ---- the contribution file ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(project, tmp_path_factory):
    if not (project / "layers/routes/shenyang-bangkok.geojson").exists():
        save(project, SUBMISSION, gazetteer(project), reference_keys(project), ENGLISH)
    path = tmp_path_factory.mktemp("archive") / "contribution.zip"
    path.write_bytes(contribution_zip(project))
    return path


def test_the_contribution_file_holds_the_changed_files_and_a_summary(archive):
    with zipfile.ZipFile(archive) as opened:
        names = sorted(opened.namelist())
        summary = opened.read("SUMMARY.txt").decode()
        (key,) = json.loads(opened.read("layers/routes/shenyang-bangkok.geojson"))["features"][0]["properties"]["sources"]
    assert names == ["SUMMARY.txt", "content/ko/places.yaml", "content/zh/places.yaml", "layers/places.geojson",
                     "layers/routes/shenyang-bangkok.geojson", "manifest.json", "references.json"]
    assert "Adds the route “Through Laos to Thailand” (layers/routes/shenyang-bangkok.geojson): Shenyang → " \
           "Kunming → Vang Vieng → Vientiane → Bangkok" in summary
    assert "Adds to layers/places.geojson: place-vang-vieng." in summary
    assert f"Adds to references.json: {key}." in summary and key.startswith("kim-2020")


def hostile(tmp_path, name: str, build) -> tuple:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        build(archive)
    return path


def test_hostile_archives_are_refused_without_writing_anything(archive, tmp_path):
    clone = owned_project(tmp_path / "clone")
    before = snapshot(clone)
    manifest = json.dumps({"files": []})

    def climbing(z):
        z.writestr("manifest.json", manifest)
        z.writestr("../outside.txt", "x")

    def linked(z):
        z.writestr("manifest.json", manifest)
        info = zipfile.ZipInfo("layers/routes/link.geojson")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")

    def bomb(z):
        z.writestr("manifest.json", manifest)
        z.writestr("references.json", b"0" * (11 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)

    def absolute(z):
        z.writestr("manifest.json", manifest)
        z.writestr("/etc/cron.d/job", "x")

    cases = {"climbing.zip": (climbing, "'../outside.txt', which is not a file a contribution may add"),
             "linked.zip": (linked, "holds a link"),
             "bomb.zip": (bomb, "unpacks to more than 10 MB"),
             "absolute.zip": (absolute, "'/etc/cron.d/job', which is not a file")}
    for name, (build, words) in cases.items():
        out = io.StringIO()
        assert add_contribution(clone, hostile(tmp_path, name, build), out) == 1, name
        assert words in out.getvalue() and "Nothing was written." in out.getvalue(), out.getvalue()
    big = tmp_path / "big.zip"
    big.write_bytes(b"0" * (MAX_ARCHIVE_BYTES + 1))
    out = io.StringIO()
    assert add_contribution(clone, big, out) == 1 and "larger than 2 MB" in out.getvalue()
    (clone / "references.json").write_text((clone / "references.json").read_text("utf-8").replace(
        '"title": "China and the North Korean Refugee Crisis"', '"title": "Changed since"'), encoding="utf-8")
    changed = snapshot(clone)
    out = io.StringIO()
    assert add_contribution(clone, archive, out) == 1
    assert "references.json changed in the project since the contributor's copy" in out.getvalue()
    assert snapshot(clone) == changed
    assert {k: v for k, v in before.items() if k != "references.json"} == \
           {k: v for k, v in changed.items() if k != "references.json"}


def test_the_studio_links_a_saved_route_to_the_catalogue_page_that_lists_it(tmp_path):
    from storymap.tools.studio import catalogue_page

    for folder, slugs in (("routes", ["a-route", "b-route"]), ("routes/2", ["c-route"])):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "index.html").write_text("".join(f'<li id="{s}">' for s in slugs), encoding="utf-8")
    assert catalogue_page(tmp_path, "b-route") == "routes/"
    assert catalogue_page(tmp_path, "c-route") == "routes/2/"
    assert catalogue_page(tmp_path, "not-built-yet") == "routes/"
