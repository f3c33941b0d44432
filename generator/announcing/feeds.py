"""Published versions → Atom and JSON feeds of a clinic's material changes. Pure: returns bytes, writes nothing.

Only material versions are announced: a technical version (a typo, a layout fix) changes nothing a
reader agreed to, and a feed that chirps on every rebuild teaches people to ignore it.

Every value here comes from the immutable version records, never from the build date or the current
data, so the same versions always give the same bytes, and an entry once read never changes its id.

Feeds are published only with the clinic's `site_url`: a feed reader, or a page that shows an entry,
needs absolute links (generator/checks/site.py tells a clinic without one what to set). Each language
of the site has its own feeds, titled in it; the Atom feeds carry an XSLT stylesheet (`feed.xsl`) so
that a patient who opens one in a browser sees a page, not XML.
"""

from __future__ import annotations

import html
import json
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


def feed_entries(loaded: LoadedClinic, versions: dict[str, list[Version]], lang: str | None = None,
                 labels: dict | None = None) -> list[Entry]:
    """Every material version of every notice, newest first by (published, notice, number). An imported
    version is not one: it records a notice already in force, which this site never announced. With
    `lang` and its `labels`, titles and summaries are in that language where the version has it, and
    addresses are those of that language's site."""
    lang = lang or loaded.clinic.languages[0]
    prefix = "" if lang == loaded.clinic.languages[0] else f"{lang}/"
    chosen = [v for notice in loaded.clinic.notices for v in versions.get(notice, []) if v.material and not v.imported]
    chosen.sort(key=lambda v: (v.published, v.notice, v.number), reverse=True)
    out = []
    for v in chosen:
        text = v.text_in(lang)
        title = text[0] if text else v.title
        summary = v.summary
        if labels is not None and v.number == 1:  # the record's note on a first version is not for patients
            summary = labels["site"]["first_version_summary"]
        out.append(Entry(id=entry_id(loaded.slug, v), notice=v.notice, notice_title=title, number=v.number,
                         summary=summary, effective=v.effective, published=v.published,
                         url=site_link(loaded, prefix + f"{v.notice}/v{v.number}/"),
                         changes_url=site_link(loaded, prefix + f"{v.notice}/v{v.number}/changes/")))
    return out


def _longdate(labels: dict | None, day: date) -> str:
    if labels is None:
        return long_date(day)
    return labels["date_format"].format(month=labels["months"][day.month - 1], day=day.day, year=day.year)


def _entry_title(loaded: LoadedClinic, e: Entry, labels: dict | None) -> str:
    """Clinic, notice and effective date: a reader's list of entries from many sites stays clear."""
    if labels is None:
        return e.title
    return labels["site"]["feed_entry"].format(clinic=loaded.clinic.name, notice=e.notice_title,
                                               date=_longdate(labels, e.effective))


def _content(e: Entry, labels: dict | None) -> str:
    if labels is None:
        return f"{e.summary}\n\n{effective_sentence(e.effective, e.published)}"
    key = "feed_took_effect" if e.effective <= e.published else "scheduled_banner"
    return f"{e.summary}\n\n{labels['site'][key].format(date=_longdate(labels, e.effective))}"


def _feed_title(loaded: LoadedClinic, entries: list[Entry], notice: str | None, labels: dict | None = None) -> str:
    if labels is not None:
        named = entries[0].notice_title if notice and entries else labels["site"]["feed_all"]
        return labels["site"]["feed_title"].format(clinic=loaded.clinic.name, notice=named)
    if notice is None:
        return f"{loaded.clinic.name}: privacy notice changes"
    named = entries[0].notice_title if entries else f"{notice} notice"
    return f"{loaded.clinic.name}: {named} changes"


def _feed_paths(notice: str | None, name: str, prefix: str = "") -> tuple[str, str]:
    """(the page the feed belongs to, the feed itself), relative to the clinic's site root."""
    folder = prefix + (f"{notice}/" if notice else "")
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


def atom(loaded: LoadedClinic, entries: list[Entry], notice: str | None = None, lang: str | None = None,
         labels: dict | None = None) -> bytes:
    """An Atom feed of `entries` (all notices, or only `notice`'s). ElementTree does all escaping."""
    entries = _only(entries, notice)
    clinic = loaded.clinic
    lang = lang or clinic.languages[0]
    prefix = "" if lang == clinic.languages[0] else f"{lang}/"
    home, path = _feed_paths(notice, "feed.xml", prefix)
    # The namespace as a plain attribute: ElementTree's default_namespace option refuses unprefixed
    # attributes (rel, href), and register_namespace would change a process-wide table.
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: lang})
    _sub(feed, "id", feed_id(loaded.slug, notice) + (f"/{lang}" if prefix else ""))
    _sub(feed, "title", _feed_title(loaded, entries, notice, labels))
    _sub(feed, "updated", rfc3339(entries[0].published if entries else NO_ENTRIES))
    _sub(_sub(feed, "author"), "name", clinic.name)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=site_link(loaded, path))
    _sub(feed, "link", rel="alternate", type="text/html", href=site_link(loaded, home))
    for e in entries:
        item = _sub(feed, "entry")
        _sub(item, "id", e.id + (f"/{lang}" if prefix else ""))
        _sub(item, "title", _entry_title(loaded, e, labels))
        # A version never changes after publishing, so it was last updated when it was published.
        _sub(item, "published", rfc3339(e.published))
        _sub(item, "updated", rfc3339(e.published))
        _sub(item, "link", rel="alternate", type="text/html", href=e.url)
        _sub(item, "link", rel="related", type="text/html",
             title=labels["site"]["changes"] if labels else "What changed", href=e.changes_url)
        _sub(item, "summary", e.summary, type="text")
        _sub(item, "content", _content(e, labels), type="text")
    ET.indent(feed)
    # A browser shows the feed through the stylesheet; a feed reader ignores it.
    style = f'<?xml-stylesheet type="text/xsl" href="{"../" if notice else ""}feed.xsl"?>\n'
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + style + ET.tostring(feed, encoding="unicode") + "\n").encode()


