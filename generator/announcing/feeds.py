"""Published versions → Atom and JSON feeds of a clinic's material changes. Pure: returns bytes, writes nothing.

Only material versions are announced: a technical version (a typo, a layout fix) changes nothing a
reader agreed to, and a feed that chirps on every rebuild teaches people to ignore it.

Every value here comes from the immutable version records, never from the build date or the current
data, so the same versions always give the same bytes, and an entry once read never changes its id.
"""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from ..data.load import LoadedClinic
from ..publishing.versions import Version

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
TAG_AUTHORITY = "clinic-notices.invalid"
# Feed ids are minted once; the year is part of the name, not a date that moves.
FEED_ID_YEAR = "2026"
# An entry-less feed still needs an `updated`; a fixed date keeps the bytes deterministic.
NO_ENTRIES = date(1970, 1, 1)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


@dataclass(frozen=True)
class Entry:
    """One material version as a feed item. `url` and `changes_url` are absolute when site_url is set."""

    id: str
    notice: str
    notice_title: str
    number: int
    summary: str
    effective: date
    published: date
    url: str
    changes_url: str

    @property
    def title(self) -> str:
        return f"{self.notice_title}: version {self.number}"


# --------------------------------------------------------------------------------------------------
# Shared with notify.py: one place decides addresses, ids and the date wording.


def site_link(loaded: LoadedClinic, path: str) -> str:
    """`path` under the clinic's site: absolute when site_url is set, else relative to the site root."""
    base = loaded.clinic.site_url
    if base is None:
        return path
    # HttpUrl keeps a sub-path without its trailing slash; joining with urljoin would drop it.
    return str(base).rstrip("/") + "/" + path


def version_url(loaded: LoadedClinic, version: Version) -> str:
    return site_link(loaded, f"{version.notice}/v{version.number}/")


def changes_url(loaded: LoadedClinic, version: Version) -> str:
    return site_link(loaded, f"{version.notice}/v{version.number}/changes/")


def entry_id(slug: str, version: Version) -> str:
    # RFC 4151 tag URI. Built only from facts frozen at publishing, so it can never change.
    return f"tag:{TAG_AUTHORITY},{version.published.isoformat()}:{slug}/{version.notice}/v{version.number}"


def feed_id(slug: str, notice: str | None = None) -> str:
    return f"tag:{TAG_AUTHORITY},{FEED_ID_YEAR}:{slug}" + (f"/{notice}" if notice else "")


def long_date(day: date) -> str:
    # Spelled out rather than strftime("%B"), which follows the process locale.
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def effective_sentence(effective: date, published: date) -> str:
    """When a version applies, in the tense that fits: announced ahead, or already in force."""
    verb = "took" if effective <= published else "takes"
    return f"This version {verb} effect on {long_date(effective)}."


def rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


# --------------------------------------------------------------------------------------------------
# Entries


def feed_entries(loaded: LoadedClinic, versions: dict[str, list[Version]]) -> list[Entry]:
    """Every material version of every notice, newest first by (published, notice, number). An imported
    version is not one: it records a notice already in force, which this site never announced."""
    chosen = [v for notice in loaded.clinic.notices for v in versions.get(notice, []) if v.material and not v.imported]
    chosen.sort(key=lambda v: (v.published, v.notice, v.number), reverse=True)
    return [Entry(id=entry_id(loaded.slug, v), notice=v.notice, notice_title=v.title, number=v.number,
                  summary=v.summary, effective=v.effective, published=v.published,
                  url=version_url(loaded, v), changes_url=changes_url(loaded, v)) for v in chosen]


def _from_feed(url: str, notice: str | None) -> str:
    # Without site_url, links are relative; a per-notice feed lives one folder down, in <notice>/.
    if notice is None or "://" in url:
        return url
    return posixpath.relpath(url, notice) + "/"


def _feed_title(loaded: LoadedClinic, entries: list[Entry], notice: str | None) -> str:
    if notice is None:
        return f"{loaded.clinic.name}: privacy notice changes"
    named = entries[0].notice_title if entries else f"{notice} notice"
    return f"{loaded.clinic.name}: {named} changes"


