"""The consent manager on a clinic's website, in Chromium: what is set before and after each choice."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from tests.browser import CHROMIUM, chromium, serve
from tests.consent_site import CLINIC, website

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)")

AS_OF = date(2026, 11, 22)
NON_ESSENTIAL = {"an_id", "ad_id"}
# Chromium has no switch for Global Privacy Control; a browser that sends it exposes this property.
GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true, configurable: true});"


def publish(project, notice, day, *extra):
    result = CliRunner().invoke(main, ["publish", "t", notice, "--summary", "A change.", "--approved-by", "Pat Lee",
                                       "--as-of", day, "--effective", day, "--allow-findings", "test clinic",
                                       *extra, "--root", str(project.root)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def clinic_site(make_project, tmp_path):
    """(project, the website's folder, its base URL, a browser): cookie notice v1 published."""
    project = make_project({"clinics/t/clinic.yaml": CLINIC})
    publish(project, "cookies", "2026-01-10")
    build(project, as_of=AS_OF, workers=1)
    folder = website(project.site_dir / "t", tmp_path / "www")
    with serve(folder) as base, chromium() as browser:
        yield project, folder, base, browser


def open_page(browser, base, *, gpc=False, context=None):
    context = context or browser.new_context()
    if gpc:
        context.add_init_script(GPC)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{base}/index.html", wait_until="networkidle")
    return context, page, requests


def names(context) -> set[str]:
    return {c["name"] for c in context.cookies()}


def banner(page):
    page.wait_for_selector("#cc-main .cm", state="visible", timeout=5000)
    return page.locator("#cc-main .cm")


def test_before_consent_only_the_strictly_necessary_is_set(clinic_site):
    _, _, base, browser = clinic_site
    context, page, requests = open_page(browser, base)
    assert "Cookies on our website" in banner(page).inner_text()
    assert names(context) == {"site_session"}
    assert page.evaluate("localStorage.getItem('prefs_key')") is None
    assert not [u for u in requests if "pixel.gif" in u]
    context.close()


def test_reject_sets_nothing_more_and_is_remembered(clinic_site):
    _, _, base, browser = clinic_site
    context, page, requests = open_page(browser, base)
    banner(page).locator('[data-role="necessary"]').click()
    page.wait_for_function("document.cookie.includes('cc_cookie')")
    page.goto(f"{base}/about.html", wait_until="networkidle")
    assert names(context) == {"site_session", "cc_cookie"}
    assert page.evaluate("localStorage.getItem('prefs_key')") is None
    assert not page.locator("#cc-main .cm").is_visible()
    assert not [u for u in requests if "pixel.gif" in u]
    context.close()


def test_accept_sets_every_category_and_reject_later_clears_them(clinic_site):
    _, _, base, browser = clinic_site
    context, page, requests = open_page(browser, base)
    banner(page).locator('[data-role="all"]').click()
    page.wait_for_function("document.cookie.includes('ad_id') && document.cookie.includes('an_id')")
    assert NON_ESSENTIAL <= names(context)
    assert page.evaluate("localStorage.getItem('prefs_key')") == "1"
    page.wait_for_load_state("networkidle")
    assert [u for u in requests if "pixel.gif" in u]
    # Changing one's mind from the footer link: what was refused is removed.
    page.click('footer [data-cc="show-preferencesModal"]')
    page.wait_for_selector("#cc-main .pm", state="visible")
    page.locator('#cc-main .pm [data-role="necessary"]').click()
    page.wait_for_function("!document.cookie.includes('an_id')")
    assert not NON_ESSENTIAL & names(context)
    assert page.evaluate("localStorage.getItem('prefs_key')") is None
    context.close()


def test_with_gpc_marketing_stays_off_and_the_banner_says_the_opt_out_is_honored(clinic_site):
    _, _, base, browser = clinic_site
    context, page, requests = open_page(browser, base, gpc=True)
    text = banner(page).inner_text()
    assert "Opt-Out Request Honored" in text and "Global Privacy Control" in text
    banner(page).locator('[data-role="all"]').click()
    page.wait_for_function("document.cookie.includes('an_id')")
    page.wait_for_load_state("networkidle")
    assert "an_id" in names(context) and "ad_id" not in names(context)
    assert not [u for u in requests if "pixel.gif" in u]
    page.click('footer [data-cc="show-preferencesModal"]')
    prefs = page.locator("#cc-main .pm")
    prefs.wait_for(state="visible")
    assert "Opt-Out Request Honored" in prefs.inner_text()
    context.close()


def test_gpc_turned_on_after_accepting_all_takes_marketing_away(clinic_site):
    _, _, base, browser = clinic_site
    context, page, _ = open_page(browser, base)
    banner(page).locator('[data-role="all"]').click()
    page.wait_for_function("document.cookie.includes('ad_id')")
    page.close()
    context.add_init_script(GPC)
    page = context.new_page()
    pixels: list[str] = []
    page.on("request", lambda r: pixels.append(r.url) if "pixel.gif" in r.url else None)
    page.goto(f"{base}/about.html", wait_until="networkidle")
    assert "ad_id" not in names(context) and "an_id" in names(context)
    assert pixels == []
    context.close()


def test_a_new_material_cookie_notice_asks_again_and_a_technical_one_does_not(clinic_site):
    project, folder, base, browser = clinic_site
    context, page, _ = open_page(browser, base)
    banner(page).locator('[data-role="all"]').click()
    page.wait_for_function("document.cookie.includes('cc_cookie')")

    def republish(old, new, *extra):
        clinic = project.clinic_dir("t") / "clinic.yaml"
        clinic.write_text(clinic.read_text().replace(old, new, 1))
        publish(project, "cookies", "2026-11-22", *extra)
        build(project, as_of=AS_OF, workers=1)
        website(project.site_dir / "t", folder)

    republish("duration: 1 hour", "duration: 2 hours", "--technical")
    page.reload(wait_until="networkidle")
    assert not page.locator("#cc-main .cm").is_visible()
    assert NON_ESSENTIAL <= names(context)

    republish("  honors_gpc: true", "  honors_gpc: true\n  blocking_limits_site: true")
    page.reload(wait_until="networkidle")
    text = banner(page).inner_text()
    assert "Our cookie notice has changed since you last chose" in text
    context.close()


def test_the_consent_manager_asks_no_other_origin(clinic_site):
    _, _, base, browser = clinic_site
    origin = urlparse(base).netloc
    context, page, requests = open_page(browser, base)
    banner(page).locator('[data-role="all"]').click()
    page.wait_for_function("document.cookie.includes('ad_id')")
    page.click('footer [data-cc="show-preferencesModal"]')
    page.wait_for_selector("#cc-main .pm", state="visible")
    page.wait_for_load_state("networkidle")
    assert requests and [u for u in requests if urlparse(u).netloc != origin] == []
    assert f"{base}/notices/embed/consent.css" in requests
    context.close()


def test_the_banner_speaks_the_page_language_and_links_to_that_cookie_notice(clinic_site, tmp_path):
    project, _, _, browser = clinic_site
    folder = website(project.site_dir / "t", tmp_path / "www-es", lang="es")
    with serve(folder) as base:
        context, page, _ = open_page(browser, base)
        text = banner(page).inner_text()
        assert "Cookies en nuestro sitio web" in text and "Aceptar todas" in text
        href = banner(page).locator("a").first.get_attribute("href")
        assert href == f"{base}/notices/es/cookies/"
        page.goto(href, wait_until="networkidle")
        assert page.locator("article h1").inner_text().strip()
        context.close()


def test_an_opt_out_clinic_runs_its_trackers_until_refused_but_never_against_gpc(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": CLINIC.replace("  honors_gpc: true", "  honors_gpc: true\n  consent_by_using_site: true")})
    build(project, as_of=AS_OF, workers=1)
    folder = website(project.site_dir / "t", tmp_path / "www")
    with serve(folder) as base, chromium() as browser:
        context, page, _ = open_page(browser, base)
        page.wait_for_function("document.cookie.includes('ad_id')")
        assert NON_ESSENTIAL <= names(context)
        context.close()
        context, page, _ = open_page(browser, base, gpc=True)
        page.wait_for_function("document.cookie.includes('an_id')")
        page.wait_for_load_state("networkidle")
        assert "ad_id" not in names(context)
        context.close()
