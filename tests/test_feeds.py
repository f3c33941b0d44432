"""Atom and JSON feeds of material changes: parsed back with feedparser, ids stable, bytes deterministic."""

from __future__ import annotations

import json
from datetime import date, datetime

import feedparser
import jsonschema
import pytest

from generator.errors import NoticesError
from generator.announcing.feeds import atom, feed_entries, feed_files, json_feed
from generator.data.load import LoadedClinic, Project, load_clinics
from generator.notices.render import render_notice
from generator.publishing.versions import Version, load_versions
from generator.publishing.writing import publish
from tests.conftest import MINIMAL, USES_COOKIES

SITE = "https://notices.example.org/test/"
WITH_URL = MINIMAL + USES_COOKIES + f"site_url: {SITE}\n"
D1, D2, D3, D4 = date(2026, 1, 10), date(2026, 3, 1), date(2026, 4, 2), date(2026, 5, 1)

# What JSON Feed 1.1 requires (https://www.jsonfeed.org/version/1.1/), plus our extension's shape.
JSON_FEED_REQUIRED = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": {"type": "string"},
        "feed_url": {"type": "string"},
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["id"],
            "anyOf": [{"required": ["content_text"]}, {"required": ["content_html"]}],
            "properties": {
                "id": {"type": "string"}, "url": {"type": "string"}, "external_url": {"type": "string"},
                "title": {"type": "string"}, "content_text": {"type": "string"},
                "date_published": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"},
                "_notices": {"type": "object", "required": ["notice", "version", "effective"]},
            },
        }},
    },
}


def draft(project: Project, loaded: LoadedClinic, notice: str) -> tuple[str, str]:
    """The notice as the templates render it; a stand-in if the templates are mid-edit."""
    try:
        rendered = render_notice(project, loaded, notice)
        return rendered.title, rendered.markdown
    except NoticesError:
        return f"{notice.title()} Notice", f"About {notice}.\n\n## Who we are\n\nA clinic.\n"


def release(project: Project, loaded: LoadedClinic, notice: str, today: date, effective: date | None,
            extra: str = "", *, technical: bool = False, summary: str = "We explain parking.") -> Version:
    title, text = draft(project, loaded, notice)
    existing = load_versions(project, loaded.slug, [notice])[notice]
    return publish(project, loaded.slug, existing, notice, "en", title, text + extra, effective=effective,
                   today=today, summary=summary, approved_by="Pat Lee", technical=technical)


def setup_history(project: Project) -> LoadedClinic:
    """privacy v1 (D1), cookies v1 (D1), privacy v2 (D2, effective later), privacy v3 technical (D3)."""
    [loaded] = load_clinics(project, ["t"])
    release(project, loaded, "privacy", D1, D1, summary="First version.")
    release(project, loaded, "cookies", D1, D1, summary="First version.")
    release(project, loaded, "privacy", D2, date(2026, 4, 1), "\n## Parking\n\nWe keep no plates.\n")
    release(project, loaded, "privacy", D3, None, "\nA typo fixed.\n", technical=True, summary="Typo.")
    return loaded


@pytest.fixture
def history(make_project):
    project = make_project({"clinics/t/clinic.yaml": WITH_URL})
    loaded = setup_history(project)
    return project, loaded, load_versions(project, "t", loaded.clinic.notices)


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def links(entry) -> dict[str, str]:
    return {link.rel: link.href for link in entry.links}


def test_atom_entries_have_ids_titles_links_and_dates(history):
    _, loaded, versions = history
    feed = parse(feed_files(loaded, versions)["feed.xml"])
    assert feed.version == "atom10"
    assert feed.feed.id == "tag:clinic-notices.invalid,2026:t"
    assert feed.feed.title == "Test Clinic: privacy notice changes"
    assert feed.feed.updated == "2026-03-01T00:00:00Z"  # the newest entry, never the build time
    assert links(feed.feed)["self"] == SITE + "feed.xml"
    assert [e.id for e in feed.entries] == [
        "tag:clinic-notices.invalid,2026-03-01:t/privacy/v2",
        "tag:clinic-notices.invalid,2026-01-10:t/privacy/v1",
        "tag:clinic-notices.invalid,2026-01-10:t/cookies/v1",
    ]
    newest = feed.entries[0]
    title = versions["privacy"][1].title
    assert newest.title == f"{title}: version 2"
    assert links(newest) == {"alternate": SITE + "privacy/v2/", "related": SITE + "privacy/v2/changes/"}
    assert newest.summary == "We explain parking."
    assert "takes effect on April 1, 2026" in newest.content[0].value
    assert newest.published == "2026-03-01T00:00:00Z"
    assert "took effect on January 10, 2026" in feed.entries[1].content[0].value