# --------------------------------------------------------------------------------------------------
# JSON Feed 1.1


def json_feed(loaded: LoadedClinic, entries: list[Entry], notice: str | None = None, lang: str | None = None,
              labels: dict | None = None) -> bytes:
    entries = _only(entries, notice)
    clinic = loaded.clinic
    lang = lang or clinic.languages[0]
    prefix = "" if lang == clinic.languages[0] else f"{lang}/"
    home, path = _feed_paths(notice, "feed.json", prefix)
    data: dict[str, object] = {"version": JSON_FEED_VERSION, "title": _feed_title(loaded, entries, notice, labels),
                               "home_page_url": site_link(loaded, home), "feed_url": site_link(loaded, path),
                               "language": lang, "authors": [{"name": clinic.name}]}
    data["items"] = [{
        "id": e.id + (f"/{lang}" if prefix else ""),
        "url": e.url,
        "external_url": e.changes_url,
        "title": _entry_title(loaded, e, labels),
        "summary": e.summary,
        "content_text": _content(e, labels),
        "date_published": rfc3339(e.published),
        "_notices": {"notice": e.notice, "version": e.number, "effective": e.effective.isoformat()},
    } for e in entries]
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def feed_files(loaded: LoadedClinic, versions: dict[str, list[Version]], lang: str | None = None,
               labels: dict | None = None) -> dict[str, bytes]:
    """Every feed of one language's site, by path under that site's root; none without site_url (their
    links could not be absolute)."""
    if loaded.clinic.site_url is None:
        return {}
    entries = feed_entries(loaded, versions, lang, labels)
    files = {"feed.xml": atom(loaded, entries, None, lang, labels), "feed.json": json_feed(loaded, entries, None, lang, labels)}
    for notice in loaded.clinic.notices:
        files[f"{notice}/feed.xml"] = atom(loaded, entries, notice, lang, labels)
        files[f"{notice}/feed.json"] = json_feed(loaded, entries, notice, lang, labels)
    if labels is not None:
        files["feed.xsl"] = feed_stylesheet(labels)
    return files


def feed_links(loaded: LoadedClinic, lang: str, labels: dict) -> list[dict[str, str]]:
    """The site-wide feeds of a language's site, for every page's head and footer (none without site_url)."""
    if loaded.clinic.site_url is None:
        return []
    prefix = "" if lang == loaded.clinic.languages[0] else f"{lang}/"
    title = _feed_title(loaded, [], None, labels)
    site = labels["site"]
    # `path`: from the language's site root, for the page's own links (the theme makes it relative: Material
    # fetches sitemap.xml beside every <link rel=alternate>, which must stay on this site's origin).
    return [{"type": "application/atom+xml", "href": site_link(loaded, prefix + "feed.xml"), "path": "feed.xml",
             "title": title, "label": site["atom_feed"]},
            {"type": "application/feed+json", "href": site_link(loaded, prefix + "feed.json"), "path": "feed.json",
             "title": title, "label": site["json_feed"]}]


def feed_stylesheet(labels: dict) -> bytes:
    """XSLT 1.0 that shows an Atom feed as a plain page in the site's language (browsers apply it)."""
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    site = labels["site"]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:a="http://www.w3.org/2005/Atom">
<xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
<xsl:template match="/a:feed">
<html lang="{{@xml:lang}}"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="a:title"/></title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#111}}
li{{margin:0 0 1rem}} .about{{padding:.6rem 1rem;border-left:.3rem solid #555;background:#f3f3f3}}</style></head>
<body><main><h1><xsl:value-of select="a:title"/></h1>
<p class="about">{e(site["feed_about"])}</p>
<p><a href="{{a:link[@rel='alternate']/@href}}">{e(site["feed_back"])}</a></p>
<ul><xsl:for-each select="a:entry"><li><a href="{{a:link[@rel='alternate']/@href}}"><xsl:value-of select="a:title"/></a><br/>
<xsl:value-of select="a:summary"/><xsl:text> </xsl:text><a href="{{a:link[@rel='related']/@href}}">{e(site["changes"])}</a></li></xsl:for-each></ul>
</main></body></html>
</xsl:template>
</xsl:stylesheet>
""".encode("utf-8")