def _feed_paths(notice: str | None, name: str) -> tuple[str, str]:
    """(the page the feed belongs to, the feed itself), relative to the site root."""
    folder = f"{notice}/" if notice else ""
    return folder, folder + name


def _only(entries: list[Entry], notice: str | None) -> list[Entry]:
    return [e for e in entries if notice is None or e.notice == notice]


# --------------------------------------------------------------------------------------------------
# Atom 1.0 (RFC 4287)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def atom(loaded: LoadedClinic, entries: list[Entry], notice: str | None = None) -> bytes:
    """An Atom feed of `entries` (all notices, or only `notice`'s). ElementTree does all escaping."""
    entries = _only(entries, notice)
    clinic = loaded.clinic
    home, path = _feed_paths(notice, "feed.xml")
    # The namespace as a plain attribute: ElementTree's default_namespace option refuses unprefixed
    # attributes (rel, href), and register_namespace would change a process-wide table.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: clinic.languages[0]})
    _sub(feed, "id", feed_id(loaded.slug, notice))
    _sub(feed, "title", _feed_title(loaded, entries, notice))
    _sub(feed, "updated", rfc3339(entries[0].published if entries else NO_ENTRIES))
    _sub(_sub(feed, "author"), "name", clinic.name)
    if clinic.site_url:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=site_link(loaded, path))
        _sub(feed, "link", rel="alternate", type="text/html", href=site_link(loaded, home))
    else:
        _sub(feed, "link", rel="alternate", type="text/html", href="./")
    _sub(feed, "generator", "clinic-notices")
    for e in entries:
        item = _sub(feed, "entry")
        _sub(item, "id", e.id)
        _sub(item, "title", e.title)
        # A version never changes after publishing, so it was last updated when it was published.
        _sub(item, "published", rfc3339(e.published))
        _sub(item, "updated", rfc3339(e.published))
        _sub(item, "link", rel="alternate", type="text/html", href=_from_feed(e.url, notice))
        _sub(item, "link", rel="related", type="text/html", title="What changed",
             href=_from_feed(e.changes_url, notice))
        _sub(item, "summary", e.summary, type="text")
        _sub(item, "content", f"{e.summary}\n\n{effective_sentence(e.effective, e.published)}", type="text")
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


# --------------------------------------------------------------------------------------------------
# JSON Feed 1.1


def json_feed(loaded: LoadedClinic, entries: list[Entry], notice: str | None = None) -> bytes:
    entries = _only(entries, notice)
    clinic = loaded.clinic
    home, path = _feed_paths(notice, "feed.json")
    data: dict[str, object] = {"version": JSON_FEED_VERSION, "title": _feed_title(loaded, entries, notice)}
    if clinic.site_url:
        data["home_page_url"] = site_link(loaded, home)
        data["feed_url"] = site_link(loaded, path)
    data["language"] = clinic.languages[0]
    data["authors"] = [{"name": clinic.name}]
    data["items"] = [{
        "id": e.id,
        "url": _from_feed(e.url, notice),
        "external_url": _from_feed(e.changes_url, notice),
        "title": e.title,
        "summary": e.summary,
        "content_text": f"{e.summary}\n\n{effective_sentence(e.effective, e.published)}",
        "date_published": rfc3339(e.published),
        "_notices": {"notice": e.notice, "version": e.number, "effective": e.effective.isoformat()},
    } for e in entries]
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def feed_files(loaded: LoadedClinic, versions: dict[str, list[Version]]) -> dict[str, bytes]:
    """Every feed of a clinic's site, by path under the site root."""
    entries = feed_entries(loaded, versions)
    files = {"feed.xml": atom(loaded, entries), "feed.json": json_feed(loaded, entries)}
    for notice in loaded.clinic.notices:
        files[f"{notice}/feed.xml"] = atom(loaded, entries, notice)
        files[f"{notice}/feed.json"] = json_feed(loaded, entries, notice)
    return files
