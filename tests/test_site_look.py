"""The clinic's own page (issue 14): the example sites, built with PDFs, as a patient sees them — no
Markdown or template syntax in sight, phone-first version views, one banner, print, keyboard, axe's
best-practice rules, the tool's name never shown."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.site.build import build
from tests.browser import CHROMIUM, chromium, serve

AS_OF = date(2026, 11, 22)
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# What a patient should never read: Markdown, attribute lists, admonitions, Jinja.
SYNTAX = re.compile(r"\{:|\{\{|\}\}|\{%|%\}|!!!|\]\(|\*\*|(?<!\w)__\w|^#+ ", re.M)
browser_only = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    from tests.conftest import copy_examples

    project = copy_examples(tmp_path_factory.mktemp("look"))
    build(project, as_of=AS_OF, pdfs=True)
    return project


def visible_text(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "template"]):
        tag.decompose()
    return soup.get_text("\n")


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html" and "/embed/consent" not in p.as_posix())


def test_no_markup_syntax_in_visible_text_with_pdfs_on(sites):
    found = []
    for page in html_pages(sites.site_dir):
        for m in SYNTAX.finditer(visible_text(page)):
            found.append(f"{page.relative_to(sites.site_dir)}: {m.group(0)!r}")
    assert (sites.site_dir / "harbourview-family-clinic/privacy/v4/privacy-v4.pdf").is_file()
    assert found == []


def test_every_language_has_its_pdfs(sites):
    site = sites.site_dir / "harbourview-family-clinic"
    assert (site / "es/privacy/v4/privacy-v4.pdf").is_file()
    text = visible_text(site / "es/privacy/v4/index.html")
    assert "PDF para imprimir o guardar" in text
    import pypdf

    reader = pypdf.PdfReader(site / "es/privacy/v4/privacy-v4.pdf")
    fonts = {f.get_object()["/BaseFont"].split("+")[-1] for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all(f.startswith("DejaVu-Sans") for f in fonts), fonts  # the footer in the body's font
    for n, page in enumerate(reader.pages, 1):
        last = page.extract_text().rstrip().splitlines()[-1]
        assert "Versión 4" in last and last.endswith(f"{n}\xa0/\xa0{len(reader.pages)}"), last  # one line


def test_the_tool_name_is_never_shown(sites):
    shown = [p for p in html_pages(sites.site_dir) if "clinic-notices" in visible_text(p)]
    shown += [p for p in sites.site_dir.rglob("feed.*") if b"clinic-notices<" in p.read_bytes()]
    assert shown == []


def test_one_banner_never_linking_to_its_own_page(sites):
    for page in html_pages(sites.site_dir):
        if "/embed/" in page.as_posix():
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article")
        assert len(article.select(".notice-banner")) <= 1, page
        assert not article.select(".admonition"), page  # the page's own notes are in the one banner
        for a in article.select(".notice-banner a[href]"):
            assert a["href"] not in ("./", "."), page


def test_pages_announce_their_feeds_and_feeds_are_absolute(sites):
    site = sites.site_dir / "harbourview-family-clinic"
    for rel, feed in (("index.html", "harbourview-family-clinic/feed.xml"), ("es/index.html", "harbourview-family-clinic/es/feed.xml")):
        soup = BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")
        types = {link["type"]: link["href"] for link in soup.select('head link[rel="alternate"]')}
        assert (site / rel).parent.joinpath(types["application/atom+xml"]).resolve() == (sites.site_dir / feed).resolve()
        assert "application/feed+json" in types
    atom = (site / "feed.xml").read_text(encoding="utf-8")
    assert 'href="feed.xsl"' in atom and 'href="privacy/' not in atom
    # The real clinics have no site_url: no feeds and no embeds with links that would point elsewhere.
    assert not (sites.site_dir / "lux-smiles" / "feed.xml").exists()
    assert not (sites.site_dir / "lux-aesthetics" / "embed" / "privacy.html").exists()


def test_english_text_on_the_spanish_site_is_marked_english(sites):
    page = sites.site_dir / "harbourview-family-clinic/es/privacy/v1/index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("html")["lang"] == "es"
    marked = soup.select('article div[lang="en"]')
    assert marked and len(marked[0].get_text()) > 200


@browser_only
def test_version_views_are_cards_that_fit_a_360px_phone(sites):
    with serve(sites.site_dir) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 360, "height": 740})
        too_wide = []
        for rel in ("harbourview-family-clinic/privacy/versions/", "harbourview-family-clinic/in-force/",
                    "harbourview-family-clinic/es/in-force/", "lux-aesthetics/in-force/"):
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            if page.evaluate("document.documentElement.scrollWidth") > 360:
                too_wide.append(rel)
            assert page.locator("article table").count() == 0
            assert page.locator("article .version-card").count() >= 1
        text = page.content()
        assert "→" not in text
        page.close()
    assert too_wide == []


@browser_only
def test_spanish_lookup_answers_in_spanish_with_spanish_links(sites):
    with serve(sites.site_dir) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/harbourview-family-clinic/es/in-force/", wait_until="networkidle")
        page.fill("#in-force-date", "2020-01-01")
        page.click("form.in-force-lookup button")
        page.wait_for_selector("#in-force-result li")
        answers = page.locator("#in-force-result li").all_inner_texts()
        assert answers and all("todavía no había" in a for a in answers)
        assert not [a for a in answers if a.startswith(("privacy:", "cookies:", "hipaa:"))]
        page.fill("#in-force-date", "2026-12-01")
        page.click("form.in-force-lookup button")
        page.wait_for_selector("#in-force-result a")
        hrefs = page.locator("#in-force-result a").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and all("/es/" in h for h in hrefs)
        page.close()


FOCUS = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return {tag: e.tagName, cls: e.className && e.className.baseVal === undefined ? e.className : "",
          text: (e.textContent || "").trim().slice(0, 40), inArticle: !!e.closest("article"),
          visible: r.width > 0 && r.height > 0 && s.visibility !== "hidden" && r.right > 0 && r.left < innerWidth}; }"""


