"""Versions and drafts → the pages of one clinic's site, and its versions.json.

Pure: no file access beyond the templates. A published version's page is built from its frozen
content and its immutable record only, so later template or data edits cannot change it.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from markupsafe import Markup

from ..data.load import LoadedClinic, Project
from ..publishing.diff import diff, rewrite, to_markdown
from ..publishing.versions import Version, announced, in_force, scheduled, superseded_on
from ..site.builder import Page
from ..site.parts import PART_END, PART_START
from . import page_keys
from . import render as rendering
from .render import Rendered, environment


@dataclass(frozen=True)
class NoticeState:
    """Everything the site says about one notice on the build date."""

    notice: str
    title: str
    versions: list[Version]
    current: Version | None
    upcoming: list[Version]
    draft: Rendered

    @property
    def shown(self) -> Version | None:
        """The version the notice's main page shows: the one in force, else the first scheduled one."""
        return self.current or (self.upcoming[0] if self.upcoming else None)


def notice_states(loaded: LoadedClinic, versions: dict[str, list[Version]], drafts: dict[str, Rendered],
                  as_of: date) -> list[NoticeState]:
    states = []
    for notice in loaded.clinic.notices:
        vs = versions.get(notice, [])
        current = in_force(vs, as_of)
        shown_title = current.title if current else drafts[notice].title
        states.append(NoticeState(notice, shown_title, vs, current, scheduled(vs, as_of), drafts[notice]))
    return states


def announcements(states: list[NoticeState], as_of: date, days: int) -> list[tuple[NoticeState, Version]]:
    """Material changes to announce on every page: from publication until `days` after taking effect."""
    out = []
    for s in states:
        material = [v for v in s.versions if announced(v, as_of, days)]
        if material:
            out.append((s, material[-1]))
    return out


def _url(from_page: str, to_page: str) -> Markup:
    return Markup(posixpath.relpath(to_page, posixpath.dirname(from_page) or "."))


@functools.lru_cache(maxsize=4096)  # the same few pairs on every page of every clinic
def page_url(from_page: str, to_page: str) -> Markup:
    """The link from one page of the site to another page (its Markdown source, like privacy/index.md) or
    file, as the built site writes it: a page is its folder (privacy/), relative to the page linked
    from, as MkDocs writes a link to a page's source with `use_directory_urls` (builder.py requires it).
    Written out here, a link reads the same on every page at the same depth, so the blocks around a
    notice that hold links are converted once and reused (generator/site/parts.py)."""
    def address(path: str) -> str:
        if posixpath.basename(path) == "index.md":
            folder = posixpath.dirname(path)
            return f"{folder}/" if folder else ""
        return path

    target, here = address(to_page), address(from_page)
    relative = posixpath.relpath("/" + target, "/" + posixpath.dirname(here.rstrip("/") + "/x"))
    return Markup(relative + "/" if target.endswith("/") else relative)


def pdf_name(notice: str, version: Version) -> str:
    return f"{notice}-v{version.number}.pdf"


def original_name(version: Version) -> str:
    """Where an imported version's original file is offered on the site. An HTML original is offered as
    text: served as HTML from this site, the clinic's page would run its scripts here."""
    assert version.source is not None
    suffix = {"pdf": "pdf", "html": "html.txt", "text": "txt"}[version.source.format]
    return f"{version.notice}/v{version.number}/{version.notice}-v{version.number}-original.{suffix}"


def pdf_stamp(labels: dict, name: str, version: Version) -> str:
    """What every printed page of a version says about it."""
    effective = labels["date_format"].format(month=labels["months"][version.effective.month - 1],
                                             day=version.effective.day, year=version.effective.year)
    return f"{name} · {version.title} · {labels['site']['version']} {version.number} · {labels['site']['effective']} {effective}"


def localized(states: list[NoticeState], lang: str, drafts: dict[str, Rendered]) -> tuple[list[NoticeState], set]:
    """The states as a reader of `lang` sees them: each version in that language where it was published
    in it. Versions published before the language was added keep their first language, and are
    returned in the second value so that their pages can say so."""
    untranslated: set[tuple[str, int]] = set()

    def in_lang(v: Version) -> Version:
        text = v.text_in(lang)
        if text is None:
            untranslated.add((v.notice, v.number))
            return v
        return replace(v, lang=lang, title=text[0], content=text[1], translations=())

    out = []
    for s in states:
        versions = [in_lang(v) for v in s.versions]
        by_number = {v.number: v for v in versions}
        current = by_number[s.current.number] if s.current else None
        draft = drafts[s.notice]
        # The notice is named in the page's language: by its draft's title where the version in force was
        # published before the language was added.
        named = current.title if current and current.lang == lang else draft.title
        out.append(NoticeState(s.notice, named, versions, current,
                               [by_number[v.number] for v in s.upcoming], draft))
    return out, untranslated


