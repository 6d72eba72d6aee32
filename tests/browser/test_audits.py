"""Audits of every built page: accessibility (axe-core and keyboard), privacy (CSP, no outside
requests, no referrer); the phone layout is test_phone.py's.

The pages are read from the built site, not listed here, so a new page is audited without
touching this file. Each test visits every page and reports every failure at once.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

CSP_DIRECTIVES_SELF_ONLY = ("script-src", "style-src", "img-src", "connect-src")
#: Lighthouse fails a page whose viewport caps zoom below 5x; axe fails it below 2x.
MIN_MAXIMUM_SCALE = 5.0

RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                                 source: e.sourceFile, line: e.lineNumber, sample: e.sample});
});
"""


# ---- the pages -------------------------------------------------------------------------------


#: The Korean and Chinese editions' folders: their pages come from the same templates as the
#: English ones, so each is audited by a sample (every page but the chapters and embeds past the
#: first), which keeps the audits' time near that of one edition.
EDITION_FOLDERS = ("ko/", "zh/")


def site_pages(built_site: Path) -> list[str]:
    """URL paths (relative to base_url) of every HTML page of the English edition, and a sample
    of each translated edition's (EDITION_FOLDERS)."""
    paths = []
    for html in sorted(built_site.rglob("*.html")):
        relative = html.relative_to(built_site).as_posix()
        paths.append(relative[: -len("index.html")] if relative.endswith("index.html") else relative)
    english = [p for p in paths if not p.startswith(EDITION_FOLDERS)]
    first_chapter = re.search(r'<ol class="toc">\s*<li[^>]*><a href="([^"]+)"',
                              (built_site / "index.html").read_text(encoding="utf-8")).group(1)
    sample = {p.split("/", 1)[1] for p in paths if p.startswith(EDITION_FOLDERS)} & (
        {p for p in english if not (built_site / p / "index.html").exists()
         or 'class="step"' not in (built_site / p / "index.html").read_text(encoding="utf-8")}
        | {first_chapter, f"embed/{first_chapter}"})
    return english + [folder + p for folder in EDITION_FOLDERS for p in sorted(sample)]


def chapter_pages(built_site: Path) -> list[str]:
    """Pages with a map and scroll steps."""
    return [p for p in site_pages(built_site)
            if 'class="step"' in (built_site / (p or ".") / "index.html").read_text(encoding="utf-8")]


def scrolling_pages(built_site: Path) -> list[str]:
    """Chapter pages whose steps scroll past the map (not the embeddable maps, whose steps are buttons)."""
    return [p for p in chapter_pages(built_site)
            if 'class="story"' in (built_site / (p or ".") / "index.html").read_text(encoding="utf-8")]


def steps_of(page) -> list[str]:
    return page.locator(".step").evaluate_all("nodes => nodes.map(n => n.id)")


def open_page(page, url: str) -> None:
    """Load a page and wait for its load event (a story page's own readiness is wait_for_story)."""
    if "#" in url and page.url.split("#")[0] == url.split("#")[0]:
        page.goto("about:blank")  # otherwise only the fragment changes and nothing is loaded
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else 'no response'}"


def wait_for_story(page) -> None:
    page.wait_for_function("() => window.storyKit && window.storyKit.active")


def report(failures: list[str]) -> str:
    return f"{len(failures)} failure(s):\n" + "\n".join(failures)


# ---- HTML head (no browser needed) -----------------------------------------------------------


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.metas: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            self.metas.append({k.lower(): (v or "") for k, v in attrs})


def metas(path: Path) -> list[dict[str, str]]:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.metas


def html_files(built_site: Path) -> list[Path]:
    return sorted(built_site.rglob("*.html"))