@browser_only
@pytest.mark.parametrize("width", [360, 1280])
def test_keyboard_reaches_the_content_quickly_with_no_invisible_stops(sites, width):
    with serve(sites.site_dir) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 800})
        problems = []
        for rel in ("harbourview-family-clinic/privacy/", "harbourview-family-clinic/in-force/", "lux-aesthetics/"):
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            first_content = None
            for n in range(1, 31):
                page.keyboard.press("Tab")
                info = page.evaluate(FOCUS)
                if info is None:
                    continue
                if not info["visible"]:
                    problems.append((rel, n, info))
                if first_content is None and info["inArticle"] and info["tag"] == "A":
                    first_content = n
            # Before the content: the skip link, the clinic's name, its search box, the menu's links.
            menu = page.locator("nav.notices-menu a").count()
            if first_content is None or first_content > 3 + menu + 1:
                problems.append((rel, "first content link at tab", first_content))
            # With the skip link (the first stop), the content's first link is the next Tab.
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            for n in range(1, 6):
                page.keyboard.press("Tab")
                info = page.evaluate(FOCUS)
                if info and info["inArticle"] and info["tag"] == "A":
                    break
            else:
                problems.append((rel, "no content link within 5 Tabs of the skip link"))
        page.close()
    assert problems == []


@browser_only
def test_axe_best_practice_rules_are_clean(sites):
    axe = AXE.read_text(encoding="utf-8")
    problems = []
    with serve(sites.site_dir) as base, chromium() as browser:
        page = browser.new_page()
        for rel in ("harbourview-family-clinic/", "harbourview-family-clinic/privacy/",
                    "harbourview-family-clinic/in-force/", "harbourview-family-clinic/es/privacy/v1/",
                    "harbourview-family-clinic/privacy/v4/changes/", "lux-aesthetics/hipaa/versions/"):
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            page.add_script_tag(content=axe)
            result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['best-practice', 'wcag2a', 'wcag2aa', 'wcag21aa']}})")
            problems += [f"{rel}: {v['id']}: {v['help']} — {v['nodes'][0]['target']}" for v in result["violations"]]
        page.close()
    assert problems == []


@browser_only
def test_printing_shows_the_clinic_and_no_site_links(sites):
    import io

    import pypdf

    with serve(sites.site_dir) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/harbourview-family-clinic/hipaa/", wait_until="networkidle")
        reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="Letter")))
        page.close()
    first = reader.pages[0].extract_text()
    whole = "\n".join(p.extract_text() for p in reader.pages)
    assert first.lstrip().startswith("Harbourview Family Clinic")
    for gone in ("Atom feed", "JSON feed", "Read this in", "Website Privacy Policy changes on", "PDF to print"):
        assert gone not in whole, gone


def test_header_and_footer_show_the_clinic_and_only_the_contact_its_data_states(sites):
    def footer(slug: str) -> BeautifulSoup:
        soup = BeautifulSoup((sites.site_dir / slug / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one(".notices-header__name").get_text(strip=True) == soup.find("h1").contents[0].strip()
        return soup.select_one("footer.notices-footer")

    harbour = footer("harbourview-family-clinic")
    assert harbour.find("a", href="https://harbourview.example.org/")
    assert harbour.find("a", href=re.compile(r"^tel:\+?\d+$"))
    smiles = footer("lux-smiles")  # its page names no phone, address or website: none is shown
    assert not smiles.find("a", href=re.compile("^tel:")) and not smiles.select(".notices-footer__address")
    assert [a["href"] for a in smiles.find_all("a")] == []