def print_stamp(labels: dict, name: str, version: Version | None) -> Markup:
    """A page-margin box with the version stamp, so that every printed page carries it. Made in Python:
    the text goes into a CSS string, escaped for CSS, and Markdown leaves the <style> block alone."""
    if version is None:
        return Markup("")
    text = pdf_stamp(labels, name, version)
    css = "".join(c if c.isalnum() or c in " .,·:-" else f"\\{ord(c):06x}" for c in text)
    return Markup(f'<style media="print">@page {{ @bottom-left {{ content: "{css}"; font: 8pt sans-serif; }} }}</style>')


def lookup_form(labels: dict, root: str, lang_root: str, titles: dict[str, str]) -> Markup:
    """The in-force page's date form; notices.js answers it from versions.json (at the clinic's `root`),
    naming each notice by its title in the page's language and linking to the versions' pages in this
    language's site (`lang_root`). Escaped here, in Python, because Markdown leaves raw HTML as it is."""
    e = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    site = labels["site"]
    return Markup(
        f'<form class="in-force-lookup" data-versions="{e(root)}versions.json" data-root="{e(lang_root)}" '
        f'data-titles="{e(json.dumps(titles, ensure_ascii=False, sort_keys=True))}" '
        f'data-version="{e(site["version"])}" data-none="{e(site["lookup_none"])}">'
        f'<label for="in-force-date">{e(site["lookup_label"])}</label> '
        f'<input type="date" id="in-force-date" name="date" required> '
        f'<button type="submit" class="md-button">{e(site["lookup_button"])}</button></form>\n'
        f'<div id="in-force-result" aria-live="polite"></div>')


def lang_prefix(clinic_langs: list[str], lang: str) -> str:
    """Where a language's pages live inside the clinic's site: the first at the root, others in <lang>/."""
    return "" if lang == clinic_langs[0] else f"{lang}/"


