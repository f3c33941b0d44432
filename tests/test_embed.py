"""Embeddable notices: self-contained, escaped, stamped with their version, linked to their archive."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from generator.site.prepare import prepare
from generator.announcing.embed import EMBED_CLASS, embed_files, embed_fragments, link_snippet
from generator.notices.pages import NoticeState
from generator.publishing.writing import publish
from tests.conftest import MINIMAL, USES_COOKIES

AS_OF = date(2026, 11, 22)
HOSTILE = "<script>x</script>"
SITE = "https://notices.example.org/t/"


def project_with(make_project, extra: str = "", name: str = "Test Clinic"):
    text = MINIMAL.replace("name: Test Clinic", f"name: '{name}'") + USES_COOKIES + extra
    return make_project({"clinics/t/clinic.yaml": text})


def publish_all(project, effective: date, today: date = date(2026, 1, 5)) -> None:
    (p,) = prepare(project, ["t"], today)
    for notice, draft in p.drafts.items():
        publish(project, "t", p.versions[notice], notice, draft.lang, draft.title, draft.markdown,
                effective=effective, today=today, summary="First version.", approved_by="A. Officer",
                technical=False)


def fragments(project, as_of: date = AS_OF) -> dict[str, str]:
    (p,) = prepare(project, ["t"], as_of)
    return {k: v.decode("utf-8") for k, v in embed_fragments(project, p, as_of).items()}


def test_one_fragment_per_notice_stamped_with_the_version_in_force(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    frags = fragments(project)
    assert sorted(frags) == ["embed/cookies.html", "embed/hipaa.html", "embed/privacy.html"]
    soup = BeautifulSoup(frags["embed/privacy.html"], "html.parser")
    root = soup.find("div", class_=EMBED_CLASS)
    assert root is not None and root.find("h2").get_text() == "Website Privacy Policy"
    assert "Version 1 · In effect from February 1, 2026" in root.get_text()
    assert not root.find("h1")  # the body's headings sit below the fragment's title
    archive = root.find("a", string="Version history")
    assert archive["href"] == SITE + "privacy/versions/"


def test_no_fragment_or_footer_link_without_a_site_url(make_project):
    """Pasted into the clinic's own website, a relative link would point at that website: without
    site_url there are no embeds (SITE-01 says what to set)."""
    from generator.announcing.embed import embed_files

    project = project_with(make_project)
    publish_all(project, effective=date(2026, 2, 1))
    (p,) = prepare(project, ["t"], AS_OF)
    assert not [name for name in embed_files(project, p, AS_OF) if not name.startswith("embed/consent")]


def test_heading_ids_cannot_clash_with_the_host_page(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    soup = BeautifulSoup(fragments(project)["embed/privacy.html"], "html.parser")
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert ids and all(i.startswith(f"{EMBED_CLASS}-privacy-") for i in ids)


def test_scheduled_version_is_shown_with_its_date_and_a_draft_is_marked(make_project):
    project = project_with(make_project)
    frags = fragments(project)
    text = BeautifulSoup(frags["embed/privacy.html"], "html.parser").get_text(" ")
    assert "Draft" in text and "Version 1" not in text

    publish_all(project, effective=date(2027, 3, 1), today=AS_OF)
    text = BeautifulSoup(fragments(project)["embed/privacy.html"], "html.parser").get_text(" ")
    assert "Version 1 · In effect from March 1, 2027" in text
    assert "takes effect on March 1, 2027" in text and "Draft" not in text


def test_fragment_is_self_contained_and_escapes_clinic_text(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n", name=HOSTILE)
    publish_all(project, effective=date(2026, 2, 1))
    for name, frag in fragments(project).items():
        assert not re.search(r"<\s*script", frag, re.IGNORECASE), name
        assert "&lt;script&gt;x&lt;/script&gt;" in frag, name  # the clinic's name, shown as text
        assert not re.search(r"<\s*(html|head|body|link|iframe|img|nav|header|footer)\b", frag, re.IGNORECASE), name
        assert not re.search(r"\bsrc\s*=|@import|url\(", frag, re.IGNORECASE), name
        soup = BeautifulSoup(frag, "html.parser")
        (root,) = soup.find_all(recursive=False)  # one element: the whole fragment
        assert EMBED_CLASS in root["class"]
        style = root.find("style").get_text()
        rules = [r.split("{")[0] for r in style.split("}") if r.strip()]
        assert rules and all(sel.strip().startswith(f".{EMBED_CLASS}") for rule in rules for sel in rule.split(","))
        for a in soup.find_all("a", href=True):
            parts = urlsplit(a["href"])
            assert parts.scheme in ("", "mailto", "tel", "https"), a
            if parts.scheme == "https":
                assert parts.netloc == "notices.example.org", a  # no other host


def test_fragments_are_deterministic(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    assert fragments(project) == fragments(project)


def test_link_snippet_points_at_the_notice_and_escapes(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    (p,) = prepare(project, ["t"], AS_OF)
    privacy = p.states[0]
    assert link_snippet(p.loaded, privacy) == \
        f'<a href="{SITE}privacy/">Website Privacy Policy · updated 2026-02-01</a>'
    assert link_snippet(p.loaded, privacy, project=project).endswith("· updated February 1, 2026</a>")

    hostile = NoticeState("privacy", '<b>"Notice"</b> & co', privacy.versions, privacy.current, [], privacy.draft)
    snippet = link_snippet(p.loaded, hostile)
    assert "<b>" not in snippet and "&lt;b&gt;" in snippet and "&amp; co" in snippet

    other = make_project({"clinics/u/clinic.yaml": MINIMAL + "site_url: https://notices.example.org/a&b'c\n"})
    (p,) = prepare(other, ["u"], AS_OF)
    snippet = link_snippet(p.loaded, p.states[0])
    assert snippet == '<a href="https://notices.example.org/a&amp;b&#x27;c/privacy/">Website Privacy Policy</a>'


def test_embed_files_hold_the_fragments_and_the_footer_links(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    (p,) = prepare(project, ["t"], AS_OF)
    files = embed_files(project, p, AS_OF)
    assert sorted(files) == ["embed/cookies-link.html", "embed/cookies.html", "embed/hipaa-link.html",
                             "embed/hipaa.html", "embed/privacy-link.html", "embed/privacy.html"]
    assert files["embed/privacy-link.html"].decode() == \
        f'<a href="{SITE}privacy/">Website Privacy Policy · updated February 1, 2026</a>\n'


def test_a_build_takes_the_embeds_from_the_notice_pages_unchanged(make_project, monkeypatch):
    """A build converts each notice once: its embed is cut from the notice page's HTML, and is the same
    as an embed converted on its own (the way a preview makes it)."""
    from generator.announcing import embed
    from generator.site.build import build
    from generator.site.parts import PART_START

    project = make_project(examples=True)
    slugs = project.slugs()

    def no_second_conversion(*_args, **_kwargs):
        raise AssertionError("a build converted a notice again for its embed")

    with monkeypatch.context() as m:
        m.setattr(embed, "markdown_to_html", no_second_conversion)
        build(project, as_of=AS_OF)
    for p in prepare(project, slugs, AS_OF):
        if p.loaded.clinic.site_url is None:
            continue  # no embeds without site_url (SITE-01)
        alone = embed_files(project, p, AS_OF)
        site = project.site_dir / p.loaded.slug
        built = {name: (site / name).read_bytes() for name in alone}
        assert built == alone, p.loaded.slug
        page = (site / "privacy" / "index.html").read_text(encoding="utf-8")
        assert PART_START in page and PART_START.encode() not in built["embed/privacy.html"]


def test_the_other_notices_are_linked_absolutely(make_project):
    project = project_with(make_project, f"site_url: {SITE}\n")
    publish_all(project, effective=date(2026, 2, 1))
    soup = BeautifulSoup(fragments(project)["embed/privacy.html"], "html.parser")
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert {SITE + "cookies/", SITE + "hipaa/"} <= hrefs
    assert all(h.startswith(("https://", "tel:", "mailto:", "#")) for h in hrefs), hrefs
