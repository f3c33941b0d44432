"""Notices for pasting into another website: self-contained HTML fragments, and a footer link.

`embed_fragments` gives `embed/<notice>.html` for each notice of a clinic: the notice as one `<div>`
with its title, version stamp, body and a link to its version history, styled by a small inline style
sheet whose every rule is scoped under `.clinic-notice-embed`. No scripts, no external resources, no
site navigation: safe to paste into a CMS's HTML block. The bytes depend only on the input.

The body is the HTML of the notice's own page, as the site builder converted it (so a notice's text
is converted once per build, not once for the page and again here): its marked parts (see
generator/site/builder.py) without the markers, with the permalink anchors removed, headings one level down and
relative links made absolute. Without a built page (a preview, a test) the body is converted from
its Markdown with the site's extensions, then adapted the same way. Either way the Markdown was
escaped by the templates (clinic text shows as text), and a published version's body is its frozen
text, exactly as on the site.

Pure: reads the templates' labels, writes nothing.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urljoin, urlsplit

import markdown

from ..data.load import LoadedClinic, Project
from ..notices.render import environment
from ..publishing.versions import Version, in_force, scheduled
from ..site.parts import marked_parts, without_markers

if TYPE_CHECKING:  # build.py may import this module to add the fragments to a site
    from ..notices.pages import NoticeState
    from ..site.prepared import Prepared

EMBED_CLASS = "clinic-notice-embed"
# newnotices: a notice whose link the law puts on the clinic's homepage says so in its link snippet.
HOMEPAGE = {"chd": "Place this link prominently on your website's homepage: Washington's My Health My Data "
                   "Act requires it there (RCW 19.373.020(1)(b))."}
EMBED_DIR = "embed"
MARKDOWN_EXTENSIONS = ["toc", "tables", "attr_list", "md_in_html", "admonition"]  # as in mkdocs.yml
MARKDOWN_CONFIGS = {"toc": {"permalink": True}}

# Every selector starts with the embed's class, so nothing leaks into the page it is pasted into. The
# colours come from the host page (`currentColor`, inherit), except the clinic's validated #rrggbb.
_CSS = """\
.{c}{{max-width:48rem;line-height:1.55;overflow-wrap:break-word}}
.{c} h2{{margin:0 0 .3em;line-height:1.25}}
.{c} h3,.{c} h4,.{c} h5,.{c} h6{{margin:1.6em 0 .5em;line-height:1.3}}
.{c} .{c}__stamp{{margin:0 0 1.5em;font-size:.875em;opacity:.8}}
.{c} .{c}__note,.{c} .admonition{{margin:1em 0;padding:.6em 1em;border-left:4px solid {primary}}}
.{c} .{c}__note--draft{{border-left-color:#b00020}}
.{c} .admonition-title{{margin:0 0 .3em;font-weight:bold}}
.{c} table{{display:block;max-width:100%;overflow-x:auto;border-collapse:collapse}}
.{c} th,.{c} td{{padding:.35em .6em;border:1px solid rgba(127,127,127,.45);text-align:left;vertical-align:top}}
.{c} .{c}__archive{{margin:2em 0 0;font-size:.875em}}
"""


def embed_fragments(project: Project, prepared: Prepared, as_of: date,
                    pages: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """`embed/<notice>.html` → the fragment, for every notice of the clinic, in site order.

    Each shows the version in force on `as_of`, else the first scheduled one, else the unpublished
    draft, marked as a draft: what the notice's own page shows. `pages` maps `<notice>/index.md` to
    the HTML the site builder made of that page; without it, bodies are converted here. The archive
    link is absolute when the clinic has a `site_url`, else relative to the fragment's own place in
    the site (`../<notice>/versions/`)."""
    loaded = prepared.loaded
    out: dict[str, bytes] = {}
    for notice in loaded.clinic.notices:
        versions = prepared.versions.get(notice, [])
        current = in_force(versions, as_of)
        upcoming = scheduled(versions, as_of)
        version = current or (upcoming[0] if upcoming else None)
        draft = prepared.drafts[notice]
        page = (pages or {}).get(f"{notice}/index.md")
        out[f"{EMBED_DIR}/{notice}.html"] = fragment(
            project, loaded, notice,
            title=version.title if version else draft.title,
            lang=version.lang if version else draft.lang,
            body=version.markdown if version else draft.markdown,
            version=version, in_force_now=current is not None,
            page_html=page, coming=next((v for v in upcoming if v != version), None),
            others=[(s.title, s.notice) for s in prepared.states if s.notice != notice],
        ).encode("utf-8")
    return out


def embed_files(project: Project, prepared: Prepared, as_of: date,
                pages: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """What a build adds to the site for pasting elsewhere: `embed/<notice>.html` (the fragments) and
    `embed/<notice>-link.html` (the footer link of `link_snippet`), for every notice, and the consent
    manager for the clinic's own website (generator/announcing/consent.py). `pages`: as for `embed_fragments`."""
    from .consent import (
        consent_files,  # it imports render, as this module does; kept apart for clarity
    )

    files = consent_files(project, prepared, as_of)
    if prepared.loaded.clinic.site_url is None:
        return dict(sorted(files.items()))  # pasted elsewhere, relative links would point there: see SITE-01
    files.update(embed_fragments(project, prepared, as_of, pages))
    for state in prepared.states:
        snippet = link_snippet(prepared.loaded, state, project=project)
        if state.notice in HOMEPAGE:  # newnotices: where the law puts this link (CHD-02)
            snippet = f"<!-- {HOMEPAGE[state.notice]} -->\n{snippet}"
        files[f"{EMBED_DIR}/{state.notice}-link.html"] = (snippet + "\n").encode("utf-8")
    return dict(sorted(files.items()))


def page_paths(prepared: Prepared) -> list[str]:
    """The pages whose HTML `embed_files` can use: each notice's own page."""
    return [f"{notice}/index.md" for notice in prepared.loaded.clinic.notices]


def fragment(project: Project, loaded: LoadedClinic, notice: str, *, title: str, lang: str, body: str,
             version: Version | None, in_force_now: bool, page_html: str | None = None,
             coming: Version | None = None, others: list[tuple[str, str]] | None = None) -> str:
    """One notice as an HTML fragment (see `embed_fragments`). `body` is its Markdown; `page_html`, if
    given, the site's page showing that body, whose HTML is then used instead of converting it."""
    env = environment(project.templates_dir, lang)
    labels: Any = env.globals["L"]
    site = labels["site"]
    longdate = env.filters["longdate"]
    clinic = loaded.clinic
    base = _site_base(loaded)
    page_url = urljoin(base, f"{notice}/") if base else None
    archive = urljoin(base, f"{notice}/versions/") if base else f"../{notice}/versions/"
    e = html.escape

    parts = [
        f'<div class="{EMBED_CLASS}" lang="{e(lang)}" data-notice="{e(notice)}"'
        + (f' data-version="{version.number}"' if version else ' data-version="draft"') + ">",
        "<style>\n" + _CSS.format(c=EMBED_CLASS, primary=clinic.branding.primary_color) + "</style>",
        f"<h2>{e(title, quote=False)}</h2>",
    ]
    if version:
        stamp = f"{site['version']} {version.number} · {site['effective']} {longdate(version.effective)}"
        parts.append(f'<p class="{EMBED_CLASS}__stamp">{e(stamp, quote=False)}</p>')
        if not in_force_now:
            note = site["scheduled_banner"].format(date=longdate(version.effective))
            parts.append(f'<p class="{EMBED_CLASS}__note">{e(note, quote=False)}</p>')
    else:
        parts.append(f'<p class="{EMBED_CLASS}__stamp {EMBED_CLASS}__note {EMBED_CLASS}__note--draft">'
                     f'{e(site["draft_banner"], quote=False)}</p>')
    if coming is not None and base:  # an announced change, linked to what changes on the notices site
        note = site["changes_on"].format(date=longdate(coming.effective))
        changes = urljoin(base, f"{notice}/v{coming.number}/changes/")
        parts.append(f'<p class="{EMBED_CLASS}__note">{e(note, quote=False)} '
                     f'<a href="{e(changes)}">{e(site["see_changes"], quote=False)}</a></p>')
    inner = page_body(page_html) if page_html is not None else None
    parts.append(_own_ids(adapt(inner if inner is not None else markdown_to_html(body), page_url), notice))
    parts.append(f'<p class="{EMBED_CLASS}__archive"><a href="{e(archive)}">{e(site["history"], quote=False)}</a></p>')
    if others and base:  # the notices the text names, linked where they live
        links = " · ".join(f'<a href="{e(urljoin(base, f"{other}/"))}">{e(title, quote=False)}</a>' for title, other in others)
        parts.append(f'<p class="{EMBED_CLASS}__archive">{e(site["notices_heading"], quote=False)}: {links}</p>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def markdown_to_html(text: str) -> str:
    """The notice body's Markdown as the site's pages convert it (same extensions)."""
    if not _CONVERTER:  # one per process: setting up the extensions costs as much as a short notice
        _CONVERTER.append(markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIGS,
                                            output_format="html"))
    md = _CONVERTER[0]
    md.reset()
    try:
        return md.convert(text)
    finally:
        md.reset()


_CONVERTER: list[markdown.Markdown] = []


def page_body(page_html: str) -> str | None:
    """The notice's body in a converted page: its marked parts, without the markers (None if none)."""
    return without_markers(page_html) if marked_parts(page_html, text_only=True) else None


# Python-Markdown writes these itself; clinic text never reaches them as markup (it is escaped).
_PERMALINK = re.compile(r'<a class="headerlink" href="#[^"]*" title="[^"]*">[^<]*</a>')
_HEADING = re.compile(r"<(/?)h([1-5])\b")
_HREF = re.compile(r'href="([^"]*)"')  # where a word starts (_at_word_start)


def adapt(body_html: str, page_url: str | None) -> str:
    """Converted body → fragment body: no permalink anchors, headings one level down (the fragment's
    title is the h2), and relative links made absolute against the notice's page when its address is
    known."""
    out = _PERMALINK.sub("", body_html)
    out = _HEADING.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}", out)
    if page_url:
        def absolute(m: re.Match[str]) -> str:
            href = html.unescape(m.group(1))
            if not href or urlsplit(href).scheme or href.startswith("#"):
                return m.group(0)
            return f'href="{html.escape(urljoin(page_url, href), quote=True)}"'

        out = _at_word_start(_HREF, absolute, out)
    return out


_IDREF = re.compile(r'(id="|href="#)([^"]*)"')


def _own_ids(body_html: str, notice: str) -> str:
    """Heading ids (and links to them) prefixed, so that they cannot clash with the host page's own."""
    return _at_word_start(_IDREF, lambda m: f'{m.group(1)}{EMBED_CLASS}-{notice}-{m.group(2)}"', body_html)


def _at_word_start(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str) -> str:
    """`re.sub(r"\\b" + pattern, repl, text)`, for a pattern that begins with a word character. Written
    with the `\\b`, the pattern would be tried at every character of the page (a third of a millisecond
    a notice); without it, only where its first letters are, and a match is kept where a word starts."""
    out, last, pos = [], 0, 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):  # \\w before: no boundary
            pos = start + 1
            continue
        out += (text[last:start], repl(m))
        last = pos = m.end()
    out.append(text[last:])
    return "".join(out)


def link_snippet(loaded: LoadedClinic, state: NoticeState, *, project: Project | None = None) -> str:
    """`<a href=".../privacy/">Website Privacy Policy · updated DATE</a>`, for the footer of the clinic's
    main website. DATE is when the version in force took effect (left out if none is); written with
    the templates' long date format when `project` is given, else as YYYY-MM-DD. The address is
    absolute when the clinic has a `site_url`, else relative (`privacy/`, right only from the site's
    own home page). Everything is escaped."""
    base = _site_base(loaded)
    href = urljoin(base, f"{state.notice}/") if base else f"{state.notice}/"
    text = state.title
    if state.current:
        when = state.current.effective.isoformat()
        updated = "updated"
        if project is not None:
            env = environment(project.templates_dir, state.current.lang)
            when = env.filters["longdate"](state.current.effective)
            updated = dict.get(env.globals["L"]["site"], "updated", updated)  # plain get: no missing-label error
        text = f"{text} · {updated} {when}"
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text, quote=False)}</a>'


def _site_base(loaded: LoadedClinic) -> str | None:
    url = loaded.clinic.site_url
    if not url:
        return None
    parts = urlsplit(str(url))  # the site's folder: a query or fragment has no meaning here
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"