def build_pages(project: Project, loaded: LoadedClinic, states: list[NoticeState], as_of: date,
                pdfs: bool = False, preview: bool = False, lang: str | None = None,
                drafts: dict[str, Rendered] | None = None) -> list[Page]:
    """Every page of the site in one language (the clinic's first by default). With `preview`, a notice
    whose data or templates now render differently from its published text shows that draft, under a
    DRAFT banner, instead of the published text."""
    clinic = loaded.clinic
    lang = lang or clinic.languages[0]
    untranslated: set = set()
    if drafts is not None:
        states, untranslated = localized(states, lang, drafts)
    env = environment(project.templates_dir, lang)
    labels = env.globals["L"]
    banners = announcements(states, as_of, clinic.notifications.banner_days)
    here = lang_prefix(clinic.languages, lang)

    def links(path: str) -> dict[str, Any]:
        """What a page's template may call: addresses from the page's place, and the version stamps."""
        def lang_url(other: str) -> Markup:
            # The same page in another language: a separate site beside this one, so a plain relative link.
            folder = posixpath.dirname(path)
            target = posixpath.join(lang_prefix(clinic.languages, other), folder) or "."
            return Markup(posixpath.relpath(target, posixpath.join(here, folder) or ".").rstrip("/") + "/")

        return dict(page=path, pdfs=pdfs, pdf_name=pdf_name, original_name=original_name, lang_url=lang_url,
                    print_stamp=lambda version: print_stamp(labels, clinic.name, version),
                    url=lambda target: page_url(path, target), summary_of=lambda v: summary_of(labels, v),
                    root_url=lambda target: _url(here + path, target), own_notice=None, notes="", draft=False)

    def render(template: str, path: str, **context: Any) -> str:
        return env.get_template(f"pages/{template}.md.j2").render(
            clinic=clinic, states=states, as_of=as_of, banners=banners, untranslated=untranslated,
            lookup_form=lambda: lookup_form(labels, _url(here + path, "x").removesuffix("x"),
                                            _url(path, "x").removesuffix("x"), {s.notice: s.title for s in states}),
            superseded_on=superseded_on, **{**links(path), **context})

    # The version and what-changed pages are rendered from a closed context of plain values, all of which
    # are in the page's key (page_keys.py): a build that kept the page's HTML need not write its Markdown.
    closed = {"clinic": ClinicNamed(clinic.name, tuple(clinic.languages)),
              "states": tuple(Named(s.notice, s.title) for s in states), "as_of": as_of,
              "banners": tuple((Named(st.notice, st.title), Shown(v.number, v.effective)) for st, v in banners)}
    templates = page_keys.templates_digest(project.templates_dir, once=not rendering.AUTO_RELOAD)
    site_key = (page_keys.code_digest(), templates, lang, here, pdfs, tuple(sorted(closed.items())))

    def frozen(template: str, path: str, state: NoticeState, version: Version, front: str,
               values: dict[str, Any], derived: Any = None) -> Page:
        """A page of `version` from the closed context, `values` (plain, in the key) and what `derived`
        makes of them (content, diff): written only when its Markdown is needed."""
        named = Named(state.notice, state.title)
        marks = tuple(u for u in untranslated if u == (state.notice, version.number))
        key = page_keys.key_of(site_key, template, path, named, version, marks, front, tuple(sorted(values.items())))

        def markdown() -> str:
            context = {**closed, **links(path), "state": named, "version": version, "untranslated": marks, **values}
            if derived is not None:
                context.update(derived())
            return front + env.get_template(f"pages/{template}.md.j2").render(**context)

        return Page(path, markdown, key=key)

    def changes_of(previous: Version | None, v: Version) -> Markup:
        # Both as shown: an imported text is compared in its escaped form, so the page shows it literally.
        compare = rewrite if previous and previous.imported else diff
        return Markup(to_markdown(compare(previous.markdown, v.markdown) if previous else [], labels["diff"]))

    def text_of(v: Version | None, markdown: str, by_section: bool) -> Markup:
        # A version shown in another language than the page's is marked so (a screen reader changes voice).
        body = marked(markdown, by_section)
        if v is not None and v.lang != lang:
            body = f"{LANG_START.format(lang=v.lang)}\n\n{body}\n{LANG_END}\n"
        return Markup(body)

    pages = [Page("index.md", _front(noindex=False, unsearched=False) + render("index", "index.md"),
                  labels["site"]["home"])]
    for s in states:
        main = f"{s.notice}/index.md"
        shown = s.shown
        if preview and shown and (shown.content != s.draft.markdown or shown.title != s.draft.title):
            shown = None  # the unpublished draft, under the DRAFT banner
        by_section = len(s.versions) > 1
        body = shown.markdown if shown else s.draft.markdown
        content = text_of(shown, body, by_section)
        pages.append(Page(main, _front(noindex=False, unsearched=False, toc=_long(body))
                          + render("notice", main, state=s, version=shown, content=content, own_notice=s.notice,
                                   title=shown.title if shown else s.draft.title), s.title))
        history = f"{s.notice}/versions/index.md"
        pages.append(Page(history, _front(noindex=False, unsearched=False) + render("history", history, state=s)))
        previous: Version | None = None
        for v in s.versions:
            path = f"{s.notice}/v{v.number}/index.md"
            until = superseded_on(s.versions, v)
            archived = until is not None and until <= as_of
            # An archived version stays at its address for the record, but search engines should not offer
            # it. The site's own search finds a version's text once: on the notice's page when shown there.
            front = _front(noindex=archived, unsearched=archived or (shown is not None and v.number == shown.number),
                           toc=_long(v.markdown))
            pages.append(frozen("version", path, s, v, front, {"until": until, "by_section": by_section},
                                lambda v=v, by_section=by_section: {"content": text_of(v, v.markdown, by_section)}))
            changes = f"{s.notice}/v{v.number}/changes/index.md"
            pages.append(frozen("changes", changes, s, v, _front(noindex=False, unsearched=archived or previous is None),
                                {"previous": previous}, lambda v=v, previous=previous: {"diff": changes_of(previous, v)}))
            previous = v

    pages.append(Page("in-force/index.md", _front(noindex=False, unsearched=False)
                      + render("in_force", "in-force/index.md"), labels["site"]["in_force_menu"]))
    return pages


@dataclass(frozen=True)
class Named:
    """A notice as the pages around a version name it: in a version page's closed context."""

    notice: str
    title: Any


@dataclass(frozen=True)
class ClinicNamed:
    """The clinic as a version page names it: by its name, with the languages its site is in."""

    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Shown:
    """A version as an announcement names it."""

    number: int
    effective: date


def marked(markdown: str, by_section: bool) -> str:
    """A notice's text marked as parts, which the site builder converts once per site: whole (its page
    and the page of the version it shows hold it), or by `## ` section (a notice's versions share most
    of their sections; each part costs a little, so only where there are several versions)."""
    if by_section:
        cuts = _sections_at(markdown)
        pieces = [markdown[a:b] for a, b in zip([0, *cuts], [*cuts, len(markdown)])]
    else:
        pieces = [markdown]
    chunks = [c.strip("\n") for c in pieces]
    return "".join(f"{PART_START}\n\n{chunk}\n\n{PART_END}\n\n" for chunk in chunks if chunk.strip())


