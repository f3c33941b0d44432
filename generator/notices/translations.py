"""The words of the templates in other languages: gettext catalogs, one per language.

There is one set of templates (templates/*.md.j2, pages/, partials/), written in English; every
sentence in them is a `{% trans %}` block (or `_()` inside an expression), and its English text is
the message id. A language other than English renders the same templates with its catalog,
templates/locale/<lang>/LC_MESSAGES/messages.po, compiled to messages.mo beside it.

- `make translations` (python -m generator.notices.translations) extracts the messages from the templates
  into templates/locale/messages.pot, merges them into every language's .po (a new sentence arrives
  untranslated; a changed one keeps its old translation marked fuzzy, for review) and compiles each
  .po to its .mo. It refuses to compile a catalog whose placeholders do not match.
- Rendering never falls back to English: a message missing from a catalog (untranslated, fuzzy, or
  not there at all) stops the render with an error naming it. A .mo records the digest of the .po it
  was compiled from, and a .mo that no longer matches its .po is an error too, never used.

Only the standard library is imported to render; Babel only to extract, merge and compile.
"""

from __future__ import annotations

import gettext
import hashlib
import io
import sys
from datetime import datetime
from pathlib import Path

from ..errors import NoticesError

SOURCE_LANG = "en"  # the language of the templates' own text
DOMAIN = "messages"
LOCALE_DIR = "locale"  # under templates/
PROJECT = "clinic-notices"
# Passed to Jinja's extractor: the same lexer settings as render.environment, so that a message id is
# exactly the text Jinja asks gettext for.
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n,generator.notices.sources.SourceExtension",
                 "trim_blocks": "true", "lstrip_blocks": "true", "keep_trailing_newline": "true",
                 "newstyle_gettext": "true", "silent": "false"}
TEMPLATE_PATTERNS = ("*.md.j2", "pages/**.md.j2", "partials/**.md.j2")
COMMENT_TAGS = ("Translators:",)
HEADER = """\
# The sentences of the clinic-notices templates (templates/*.md.j2, pages/, partials/).
# msgid is the English text; write the translation in msgstr, keeping every %(name)s (clinic data)
# and writing a percent sign as %%. Then run `make translations`. See README.md, "Translations".
#"""


class MissingTranslation(NoticesError):
    """A message with no translation in a language we render: an error, never English instead."""


def po_path(templates_dir: Path, lang: str) -> Path:
    return templates_dir / LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(templates_dir: Path, lang: str) -> Path:
    return po_path(templates_dir, lang).with_suffix(".mo")


def pot_path(templates_dir: Path) -> Path:
    return templates_dir / LOCALE_DIR / f"{DOMAIN}.pot"


def catalog_files(templates_dir: Path, lang: str) -> list[Path]:
    """The files a render in `lang` reads for its words besides labels: the .po (its digest) and the .mo."""
    if lang == SOURCE_LANG:
        return []
    return [po_path(templates_dir, lang), mo_path(templates_dir, lang)]


def languages(templates_dir: Path) -> list[str]:
    """The languages with a catalog, and English."""
    found = {p.parent.parent.name for p in (templates_dir / LOCALE_DIR).glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {SOURCE_LANG})


def _digest(data: bytes) -> str:
    return "po-blake2b:" + hashlib.blake2b(data, digest_size=16).hexdigest()


class _Refuse(gettext.NullTranslations):
    """The fallback of every catalog: whatever reaches it has no translation."""

    def __init__(self, where: str):
        super().__init__()
        self.where = where

    def gettext(self, message: str) -> str:
        raise MissingTranslation(f"{self.where}: no translation for {message!r} (translate it, then run make translations)")

    def pgettext(self, context: str, message: str) -> str:
        raise MissingTranslation(f"{self.where}: no translation for {message!r} (context {context!r}; "
                                 "translate it, then run make translations)")


class _Source(gettext.NullTranslations):
    """English: the message ids are the text."""


def load(templates_dir: Path, lang: str, rel=str) -> gettext.NullTranslations:
    """The compiled catalog of `lang`, checked against its .po. `rel` names files in messages."""
    if lang == SOURCE_LANG:
        return _Source()
    po, mo = po_path(templates_dir, lang), mo_path(templates_dir, lang)
    try:
        source = po.read_bytes()
    except FileNotFoundError:
        raise NoticesError(f"there is no catalog for it ({rel(po)} is missing)") from None
    try:
        with mo.open("rb") as f:
            compiled = gettext.GNUTranslations(f)
    except FileNotFoundError:
        raise NoticesError(f"{rel(mo)} is missing: run make translations") from None
    except OSError as exc:
        raise NoticesError(f"{rel(mo)}: cannot read it ({exc}): run make translations") from exc
    if compiled.info().get("project-id-version") != f"{PROJECT} {_digest(source)}":
        raise NoticesError(f"{rel(mo)} was not compiled from the current {po.name}: run make translations")
    compiled.add_fallback(_Refuse(rel(po)))
    return compiled