def parse_csp(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens:
            directives.setdefault(tokens[0].lower(), tokens[1:])
    return directives


def only_meta(html, attribute: str, value: str, name: str, failures: list[str]) -> str | None:
    """The content of the page's one <meta attribute=value>, or None (and a failure) if not exactly one."""
    contents = [m["content"] for m in metas(html) if m.get(attribute, "").lower() == value]
    if len(contents) != 1:
        failures.append(f"{name}: {len(contents)} <meta {attribute}={value}> tags (want exactly 1)")
        return None
    return contents[0]



def becomes_current(page, step_id: str) -> bool:
    """Whether the step becomes the current one within 3 s."""
    try:
        page.wait_for_function("id => document.getElementById(id).getAttribute('aria-current') === 'step'",
                               arg=step_id, timeout=3000)
    except Exception:
        return False
    return True

def test_every_page_has_a_strict_content_security_policy(built_site):
    failures = []
    for html in html_files(built_site):
        name = html.relative_to(built_site).as_posix()
        policy = only_meta(html, "http-equiv", "content-security-policy", name, failures)
        if policy is None:
            continue
        csp = parse_csp(policy)
        if "default-src" not in csp:
            failures.append(f"{name}: no default-src (anything not listed would be allowed from anywhere)")
        for directive in CSP_DIRECTIVES_SELF_ONLY:
            sources = csp.get(directive, csp.get("default-src"))
            if sources is None:
                failures.append(f"{name}: {directive} is not restricted")
            elif [s.lower() for s in sources] not in (["'self'"], ["'none'"]):
                failures.append(f"{name}: {directive} {' '.join(sources)} (want only 'self')")
        for directive, sources in csp.items():
            loose = [s for s in sources if s.lower() in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:",
                                                         "http:", "https:")
                     or "://" in s or s.startswith("*.")]
            if loose:
                failures.append(f"{name}: {directive} allows {' '.join(loose)}")
    assert not failures, report(failures)


def test_viewport_allows_pinch_zoom(built_site):
    failures = []
    for html in html_files(built_site):
        name = html.relative_to(built_site).as_posix()
        viewport = only_meta(html, "name", "viewport", name, failures)
        if viewport is None:
            continue
        settings = {k.strip().lower(): v.strip().lower()
                    for k, _, v in (item.partition("=") for item in re.split(r"[,;]", viewport)) if k.strip()}
        if settings.get("user-scalable") in ("no", "0"):
            failures.append(f"{name}: user-scalable={settings['user-scalable']} blocks pinch-zoom")
        if "maximum-scale" in settings:
            try:
                scale = float(settings["maximum-scale"])
            except ValueError:
                scale = 0.0
            if scale < MIN_MAXIMUM_SCALE:
                failures.append(f"{name}: maximum-scale={settings['maximum-scale']} limits zoom "
                                f"(want none, or at least {MIN_MAXIMUM_SCALE:g})")
    assert not failures, report(failures)


# ---- axe-core --------------------------------------------------------------------------------


def describe_violations(path: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"{path or 'index'}: [{v['id']}] ({v.get('impact')}) {v['help']} ({len(v['nodes'])} element(s))")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
            lines.append(f"      html: {node.get('html', '')[:200]}")
    return lines


def test_axe_finds_no_violations_on_any_page(sweep):
    assert sweep["audited"] >= 3
    assert not sweep["axe"], report(sweep["axe"])


def test_axe_finds_no_violations_with_a_popup_open(sweep):
    """Popups are built by story.js on click; the sweep audits one on each chapter page."""
    assert sweep["popups"], "no chapter page had a popup to audit"
    assert not sweep["popup axe"], report(sweep["popup axe"])


# ---- privacy ---------------------------------------------------------------------------------


def walk_steps(page) -> None:
    """Activate every step with the keyboard, so that whatever a step loads is loaded."""
    for _ in steps_of(page):
        page.keyboard.press("n")
        page.wait_for_timeout(50)


OUTBOUND_LINKS = """() => {
    const meta = document.querySelector('meta[name="referrer"]');
    const policy = meta ? meta.content.trim().toLowerCase() : '';
    const outbound = Array.from(document.querySelectorAll('a[href], area[href]'))
        .filter(a => a.origin !== location.origin && /^https?:$/.test(a.protocol))
        .map(a => ({href: a.href, rel: (a.rel || '').toLowerCase().split(/\\s+/),
                    policy: (a.referrerPolicy || '').toLowerCase()}));
    return {policy, outbound};
}"""

FOCUS_IN = "id => { const t = document.getElementById(id); return !!t && t.contains(document.activeElement); }"