def _sections_at(markdown: str) -> list[int]:
    """Where each line that begins with `## ` begins (found as text: a pattern anchored at line starts
    is tried at every character)."""
    at = [0] if markdown.startswith("## ") else []
    i = markdown.find("\n## ")
    while i != -1:
        at.append(i + 1)
        i = markdown.find("\n## ", i + 1)
    return at


def _front(*, noindex: bool, unsearched: bool, toc: bool = False) -> str:
    """Front matter: `robots: noindex` keeps a page out of search engines; `search: exclude` out of the
    site's own search (Material's search plugin), which then also skips reading the page; `hide` (Material)
    leaves out the navigation sidebar always and the "On this page" list but on long notices."""
    lines = ((["robots: noindex"] if noindex else []) + (["search:", "  exclude: true"] if unsearched else [])
             + ["hide: [navigation]" if toc else "hide: [navigation, toc]"])
    return "---\n" + "\n".join(lines) + "\n---\n\n"


# A notice with this many sections or more gets an "On this page" list.
LONG_NOTICE_SECTIONS = 6
# Around a text shown in another language than its page's; the site builder makes them a <div lang>.
LANG_START, LANG_END = "<!-- lang:{lang} -->", "<!-- /lang -->"


def _long(markdown: str) -> bool:
    return len(_sections_at(markdown)) >= LONG_NOTICE_SECTIONS


def summary_of(labels: dict, version: Version) -> str:
    """What a version's record says changed; a first version changed nothing, and its record's summary
    is the publisher's note (it may name the tool it was published with), so the site says so itself."""
    return labels["site"]["first_version_summary"] if version.number == 1 else version.summary


def versions_json(loaded: LoadedClinic, states: list[NoticeState], as_of: date) -> bytes:
    """Every notice and version with dates, hashes and addresses: the machine-readable archive."""
    notices = []
    for s in states:
        notices.append({
            "notice": s.notice,
            "url": f"{s.notice}/",
            "history_url": f"{s.notice}/versions/",
            "current": s.current.number if s.current else None,
            "scheduled": [v.number for v in s.upcoming],
            "versions": [{
                "number": v.number,
                "title": v.title,
                "lang": v.lang,
                "kind": v.kind,
                "effective": v.effective.isoformat(),
                "in_force_until": (u.isoformat() if (u := superseded_on(s.versions, v)) else None),
                "published": v.published.isoformat(),
                "approved_by": v.approved_by,
                "allow_findings": v.allow_findings,
                "summary": v.summary,
                "sha256": v.digest(),
                "url": f"{s.notice}/v{v.number}/",
                "changes_url": f"{s.notice}/v{v.number}/changes/",
                # Only on an imported version, so every other entry stays as it was.
                **({"source": {"origin": v.source.origin, "format": v.source.format, "sha256": v.source.sha256,
                               "bytes": v.source.bytes, "url": original_name(v)}} if v.source else {}),
            } for v in s.versions],
        })
    data = {"clinic": loaded.slug, "name": loaded.clinic.name, "as_of": as_of.isoformat(), "notices": notices}
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def site_chrome(loaded: LoadedClinic, labels: dict, feeds: list[dict[str, str]]) -> dict[str, Any]:
    """What the site's header and footer show (templates/theme/): the clinic's name and only the contact
    facts its data states, in plain values (the theme escapes them); `feeds`: this language's feeds."""
    clinic = loaded.clinic
    c = clinic.contact
    address = None
    if c.address:
        a = c.address
        address = [a.street + (f", {a.unit}" if a.unit else ""), f"{a.city}, {a.region} {a.postal_code}"]
    site = labels["site"]
    return {
        "clinic": clinic.name,
        "website": str(clinic.clinic_website) if clinic.clinic_website else None,
        "phone": c.phone,
        "tel": "tel:" + re.sub(r"[^0-9+]", "", c.phone) if c.phone else None,
        "address": address,
        "feeds": feeds,
        "words": {"menu": site["menu"], "phone": site["phone"], "website": site["website"], "follow": site["follow"]},
    }


def wants_search(states: list[NoticeState]) -> bool:
    """Search helps where a notice's history is long enough to hunt through; a few pages need a menu only."""
    return any(len(s.versions) >= SEARCH_FROM_VERSIONS for s in states)


SEARCH_FROM_VERSIONS = 3
