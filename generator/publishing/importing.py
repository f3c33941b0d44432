"""`notices import`: the clinic's notice in force, recorded as its first version, in its own words.

A clinic comes with a notice already in force, often for years. Its history starts there: the text as
the clinic published it, with the real date it took effect, hash-locked like every version. It is the
one version whose effective date may be in the past, and it may only be a notice's first.

The text is kept as it was published:
- a text file as it is (UTF-8; line endings made \\n, as every stored version's are);
- an HTML page as its readable text: headings, paragraphs, list items and table rows, in order, each
  block's whitespace collapsed as a browser would; scripts, styles and navigation dropped;
- a PDF as the text pypdf extracts, page after page (the record and the page say it was extracted).
The original file is kept beside the version (`v1.source.pdf`, …) with its hash in the record, so what
was in force can be proved byte for byte, and it is offered for download on the version's page.

On the site the text is shown literally: it is the clinic's, not ours, and never read as Markdown or
HTML. Every character that Markdown or HTML could read as markup is escaped (`display_markdown`).
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import re
from datetime import date
from pathlib import Path
from typing import Callable

from ..errors import DataErrors, NoticesError
from ..project import Project
from .versions import IMPORTED, MATERIAL, SOURCE_SUFFIX, Source, Version

MAX_BYTES = 10 * 1024 * 1024  # a notice is a few pages; this keeps a mistaken file out of the record

# Elements whose text is not the notice's: code, styling, embedded media, a website's menus and forms.
_DROPPED = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "embed",
            "canvas", "nav", "form", "button", "select", "textarea", "input"}
_BLOCKS = {"p", "div", "section", "article", "main", "aside", "blockquote", "address", "figure", "figcaption",
           "details", "summary", "dl", "dt", "dd", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr",
           "caption", "pre", "hr", "header", "footer", "fieldset", "legend", "center", "body", "html",
           "h1", "h2", "h3", "h4", "h5", "h6"}
_HEADING = re.compile(r"^(#{1,6}) (.+)$")
# A paragraph of an HTML import that starts like a heading or a list item in the stored form gets a
# backslash in front, so that reading the stored form back is never ambiguous.
# A title shows in page headings, the navigation and feeds: words only, no markup of any kind.
_TITLE = re.compile(r"^[\w][\w ,.:;'’()&/–—-]{0,119}$")
_LOOKS_MARKED = re.compile(r"^(#{1,6} |- |\\)")


@functools.lru_cache(maxsize=256)
def display_markdown(content: str, fmt: str) -> str:
    """An imported text as Markdown that shows it literally: paragraphs as paragraphs, the line breaks
    of a text or PDF kept, and (from HTML only, where the page marked them) headings and list items."""
    out = []
    blocks = [b for b in re.split(r"\n[ \t]*\n", content.replace("\r", "")) if b.strip()]
    levels = [len(m.group(1)) for b in blocks if fmt == "html" and (m := _HEADING.match(b.strip()))]
    # The page's own title is the only level-1 heading: the clinic's headings start at level 2.
    shift = 2 - min(levels, default=2)
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if fmt == "html":
            heading = _HEADING.match(lines[0])
            if heading and len(lines) == 1:
                out.append("#" * min(6, len(heading.group(1)) + shift) + " " + escape(heading.group(2)))
                continue
            if lines[0].startswith("- "):
                item = "- " + "  \n    ".join(escape(ln) for ln in [lines[0][2:], *lines[1:]])
                if out and out[-1].startswith("- "):  # one tight list, as the page had it
                    out[-1] += "\n" + item
                else:
                    out.append(item)
                continue
            if lines[0].startswith("\\"):
                lines[0] = lines[0][1:]
        out.append("  \n".join(escape(ln) for ln in lines))
    return "\n\n".join(out) + "\n"


# Markdown's backslash escapes (Python-Markdown's ESCAPED_CHARS, and `|` for tables).
_BACKSLASHED = set("\\`*_{}[]()#+-.!|")


def escape(text: str) -> str:
    """One line of untrusted text as Markdown inline text that renders exactly as the text."""
    out = []
    for ch in text:
        if ch in "&<>":
            out.append(html.escape(ch))
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        elif ch == "=":  # a line of = under a paragraph would make it a heading; no backslash escape exists
            out.append("&#61;")
        else:
            out.append(ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Reading the clinic's file


def read_notice_file(path: Path, shown: str) -> tuple[str, str, bytes]:
    """(format, text, the file's bytes). Raises NoticesError saying what is wrong and what to do."""
    if not path.exists():
        raise NoticesError(f"{shown}: no such file; give the path of the clinic's notice (a PDF, an HTML page "
                           "or a UTF-8 text file)")
    if path.is_dir():
        raise NoticesError(f"{shown} is a folder; give the path of the notice's file itself")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise NoticesError(f"{shown} is {size // (1024 * 1024)} MB, more than a notice's "
                               f"{MAX_BYTES // (1024 * 1024)} MB limit; is it the right file?")
        data = path.read_bytes()
    except OSError as exc:
        raise NoticesError(f"{shown} cannot be read: {exc.strerror}") from None
    if not data.strip():
        raise NoticesError(f"{shown} is empty; give the file of the notice as the clinic published it")
    suffix = path.suffix.lower()
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf", pdf_text(data, shown), data
    if suffix == ".pdf":
        raise NoticesError(f"{shown} is named .pdf but is not a PDF; export the notice as PDF again")
    text = _decode(data, shown)
    if suffix in (".html", ".htm", ".xhtml") or re.match(r"\s*<(!doctype\s+html|html[\s>])", text, re.IGNORECASE):
        return "html", html_text(text, shown), data
    if not text.strip():
        raise NoticesError(f"{shown} holds no text; give the file of the notice as the clinic published it")
    return "text", text.replace("\r\n", "\n").replace("\r", "\n"), data


def _decode(data: bytes, shown: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise NoticesError(f"{shown} is UTF-16 text; save it as UTF-8 (in most editors: Save as, encoding UTF-8)")
    if b"\x00" in data or data[:4] == b"PK\x03\x04":
        raise NoticesError(f"{shown} is neither a PDF, an HTML page nor text (it is a binary file; a Word "
                           "document?); save the notice as PDF and import that")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NoticesError(f"{shown} is not UTF-8 text (byte {exc.start} is not UTF-8; a Windows or Latin-1 "
                           "encoding?); save it as UTF-8 and import it again") from None


def pdf_text(data: bytes, shown: str) -> str:
    """The PDF's text, page after page, as pypdf extracts it. A scan has none: refused, not guessed."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise NoticesError(f"{shown} is a password-protected PDF; import an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except NoticesError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise NoticesError(f"{shown} cannot be read as a PDF ({exc}); export the notice as PDF again") from None
    cleaned = [re.sub(r"\n{3,}", "\n\n", "\n".join(ln.rstrip() for ln in p.replace("\r", "").split("\n"))).strip("\n")
               for p in pages]
    text = "\n\n".join(p for p in cleaned if p.strip())
    if not text.strip():
        raise NoticesError(f"{shown} has no text to extract (a scanned PDF?); import the notice as text or HTML, "
                           "or a PDF with real text in it")
    return text + "\n"


def html_text(source: str, shown: str) -> str:
    """The readable text of an HTML page, block by block: `# `… for headings, `- ` for list items."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    soup = BeautifulSoup(source, "html.parser")
    mains = soup.find_all("main") or soup.find_all("article")
    root: Tag = mains[0] if len(mains) == 1 else (soup.body or soup)
    blocks: list[str] = []
    buffer: list[str] = []
    kind = ["p"]

    def flush() -> None:
        lines = [" ".join(part.split()) for part in "".join(buffer).split("\n")]
        lines = [ln for ln in lines if ln]
        buffer.clear()
        if not lines:
            return
        if kind[-1].startswith("h"):
            blocks.append("#" * int(kind[-1][1]) + " " + " ".join(lines))
        elif kind[-1] == "li":
            blocks.append("- " + "\n  ".join(lines))
        else:
            if _LOOKS_MARKED.match(lines[0]):
                lines[0] = "\\" + lines[0]
            blocks.append("\n".join(lines))

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _DROPPED:
                continue
            name = child.name
            if name == "br":
                buffer.append("\n")
            elif name in ("td", "th"):
                buffer.append(" | " if "".join(buffer).strip() else "")
                walk(child)
            elif name in _BLOCKS:
                flush()
                inner = "li" if name == "li" else (name if re.fullmatch(r"h[1-6]", name) else None)
                if inner:
                    kind.append(inner)
                walk(child)
                flush()
                if inner:
                    kind.pop()
            else:
                walk(child)

    walk(root)
    flush()
    if not blocks:
        raise NoticesError(f"{shown} is an HTML page with no text in it; save the page with its text "
                           "(File › Save page as › Web page, complete), or import it as PDF")
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------------------------------
# The clinic


def clinic_notices(project: Project, slug: str) -> tuple[list[str], list[str], Callable[[str, str], str]]:
    """(the clinic's notices, its languages, the usual title of a notice in a language).

    Importing comes first in onboarding, before the clinic's data is modelled: a clinic file just made
    by `notices new` is enough. Only its country is needed, since it decides which notices there are."""
    from ..data.load import _strip_append_keys, load_clinic, merge
    from ..data.yamlsafe import YamlFile, read_yaml
    from ..notices.render import environment
    from ..project import check_slug

    bad = check_slug(project, slug)
    if bad:
        raise DataErrors([bad])
    loaded, problems = load_clinic(project, slug)
    if loaded is not None:
        country, langs = loaded.clinic.jurisdiction.country, list(loaded.clinic.languages)
        notices = loaded.clinic.notices
    else:
        path = project.clinic_dir(slug) / "clinic.yaml"
        own, problems = read_yaml(path, project.rel(path))
        if own is None:
            raise DataErrors(problems)
        data = own.data
        group = data.get("group")
        if isinstance(group, str) and (project.groups_dir / f"{group}.yaml").is_file():
            base, group_problems = read_yaml(project.groups_dir / f"{group}.yaml", project.rel(project.groups_dir / f"{group}.yaml"))
            if base is None:
                raise DataErrors(group_problems)
            data = merge(base, own).data
        else:
            data = YamlFile(*_strip_append_keys(own.data, own.locations, ())).data
        where = data.get("jurisdiction")
        country = where.get("country") if isinstance(where, dict) else None
        if country not in ("US", "CA"):
            raise NoticesError(f"{project.rel(path)}: jurisdiction.country is not set (US or CA): it decides which "
                               "notices the clinic has; set it, then import again")
        raw = data.get("languages")
        langs = [x for x in raw if isinstance(x, str)] if isinstance(raw, list) and raw else ["en"]
        notices = ["privacy", "cookies", "hipaa"] if country == "US" else ["privacy", "cookies"]
        p2 = data.get("part2_program")  # newnotices: as Clinic.notices, from the raw data
        notices += (["chd"] if country == "US" and data.get("consumer_health") else []) + (
            ["part2"] if country == "US" and isinstance(p2, dict) and p2.get("notice") == "separate" else [])

    def title(notice: str, lang: str) -> str:
        key = f"privacy_{country.lower()}" if notice == "privacy" else notice
        return environment(project.templates_dir, lang).globals["L"]["notice_title"][key]

    return notices, langs, title


# --------------------------------------------------------------------------------------------------
# The version


def imported_version(existing: list[Version], notice: str, lang: str, title: str, fmt: str, text: str,
                     data: bytes, name: str, *, effective: date, today: date, approved_by: str,
                     summary: str | None) -> Version:
    """The first version of `notice`, the clinic's own text. Refuses, with the reason and the fix."""
    if existing:
        raise NoticesError(f"{notice} already has {len(existing)} version{'s' * (len(existing) != 1)}: only a "
                           "notice's first version can be imported; publish a change with `notices publish`")
    if effective > today:
        raise NoticesError(f"--effective {effective} is after today ({today}): import records the notice that is "
                           "in force; for a new notice taking effect later, use `notices publish`")
    if not approved_by.strip():
        raise NoticesError("--approved-by is empty: name who confirmed that this is the notice in force")
    if not _TITLE.match(title):
        raise NoticesError(f"--title {title!r}: write it in words (letters, digits, spaces and . , : ; ' ( ) & / -), "
                           "up to 120 characters")
    summary = (summary or "").strip() or f"The clinic's own notice, in effect since {effective.isoformat()}."
    source = Source(origin=IMPORTED, format=fmt, name=name, file=f"v1.source.{SOURCE_SUFFIX[fmt]}",
                    sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    return Version(notice=notice, number=1, lang=lang, title=title, effective=effective, published=today,
                   approved_by=approved_by.strip(), summary=summary, kind=MATERIAL, content=text, source=source)
