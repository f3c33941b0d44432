"""The built example sites in a real browser: no request leaves the site, pages read well on a phone."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from generator.site.build import build
from tests.browser import CHROMIUM, chromium, serve

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def example_sites(tmp_path_factory):
    from tests.conftest import copy_examples

    project = copy_examples(tmp_path_factory.mktemp("examples"))
    build(project, as_of=date(2026, 11, 22))
    with serve(project.site_dir) as base, chromium() as browser:
        yield project, base, browser


def pages(site: Path, fragments: bool = True) -> list[str]:
    """Every page; with fragments, the embeddable pieces too (they are not whole documents). Not the
    consent snippet: it is made to run on the clinic's own website, loading the consent manager from the
    notices site's public address (tests/test_consent_browser.py runs it on a local clinic website)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.name != "404.html" and (fragments or "/embed/" not in p.as_posix())
                  and not p.as_posix().endswith("/embed/consent.html"))


def test_no_page_makes_a_request_off_its_own_origin(example_sites):
    project, base, browser = example_sites
    origin = urlparse(base).netloc
    context = browser.new_context()
    page = context.new_page()
    outside, failed = [], []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in (origin, "") and not r.url.startswith("data:") else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    visited = 0
    for rel in pages(project.site_dir):
        page.goto(f"{base}/{rel}", wait_until="networkidle")
        visited += 1
    context.close()
    assert visited >= 20
    assert outside == []
    assert [u for u in failed if not u.endswith("favicon.ico")] == []


def test_notice_pages_fit_a_360px_phone(example_sites):
    project, base, browser = example_sites
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    too_wide = []
    for slug in sorted(p.name for p in project.site_dir.iterdir() if p.is_dir()):
        for notice in ("privacy", "cookies", "hipaa", "chd", "part2"):
            if not (project.site_dir / slug / notice / "index.html").exists():
                continue
            page.goto(f"{base}/{slug}/{notice}/", wait_until="networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide.append((slug, notice, width))
            assert page.locator("article h1").count() == 1
    context.close()
    assert too_wide == []


def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def test_every_page_has_no_wcag_2_1_aa_violation(example_sites):
    project, base, browser = example_sites
    axe = _axe_source()
    context = browser.new_context()
    page = context.new_page()
    problems = []
    checked = 0
    for rel in pages(project.site_dir, fragments=False):
        page.goto(f"{base}/{rel}", wait_until="networkidle")
        page.add_script_tag(content=axe)
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
        checked += 1
        for v in result["violations"]:
            problems.append(f"{rel}: {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}")
    context.close()
    assert checked >= 20
    assert problems == []


def test_printing_a_notice_hides_navigation_and_stamps_every_page(example_sites):
    import io

    import pypdf

    project, base, browser = example_sites
    page = browser.new_page()
    page.goto(f"{base}/lux-aesthetics/hipaa/", wait_until="networkidle")
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="Letter")))
    page.close()
    assert len(reader.pages) >= 3
    for printed in reader.pages:
        text = printed.extract_text()
        assert "Version 1" in text and "November 22, 2026" in text
    assert "Search" not in reader.pages[0].extract_text()  # the header and search are not printed


def test_the_in_force_page_answers_for_a_date(example_sites):
    project, base, browser = example_sites
    page = browser.new_page()
    page.goto(f"{base}/harbourview-family-clinic/in-force/", wait_until="networkidle")
    page.fill("#in-force-date", "2025-06-01")
    page.click("form.in-force-lookup button")
    page.wait_for_selector("#in-force-result li")
    answers = page.locator("#in-force-result li").all_inner_texts()
    assert "Website Privacy Policy — Version 2" in answers   # v2 from April 2, v3 only from September 1
    assert "Cookie Notice — Version 1" in answers
    page.click("text=Website Privacy Policy — Version 2")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/harbourview-family-clinic/privacy/v2/")
    page.close()


@pytest.mark.parametrize("path, query", [("harbourview-family-clinic/", "cookies"),
                                         ("harbourview-family-clinic/es/", "privacidad")])
def test_site_search_finds_the_notices(example_sites, path, query):
    """Search works in each language's site (its worker loads that language's files from the site)."""
    project, base, browser = example_sites
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/{path}", wait_until="networkidle")
    page.keyboard.press("/")  # Material's shortcut to the search box, at any width
    page.keyboard.type(query)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    results = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    context.close()
    assert results and not [e for e in errors if not e.endswith("favicon.ico")]
    assert not [href for href in results if "/v1/" in href]  # archived versions are left out of search
