"""Real MkDocs builds: addresses, branding, escaping, determinism, atomicity, no third-party requests."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.site.build import build
from generator.cli import main
from tests.conftest import MINIMAL, USES_COOKIES, tree_bytes

AS_OF = date(2026, 11, 22)
HOSTILE = '<script>alert(1)</script> **bold** [link](http://evil.example) & `code` # _x_'


def text_of(path: Path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    return " ".join(article.get_text(" ").split())


def test_us_clinic_gets_three_notices_at_stable_addresses(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + USES_COOKIES})
    build(project, as_of=AS_OF)
    site = project.site_dir / "t"
    for page in ["index.html", "privacy/index.html", "cookies/index.html", "hipaa/index.html",
                 "privacy/versions/index.html", "in-force/index.html", "versions.json"]:
        assert (site / page).is_file(), page


def test_canadian_clinic_gets_privacy_and_cookies_only(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace("country: US, region: CO", "country: CA, region: ON")
                            + USES_COOKIES})
    build(project, as_of=AS_OF)
    site = project.site_dir / "t"
    assert (site / "privacy/index.html").is_file() and (site / "cookies/index.html").is_file()
    assert not (site / "hipaa").exists()
    assert "Privacy Statement" in text_of(site / "privacy/index.html")


def test_every_page_links_to_every_notice(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + USES_COOKIES})
    build(project, as_of=AS_OF)
    site = project.site_dir / "t"
    for page in site.rglob("index.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        menu = soup.find("nav", class_="notices-menu")  # the clinic's header menu, on every page
        hrefs = {a["href"] for a in menu.find_all("a", href=True)}
        for notice in ("privacy", "cookies", "hipaa"):
            target = (site / notice / "index.html").resolve()
            assert any((page.parent / h).resolve() in (target, target.parent) for h in hrefs), (page, notice)


def test_hostile_clinic_text_shows_literally(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace("name: Test Clinic", f"name: '{HOSTILE}'")
                            + f"legal_name: '{HOSTILE}'\n"})
    build(project, as_of=AS_OF)
    for page in (project.site_dir / "t").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in html, page
        assert 'href="http://evil.example"' not in html, page
        assert "<strong>bold</strong>" not in html, page
    page = project.site_dir / "t" / "privacy" / "index.html"
    assert HOSTILE in text_of(page)
    title = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").title.get_text()
    assert "<script>" in title  # shown as text in the tab title, not run


def test_branding_colour_and_logo(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {primary_color: '#7A1B5E', logo: logo.svg}\n",
                            "clinics/t/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'})
    build(project, as_of=AS_OF)
    site = project.site_dir / "t"
    css = (site / "assets" / "brand.css").read_text()
    assert "--md-primary-fg-color: #7a1b5e;" in css
    assert (site / "assets" / "logo.svg").is_file()
    assert 'src="../assets/logo.svg"' in (site / "privacy" / "index.html").read_text()


def test_pale_brand_colour_is_not_used_for_link_text(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {primary_color: '#ffee88'}\n"})
    build(project, as_of=AS_OF)
    css = (project.site_dir / "t" / "assets" / "brand.css").read_text()
    assert "--md-typeset-a-color: #1b5e7a;" in css
    assert "--md-primary-bg-color: #000000;" in css


def test_two_builds_are_byte_identical(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "site_url: https://notices.example.org/t/\n"})
    build(project, as_of=AS_OF)
    first = tree_bytes(project.site_dir / "t")
    shutil.rmtree(project.site_dir)
    build(project, as_of=AS_OF)
    assert tree_bytes(project.site_dir / "t") == first
    assert "sitemap.xml" in first


def test_failed_build_leaves_the_previous_site(make_project, monkeypatch):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF)
    before = tree_bytes(project.site_dir / "t")

    import mkdocs.commands.build as mk

    def explode(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(mk, "build", explode)
    # --force: nothing changed since the first build, which an incremental build would skip.
    result = CliRunner().invoke(main, ["build", "--force", "--root", str(project.root)])
    assert result.exit_code == 1 and "disk full" in result.output
    assert tree_bytes(project.site_dir / "t") == before
    assert [p.name for p in project.site_dir.iterdir()] == ["t"]  # no temporary folder left behind


def test_build_only_named_clinics(make_project):
    project = make_project({"clinics/a/clinic.yaml": MINIMAL, "clinics/b/clinic.yaml": MINIMAL})
    result = CliRunner().invoke(main, ["build", "--root", str(project.root), "b"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in project.site_dir.iterdir()] == ["b"]


_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""", re.I)