def test_technical_versions_stay_out(history):
    _, loaded, versions = history
    entries = feed_entries(loaded, versions)
    assert versions["privacy"][2].kind == "technical"
    assert [(e.notice, e.number) for e in entries] == [("privacy", 2), ("privacy", 1), ("cookies", 1)]
    for name, data in feed_files(loaded, versions).items():
        assert b"/v3" not in data, name


def test_per_notice_feeds_hold_only_their_notice(history):
    _, loaded, versions = history
    files = feed_files(loaded, versions)
    assert sorted(files) == sorted(["feed.xml", "feed.json"] + [f"{n}/feed.{x}" for n in ("privacy", "cookies", "hipaa")
                                                               for x in ("xml", "json")])
    privacy = parse(files["privacy/feed.xml"])
    assert privacy.feed.id == "tag:clinic-notices.invalid,2026:t/privacy"
    assert [e.id.rsplit(":", 1)[1] for e in privacy.entries] == ["t/privacy/v2", "t/privacy/v1"]
    assert links(privacy.feed)["self"] == SITE + "privacy/feed.xml"
    cookies = json.loads(files["cookies/feed.json"])
    assert [i["_notices"]["notice"] for i in cookies["items"]] == ["cookies"]
    empty = parse(files["hipaa/feed.xml"])  # no versions yet: a valid, empty feed
    assert empty.entries == [] and empty.feed.updated == "1970-01-01T00:00:00Z"


def test_ids_do_not_change_when_a_later_version_is_published(history):
    project, loaded, versions = history
    before = {e.id: (e.published, links(e)) for e in parse(feed_files(loaded, versions)["feed.xml"]).entries}
    release(project, loaded, "privacy", D4, D4, "\n## Security\n\nLocked cabinets.\n", summary="Security.")
    later = load_versions(project, "t", loaded.clinic.notices)
    after = {e.id: (e.published, links(e)) for e in parse(feed_files(loaded, later)["feed.xml"]).entries}
    assert set(after) - set(before) == {"tag:clinic-notices.invalid,2026-05-01:t/privacy/v4"}
    assert all(after[i] == before[i] for i in before)


def test_json_feed_has_the_required_keys(history):
    _, loaded, versions = history
    data = json.loads(feed_files(loaded, versions)["feed.json"])
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "Test Clinic: privacy notice changes"
    assert data["home_page_url"] == SITE and data["feed_url"] == SITE + "feed.json"
    assert len(data["items"]) == 3
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["id"].startswith("tag:")
        assert item["content_text"] and item["title"]
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None  # RFC 3339 with zone
        assert item["external_url"] == item["url"] + "changes/"
        assert set(item["_notices"]) == {"notice", "version", "effective"}
    first = data["items"][0]
    assert first["url"] == SITE + "privacy/v2/"
    assert first["_notices"] == {"notice": "privacy", "version": 2, "effective": "2026-04-01"}
    jsonschema.validate(data, JSON_FEED_REQUIRED)  # feedparser 6.0 does not read JSON Feed


def test_same_input_same_bytes(history):
    project, loaded, versions = history
    again = load_versions(project, "t", loaded.clinic.notices)
    assert feed_files(loaded, versions) == feed_files(loaded, again)


def test_no_feed_without_site_url(make_project):
    """A feed is read away from the site: without site_url its links could not be absolute, so there is
    none (and SITE-01 says what to set)."""
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    loaded = setup_history(project)
    versions = load_versions(project, "t", loaded.clinic.notices)
    assert feed_files(loaded, versions) == {}


def test_feeds_in_each_language_with_titles_naming_clinic_notice_and_date(history):
    from generator.notices.render import environment

    project, loaded, versions = history
    labels = environment(project.templates_dir, "es").globals["L"]
    files = feed_files(loaded, versions, "es", labels)
    feed = feedparser.parse(files["feed.xml"])
    title = feed.entries[0].title
    assert loaded.clinic.name in title and "vigente desde el" in title
    assert all(link.startswith("https://") for e in feed.entries for link in (e.link,))
    assert b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' in files["feed.xml"]
    assert b"xsl:stylesheet" in files["feed.xsl"]


def test_clinic_text_is_escaped_by_the_xml_writer(make_project):
    hostile = '<script>x</script> & "Co" ]]>'
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace("Test Clinic", f"'{hostile}'")})
    [loaded] = load_clinics(project, ["t"])
    release(project, loaded, "privacy", D1, D1, summary="Ours & <b>yours</b>")
    versions = load_versions(project, "t", loaded.clinic.notices)
    data = atom(loaded, feed_entries(loaded, versions))
    assert b"<script>" not in data
    feed = parse(data)
    assert feed.feed.title == f"{hostile}: privacy notice changes"
    assert feed.entries[0].summary == "Ours & <b>yours</b>"
    assert json.loads(json_feed(loaded, feed_entries(loaded, versions)))["authors"] == [{"name": hostile}]