def skip_link_failures(page, name: str) -> list[str]:
    """The first Tab must reach the skip link, and following it must move focus into <main>."""
    page.keyboard.press("Tab")
    first = page.evaluate("""() => {
        const a = document.activeElement;
        return {tag: a.tagName, cls: String(a.className).slice(0, 60), href: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60)};
    }""")
    if "skip-link" not in str(first["cls"]) or not (first["href"] or "").startswith("#"):
        return [f"{name}: first Tab focuses {first} instead of the skip link"]
    target = first["href"][1:]
    page.keyboard.press("Enter")
    page.wait_for_timeout(100)
    in_target = page.evaluate(FOCUS_IN, target)
    if not in_target:
        # Browsers move only the sequential-focus starting point to a target that cannot take
        # focus: then the next Tab must land inside it.
        page.keyboard.press("Tab")
        in_target = page.evaluate(FOCUS_IN, target)
    failures = []
    if page.evaluate("id => !document.getElementById(id) || document.getElementById(id).tagName", target) != "MAIN":
        failures.append(f"{name}: the skip link points to #{target}, which is not the <main> element")
    if not in_target:
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        failures.append(f"{name}: after the skip link, focus is on {focused}, outside #{target}")
    return failures


OPEN_A_POPUP = """() => {
    const layer = Object.values(window.storyKit.features).find(l => l.getPopup && l.getPopup());
    if (!layer) return false;
    const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    layer.openPopup(at);
    return true;
}"""


@pytest.fixture(scope="module")
def sweep(browser, built_site, base_url) -> dict:
    """One visit to every page, by a reader with axe-core beside them: axe audits the page as it
    loads; then, as a keyboard reader, Tab to the skip link and follow it; on a chapter page, the map's
    names, `n` and `p`, axe on an open popup, then the whole story stepped through with `n`. What the
    visit recorded (axe's findings, CSP violations, requests, outbound links, the skip link, the step
    keys) is kept for the tests below, so that each page loads once, not once per audit."""
    axe = Axe()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    origin = urlparse(base_url)
    found: dict = {key: [] for key in ("csp", "outside", "referrer", "skip", "requests", "axe", "popup axe",
                                       "step keys", "map names", "popups", "stepped")}
    current = {"path": ""}

    def request(request):
        found["requests"].append(request.url)
        if (not request.url.startswith(("data:", "blob:"))
                and (urlparse(request.url).scheme, urlparse(request.url).netloc) != (origin.scheme, origin.netloc)):
            found["outside"].append(f"{current['path']}: {request.url}")

    context.on("request", request)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    pages = site_pages(built_site)
    page = context.new_page()  # one tab, as a reader follows links: a new tab per page costs more than its load
    page.on("console", lambda msg: found["csp"].append(f"{current['path']}: console: {msg.text[:300]}")
            if "Content Security Policy" in msg.text else None)
    for path in pages:
        name = current["path"] = path or "index"
        open_page(page, base_url + path)  # the visit ends when the network is idle
        story = page.locator(".step").count() > 0
        if story:
            wait_for_story(page)
        found["axe"] += describe_violations(path, axe.run(page).response["violations"])
        found["skip"] += skip_link_failures(page, name)
        links = page.evaluate(OUTBOUND_LINKS)
        if links["policy"] != "no-referrer":
            found["referrer"] += [
                f"{name}: {link['href']} has no rel=noreferrer and the page has no "
                f'<meta name="referrer" content="no-referrer"> (policy: {links["policy"] or "none"})'
                for link in links["outbound"] if "noreferrer" not in link["rel"] and link["policy"] != "no-referrer"]
        if story:
            page.evaluate("() => { document.activeElement.blur(); scrollTo(0, 0); }")
            wait_for_story(page)
            becomes_current(page, steps_of(page)[0])
            found["map names"] += map_name_failures(page, path)
            found["step keys"] += step_key_failures(page, path)
            found["stepped"].append(path)
            if page.evaluate(OPEN_A_POPUP):
                page.wait_for_selector(".leaflet-popup")
                found["popup axe"] += describe_violations(
                    path + " (popup)", axe.run(page, context=".leaflet-popup").response["violations"])
                found["popups"].append(path)
                page.evaluate("() => window.storyMap.closePopup()")
            walk_steps(page)
        page.wait_for_load_state("networkidle")  # whatever the page or its steps asked for has arrived
        for event in page.evaluate("window.__cspViolations || []"):
            found["csp"].append(f"{name}: blocked by {event['directive']}: {event['blocked'] or event['sample']} "
                                f"(from {event['source']}:{event['line']})")
    context.close()
    found["audited"] = len(pages)
    return found