def test_no_page_or_stylesheet_loads_a_third_party_resource(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    build(project, as_of=AS_OF)
    offenders = []
    for path in (project.site_dir / "t").rglob("*"):
        if path.suffix in (".html", ".css"):
            html = path.read_text(encoding="utf-8")
            # Outbound <a href> links are navigation, not requests; everything else must stay on site.
            stripped = re.sub(r"<a\s[^>]*>", "", html)
            offenders += [f"{path.name}: {m.group(0)}" for m in _EXTERNAL.finditer(stripped)]
    assert offenders == []
    assert "fonts.googleapis" not in (project.site_dir / "t" / "index.html").read_text()


def test_site_search_finds_each_text_once(make_project):
    """The site's search index holds the notice pages and the texts shown nowhere else (a scheduled
    version, a real change), but not archived versions nor the page that repeats the notice's text."""
    import json

    project = make_project(examples=True)
    build(project, ["harbourview-family-clinic"], as_of=AS_OF)
    site = project.site_dir / "harbourview-family-clinic"
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {"", "privacy/", "cookies/", "hipaa/", "privacy/versions/", "in-force/"} <= pages
    assert "privacy/v4/" in pages and "privacy/v4/changes/" in pages        # scheduled: its text is only there
    assert "privacy/v3/" not in pages and "privacy/v3/changes/" in pages    # in force: the notice page shows it
    assert "privacy/v1/" not in pages and "privacy/v2/changes/" not in pages  # archived
    assert "cookies/v1/changes/" not in pages                               # a first version changes nothing
    # Archived versions stay out of search engines; the others do not.
    assert 'content="noindex"' in (site / "privacy/v1/index.html").read_text(encoding="utf-8")
    assert 'content="noindex"' not in (site / "privacy/v3/index.html").read_text(encoding="utf-8")


def _same_sites_without(make_project, monkeypatch, module, flag: str, stat: str, at_least: int) -> None:
    """Every example site built with a speed-up and without it (`module.flag` False): the speed-up was
    used (`stat` grew by `at_least`) and the sites are byte-identical."""
    from generator.site import theme_cache

    project = make_project(examples=True)
    before = theme_cache.cache_stats()[stat]
    build(project, as_of=AS_OF)
    fast = tree_bytes(project.site_dir)
    assert theme_cache.cache_stats()[stat] >= before + at_least
    shutil.rmtree(project.site_dir)
    monkeypatch.setattr(module, flag, False)
    build(project, as_of=AS_OF)
    plain = tree_bytes(project.site_dir)
    assert fast.keys() == plain.keys()
    assert [name for name in plain if fast[name] != plain[name]] == []


def test_a_notice_text_converted_once_per_site_gives_the_same_bytes(make_project, monkeypatch):
    """A notice's page and the page of the version it shows hold the same text: the builder converts it
    once and reuses the HTML and headings (generator/site/builder.py). Every site must be byte-identical to
    converting every page in full, and the reuse must have happened."""
    from generator.site import parts as parts_mod

    _same_sites_without(make_project, monkeypatch, parts_mod, "REUSE_PARTS", "parts_reused", 10)


def test_blocks_written_as_html_put_in_place_unconverted_give_the_same_bytes(make_project, monkeypatch):
    """The banners, stamps, links and version cards are HTML that the builder puts in place without
    Markdown (generator/site/parts.py, RAW_START): every example site must be byte-identical to converting
    them, and many must have been put in place so."""
    from generator.site import parts as parts_mod

    _same_sites_without(make_project, monkeypatch, parts_mod, "RAW_PARTS", "raw_parts", 100)


def test_front_matter_parsed_once_per_text_gives_the_same_bytes(make_project, monkeypatch):
    """MkDocs parses each page's front matter with PyYAML; the builder gives it each distinct front matter
    parsed once (generator/site/parts.py, front_matter): the sites must be byte-identical to MkDocs' way."""
    from generator.site import parts as parts_mod

    _same_sites_without(make_project, monkeypatch, parts_mod, "FRONT_MEMO", "fronts_read_once", 100)


def test_frame_blocks_rendered_once_per_depth_give_the_same_bytes(make_project, monkeypatch):
    """The frame's blocks that read nothing of a page but its depth are rendered once per site and depth
    (generator/site/frame_memo.py): every example site must be byte-identical to rendering them on every
    page, and the memo must have served many of them."""
    from generator.site import frame_memo

    _same_sites_without(make_project, monkeypatch, frame_memo, "ENABLED", "frame_blocks_reused", 50)


def test_one_markdown_converter_per_site_gives_the_same_bytes(make_project, monkeypatch):
    """Pages of a site share one Markdown converter, reset between them (generator/site/one_markdown.py):
    every example site must be byte-identical to MkDocs' own way, a new converter per page."""
    from generator.site import one_markdown

    _same_sites_without(make_project, monkeypatch, one_markdown, "REUSE", "converters_reused", 50)


def test_a_marked_part_is_converted_again_where_reuse_could_differ(tmp_path, monkeypatch):
    """Relative links, a heading id numbered after one outside the part, a later heading that would
    nest under the part's last one: each page is converted in full, and the bytes stay the same."""
    from generator.site import parts as parts_mod
    from generator.site import theme_cache
    from generator.site.parts import PART_START, PART_END
    from generator.site.builder import Page, SiteSpec, base_config, build_site
    from tests.conftest import REPO

    def marked(text: str) -> str:
        return f"{PART_START}\n\n{text}\n\n{PART_END}\n"

    simple = marked("## Alpha\n\nText.\n\n### Beta\n\nMore.")
    relative = marked("## Gamma\n\nSee [page A](../a/index.md).")
    numbered = marked("## Delta\n\nText.")
    pages = (
        Page("index.md", "# Home\n\n" + simple + "\n## After\n", "Home"),
        Page("a/index.md", "# A\n\n" + simple + "\n## After\n"),          # reused
        Page("b/index.md", "# B\n\n" + relative),
        Page("c/deep/index.md", "# C\n\n" + relative),                     # a relative link: converted
        Page("d/index.md", "# D\n\n" + numbered),
        Page("e/index.md", "# E\n\n## Delta\n\n" + numbered),              # its Delta would be delta_1
        Page("f/index.md", "# F\n\n" + simple + "\n#### Deeper\n"),       # would nest under Beta
        Page("g/index.md", "# G\n\n" + numbered),                          # reused
        Page("h/index.md", "# H\n\n## Zeta\n\n" + marked("## Zeta")),        # its Zeta is zeta_1 here...
        Page("i/index.md", "# I\n\n" + marked("## Zeta")),                   # ...and zeta here
        Page("j/index.md", "# J\n\n" + simple + marked("## Omega\n\nText.")),  # one part reused, one not
        Page("k/index.md", "# K\n\n" + marked("## Alpha\n\nOther.") + simple),  # reused Alpha would be alpha_1
        Page("l/index.md", "# L\n\n" + marked("## Eta\n\nSee [the home page](../).")),
        Page("m/n/index.md", "# M\n\n" + marked("## Eta\n\nSee [the home page](../).")),  # as written: reused
        Page("o/index.md", "# O\n\n" + marked("## Theta\n\nSee [a](../a/index.md).")),
        Page("p/q/index.md", "# P\n\n" + marked("## Theta\n\nSee [a](../a/index.md).")),  # rewritten: not
    )
    spec = SiteSpec(name="T", lang="en", pages=pages, primary_color="#005a9c", link_color="#005a9c",
                    header_text_color="#ffffff")
    base = base_config(REPO / "mkdocs.yml")
    before = theme_cache.cache_stats()["parts_reused"]
    build_site(base, REPO / "templates" / "assets", spec, tmp_path / "reused")
    reused = theme_cache.cache_stats()["parts_reused"] - before
    monkeypatch.setattr(parts_mod, "REUSE_PARTS", False)
    build_site(base, REPO / "templates" / "assets", spec, tmp_path / "full")
    assert tree_bytes(tmp_path / "reused") == tree_bytes(tmp_path / "full")
    assert reused == 4  # a/, g/, the first part of j/, and m/n/ (a folder's address, as written)


def test_a_link_between_pages_is_written_as_mkdocs_writes_it():
    """pages.py writes the links between pages as the built site has them (so that the blocks holding
    them can be converted once): the same address MkDocs makes of a link to the page's source."""
    from mkdocs.utils import get_relative_url

    from generator.notices.pages import page_url
    from generator.site import parts

    sources = ["index.md", "privacy/index.md", "privacy/v2/index.md", "privacy/v2/changes/index.md",
               "in-force/index.md", "privacy/versions/index.md"]
    url = {s: s.removesuffix("index.md") for s in sources}
    for here in sources:
        for there in [*sources, "privacy/v2/privacy-v2.pdf"]:
            assert page_url(here, there) == get_relative_url(url.get(there, there), url[here]), (here, there)
    part = parts._Part("", [], frozenset(), ("../",))
    assert parts.names_a_file(part, "privacy/v2/index.md", {"privacy"})       # MkDocs would rewrite it here
    assert not parts.names_a_file(part, "privacy/v2/index.md", {"cookies"})


def test_a_base_without_folder_addresses_is_refused(tmp_path):
    """The links pages.py writes, and every address the notices publish, are folders (privacy/v2/)."""
    from generator.errors import NoticesError
    from generator.site.builder import base_config

    base = tmp_path / "mkdocs.yml"
    base.write_text("site_name: x\nuse_directory_urls: false\n", encoding="utf-8")
    with pytest.raises(NoticesError, match="use_directory_urls"):
        base_config(base)


def test_search_sections_cut_without_html_parser_give_the_same_bytes(make_project, monkeypatch):
    """Each searched page's HTML is cut into search sections by generator/site/search_sections.py rather
    than Material's html.parser-based parser: every example site, its search index included, must be
    byte-identical to Material's way, and most pages must have been cut so."""
    from generator.site import search_sections

    _same_sites_without(make_project, monkeypatch, search_sections, "ENABLED", "pages_cut_here", 20)