# --------------------------------------------------------------------------------------------------
# Maintenance (make translations): Babel


def extract(templates_dir: Path):
    """Every message of the templates, as a Babel catalog (the .pot), in a stable order."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    method_map = [(pattern, "jinja2.ext:babel_extract") for pattern in TEMPLATE_PATTERNS]
    options_map = {pattern: JINJA_OPTIONS for pattern in TEMPLATE_PATTERNS}
    template = Catalog(project=PROJECT, version="", fuzzy=False, creation_date=_EPOCH, revision_date=_EPOCH,
                       header_comment=HEADER)
    for filename, lineno, message, comments, context in sorted(
            extract_from_dir(str(templates_dir), method_map, options_map, comment_tags=COMMENT_TAGS,
                             strip_comment_tags=True),
            key=lambda m: (m[0], m[1])):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


# The catalogs' header dates are fixed: the files then change only when their messages do.
_EPOCH = datetime(2026, 1, 1)


def updated(templates_dir: Path, lang: str, template=None):
    """The .po of `lang` merged with the templates' messages, as Babel would write it (not written)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    template = template if template is not None else extract(templates_dir)
    path = po_path(templates_dir, lang)
    if path.is_file():
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = Catalog(locale=lang, project=PROJECT, version="", creation_date=_EPOCH, revision_date=_EPOCH,
                          header_comment=HEADER)
    catalog.update(template, update_header_comment=False)
    catalog.obsolete.clear()  # a removed sentence is gone; git keeps its history
    catalog.creation_date = catalog.revision_date = _EPOCH
    catalog.fuzzy = False
    return catalog


def po_bytes(catalog) -> bytes:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    # Locations name the file only: moving a sentence within a template leaves the catalogs unchanged.
    write_po(out, catalog, width=100, include_lineno=False, sort_output=False, ignore_obsolete=True)
    return out.getvalue()


def problems(catalog) -> list[str]:
    """Every message lacking a translation, fuzzy, or whose placeholders differ from its id's."""
    out = []
    for message in catalog:
        if not message.id:
            continue
        where = f"{message.id!r}" + (f" (context {message.context!r})" if message.context else "")
        if not message.string:
            out.append(f"{where}: not translated")
        elif message.fuzzy:
            out.append(f"{where}: fuzzy (check the translation, then remove the fuzzy flag)")
        elif placeholders(message.id) != placeholders(message.string):
            out.append(f"{where}: placeholders {sorted(placeholders(message.id))} in the English, "
                       f"{sorted(placeholders(message.string))} in the translation")
    return out


def placeholders(text: str) -> set[str]:
    import re

    # `%(name)s`, and `%%` (a literal percent sign) so that a lone `%` in a translation counts as a
    # difference: Python's formatting would fail on it, or eat the letter after it.
    return set(re.findall(r"%\([^)]*\)[a-z]|%%|%(?![(%])", text))


def mo_bytes(catalog, source: bytes) -> bytes:
    from babel.messages.mofile import write_mo

    catalog = _copy(catalog)
    catalog.project, catalog.version = PROJECT, _digest(source)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _copy(catalog):
    import copy

    return copy.copy(catalog)


def main(argv: list[str] | None = None) -> int:
    """Extract, merge and compile (make translations). `--compile` only compiles each .po as it is (make
    setup: a fresh checkout); `--check` writes nothing and fails if anything would change."""
    from babel.messages.pofile import read_po

    args = sys.argv[1:] if argv is None else argv
    check, compile_only = "--check" in args, "--compile" in args
    root = Path.cwd()
    templates_dir = root / "templates"
    stale: list[str] = []
    failed = False

    def write(path: Path, data: bytes) -> None:
        if path.is_file() and path.read_bytes() == data:
            return
        stale.append(path.relative_to(root).as_posix())
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    template = None if compile_only else extract(templates_dir)
    if template is not None:
        write(pot_path(templates_dir), po_bytes(template))
    for lang in languages(templates_dir):
        if lang == SOURCE_LANG:
            continue
        if template is None:
            po = po_path(templates_dir, lang).read_bytes()
            catalog = read_po(io.BytesIO(po), locale=lang)
        else:
            catalog = updated(templates_dir, lang, template)
            po = po_bytes(catalog)
            write(po_path(templates_dir, lang), po)
        found = problems(catalog)
        for problem in found:
            print(f"{po_path(templates_dir, lang).relative_to(root)}: {problem}", file=sys.stderr)
        if found:
            failed = True
            continue  # never a .mo with a gap in it: the build then says which catalog to finish
        write(mo_path(templates_dir, lang), mo_bytes(catalog, po))
    if check and stale:
        print("out of date: " + ", ".join(stale) + " (run make translations)", file=sys.stderr)
        return 1
    for rel in stale:
        print(f"wrote {rel}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