def test_no_content_security_policy_violations(sweep):
    assert not sweep["csp"], report(sweep["csp"])


def test_no_request_leaves_the_origin(sweep):
    assert sweep["requests"], "no request was recorded"
    assert not sweep["outside"], report(sweep["outside"])


def test_outbound_links_send_no_referrer(sweep):
    assert not sweep["referrer"], report(sweep["referrer"])


# ---- keyboard --------------------------------------------------------------------------------


def test_skip_link_is_first_and_moves_focus_to_the_content(sweep):
    assert not sweep["skip"], report(sweep["skip"])



def live_region_texts(page) -> list[str]:
    return page.locator("[aria-live]:not([aria-live=off]), [role=status], [role=log], [role=alert]") \
        .evaluate_all("nodes => nodes.map(n => n.textContent.trim())")


def step_key_failures(page, path: str) -> list[str]:
    """On arrival the first step is current; `n` makes the next one current and the live region
    describes it; `p` goes back and the region describes the first step again."""
    steps = steps_of(page)
    if len(steps) < 2:
        return []
    current = lambda: page.locator(".step[aria-current='step']").evaluate_all("ns => ns.map(n => n.id)")  # noqa: E731
    if current() != [steps[0]]:
        return [f"{path}: on arrival the active step is {current()}, not {steps[0]}"]
    failures = []
    before = live_region_texts(page)
    if not before:
        failures.append(f"{path}: no aria-live region")
    page.keyboard.press("n")
    if not becomes_current(page, steps[1]):
        return failures + [f"{path}: 'n' did not make {steps[1]} the current step (current: {current()})"]
    after = live_region_texts(page)
    if before and after == before:
        failures.append(f"{path}: the aria-live region still says {before!r} after the step changed")
    if not any(after):
        failures.append(f"{path}: the aria-live region is empty after the step changed")
    page.keyboard.press("p")
    if not becomes_current(page, steps[0]):
        return failures + [f"{path}: 'p' did not go back to {steps[0]} (current: {current()})"]
    if live_region_texts(page) != before:
        failures.append(f"{path}: after 'p' the aria-live region does not describe the first step again")
    return failures


def test_n_and_p_step_through_the_story_and_announce_the_map(sweep):
    assert sweep["stepped"], "no chapter page was stepped through"
    assert not sweep["step keys"], report(sweep["step keys"])


def map_name_failures(page, path: str) -> list[str]:
    """The map container and its zoom buttons have accessible names, in the page's language."""
    container = page.evaluate("""() => {
        const map = window.storyMap && window.storyMap.getContainer();
        if (!map) return null;
        const labelled = map.getAttribute('aria-labelledby');
        const name = map.getAttribute('aria-label')
            || (labelled && labelled.split(/\\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' '));
        return {name: (name || '').trim(), role: map.getAttribute('role'), html: map.outerHTML.slice(0, 160)};
    }""")
    if container is None:
        return [f"{path}: window.storyMap has no container"]
    failures = []
    if not container["name"]:
        failures.append(f"{path}: the map container has no aria-label (or aria-labelledby): {container['html']}")
    elif re.search(r"\\u[0-9a-fA-F]{4}|&#|&[a-z]+;", container["name"]):
        failures.append(f"{path}: the map's accessible name has escape sequences a screen reader reads out: "
                        f"{container['name']!r}")
    # In the page's language: the Korean and Chinese editions name them in their own words.
    words = page.evaluate("() => JSON.parse((document.getElementById('story-strings') || {}).textContent || '{}')")
    for label in (words.get("Zoom in", "Zoom in"), words.get("Zoom out", "Zoom out")):
        if page.get_by_role("button", name=label, exact=True).count() != 1:
            found = page.locator(".leaflet-control-zoom a").evaluate_all("ns => ns.map(n => n.outerHTML.slice(0, 160))")
            failures.append(f"{path}: no button with the accessible name {label!r}; zoom controls: {found}")
    return failures


def test_map_and_zoom_buttons_have_accessible_names(sweep):
    assert not sweep["map names"], report(sweep["map names"])
