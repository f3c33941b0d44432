"""Clinic model + templates → the Markdown text of each notice. Pure: reads templates, writes nothing.

Clinic data is untrusted text. Every value a template prints passes through `escape_markdown`
(Jinja's `finalize`), so a clinic name holding `<script>` or `**bold**` shows as those characters.
Only values we build ourselves as `Markup` (links whose parts we escaped) skip it. A value in a
`{% trans %}` sentence is escaped the same way, by the gettext functions (see `_gettext`).

The blocks around a notice's text on the site's pages (banner, stamp, links, version cards) are written
as HTML, inside `{% autoescape true %}`: there every value is escaped for HTML by Jinja itself (see
`finalize`), Markdown leaves the block as it is, and the site builder need not convert it at all
(generator/site/parts.py, RAW_START). Markdown-safe `Markup` (a `{% trans %}` sentence, `link()`) has
no place in them; gettext gives HTML there.
"""

from __future__ import annotations

import functools
import html
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

import jinja2
import yaml
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from .. import reads
from ..data.load import LoadedClinic, Project
from ..data import notice_kinds
from ..data.model import Clinic
from ..errors import NoticesError
from . import sources, translations

# Python-Markdown honours a backslash before these (tables adds `|`); `<`, `>` and `&` become entities.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


@jinja2.pass_eval_context
def finalize(eval_ctx: Any, value: Any) -> Any:
    """Markdown escaping, except in an `{% autoescape true %}` block: there Jinja escapes for HTML, and
    whitespace runs become one space as Markdown would make them (no tab or line break from the data
    reaches a raw HTML block, which Markdown keeps as written)."""
    return html_value(value) if eval_ctx.autoescape else escape_markdown(value)


def html_value(value: Any) -> Any:
    """A value as an HTML block prints it, before Jinja escapes it (Markup is not escaped)."""
    return value if isinstance(value, Markup) else _as_text(value)


def _as_text(value: Any) -> str:
    # What any printed value reads as: a date in ISO form, runs of white space one space, as Markdown shows them.
    if value is None:
        raise NoticesError("a template printed an empty value; guard it with {% if %}")
    text = value.isoformat() if isinstance(value, date) else str(value)
    if text.isprintable() and "  " not in text:
        return text  # its only white space, if any, is single spaces (every other kind is unprintable)
    return _WHITE_RUN.sub(" ", text)


_WHITE_RUN = re.compile(r"\s+")


def escape_markdown(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    text = _as_text(value)
    return text if isinstance(value, date) else _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


class TemplateMissing(NoticesError):
    """A language or a notice has no template: an error, never a silent fallback to another language."""


@dataclass(frozen=True)
class Rendered:
    """One notice, rendered: its title and Markdown body, without the page's version stamp."""

    notice: str
    lang: str
    title: str
    markdown: str


def template_name(clinic: Clinic, notice: str) -> str:
    return notice_kinds.kind(notice).template_name(clinic.jurisdiction.country)


class _Loader(jinja2.FileSystemLoader):
    """Reads a template's bytes itself, so that the digest it notes (generator/reads.py) is of exactly
    the bytes the build used; decodes them as Jinja's own loader does (UTF-8, universal newlines)."""

    def __init__(self, folder: str) -> None:
        super().__init__([folder])
        self.digests: dict[str, str] = {}

    def path(self, name: str) -> str:
        return os.path.join(self.searchpath[0], *split_template_path(name))

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        filename = self.path(template)
        try:
            with open(filename, "rb") as fh:
                raw = fh.read()
            mtime = os.path.getmtime(filename)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise jinja2.TemplateNotFound(template) from None
        self.digests[filename] = reads.digest(raw)
        source = raw.decode(self.encoding).replace("\r\n", "\n").replace("\r", "\n")

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        return source, filename, uptodate


class _Environment(jinja2.Environment):
    """Notes every template a render asks for, found or not, cached or read afresh: an include computed
    from the data, or of a file created later, is then one of the clinic's inputs."""

    loader: _Loader

    def _load_template(self, name: Any, globals: Any) -> jinja2.Template:
        try:
            template = super()._load_template(name, globals)
        except jinja2.TemplateNotFound:
            if isinstance(name, str):
                reads.note_file(self.loader.path(name), None)
            raise
        if template.filename:
            reads.note_digest(template.filename, self.loader.digests.get(template.filename, reads.MISSING))
        return template


def environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """One set of templates for every language: the words of `lang` come from its catalog (sentences,
    see generator/notices/translations.py) and from templates/<lang>/ (labels.yaml, site.yaml). Made once per
    process, and again when those words change (a worker or `notices serve` builds many sites)."""
    reads.note_lang(lang)  # its words are read once per process: noted at each use
    if AUTO_RELOAD:
        return _environment(templates_dir, lang, _words_signature(templates_dir, lang))
    key = (templates_dir, lang)  # one run (a build's worker): its words are looked at once
    if key not in _SIGNATURES:
        _SIGNATURES[key] = _words_signature(templates_dir, lang)
    return _environment(templates_dir, lang, _SIGNATURES[key])


def _words_signature(templates_dir: Path, lang: str) -> tuple:
    files = [*(templates_dir / lang).glob("*.yaml"), *translations.catalog_files(templates_dir, lang)]
    out = []
    for path in sorted(files):
        try:
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(path), None, None))
    return tuple(out)


# Compiled templates kept by the process that builds sites (generator/site/build.py sets it in each
# worker), so that a later process loads them compiled; Jinja checks each against its source.
BYTECODE_CACHE: jinja2.BytecodeCache | None = None
# Whether a template is checked against its file each time it is asked for (`notices serve` builds many
# times in one process). A build's worker is one run: what it read is recorded with the digests it read
# (reads.note_digest), so an edit during the run is seen by the next build.
AUTO_RELOAD = True


_SIGNATURES: dict[tuple[Path, str], tuple] = {}


def clear_environments() -> None:
    _environment.cache_clear()
    _SIGNATURES.clear()


@functools.lru_cache(maxsize=16)
def _environment(templates_dir: Path, lang: str, signature: tuple = ()) -> jinja2.Environment:
    lang_dir = templates_dir / lang
    if not lang_dir.is_dir():
        raise TemplateMissing(f"there are no labels for it (templates/{lang}/)")
    try:
        catalog = translations.load(templates_dir, lang, rel=lambda p: _rel(templates_dir, p))
    except NoticesError as exc:
        raise TemplateMissing(str(exc)) from exc
    env = _Environment(
        loader=_Loader(str(templates_dir)),
        extensions=["jinja2.ext.i18n", sources.SourceExtension],
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: finalize escapes for both (HTML blocks: see finalize)
        finalize=finalize,
        bytecode_cache=BYTECODE_CACHE,
        auto_reload=AUTO_RELOAD,
        cache_size=-1,  # every template, in a dict: Jinja's LRU cache locks and reorders on each hit
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} passes its values to gettext
    labels = _StrictDict()
    for path in sorted(lang_dir.glob("*.yaml")):  # labels.yaml (vocabularies), site.yaml (page words)
        labels.update(_labels(path))
    env.globals.update(L=labels, lang=lang, link=link, mailto=mailto, tel=tel,
                       labels_of=lambda code: environment(templates_dir, code).globals["L"],
                       **_gettext(catalog))
    env.filters.update(
        join_and=functools.partial(join_and, conj=labels["words"]["and"]),
        join_or=functools.partial(join_and, conj=labels["words"]["or"]),
        join_nor=functools.partial(join_and, conj=labels["words"]["nor"]),
        label=lambda ids, kind: [_word(labels, lang, i, kind) for i in ids],
        word=lambda value, kind: _word(labels, lang, value, kind),
        own_text=lambda words: _own_text(words, lang),
        prefix=lambda names, head: [head + str(n) for n in names],
        index_in=lambda value, values: values.index(value),
        stated=lambda names, obj: [n for n in names if _stated(getattr(obj, n))],
        ids=lambda entries: [e.item for e in entries],
        pick=lambda ids, words: [words[i] for i in ids],
        demote=demote,
        longdate=lambda d: labels["date_format"].format(month=labels["months"][d.month - 1], day=d.day, year=d.year),
    )
    return env


def _word(labels: Any, lang: str, value: Any, kind: str) -> Any:
    """A vocabulary value in the notice's language: its label, or the clinic's own words for it."""
    own = getattr(value, "own", None)
    if own is not None:
        return _own_text(own, lang)
    return labels[kind][value]


def _own_text(words: dict[str, str], lang: str) -> str:
    # The model requires a text for each language the clinic lists; a notice rendered in another one
    # (a test comparing languages) shows the clinic's words as written.
    return words.get(lang) or next(iter(words.values()))


def _stated(value: Any) -> bool:
    # Something the notice prints: a true flag, a list with items, a nested section with any of them.
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return any(_stated(getattr(value, n)) for n in fields)
    return bool(value)


def _gettext(catalog: Any) -> dict[str, Any]:
    """The functions the templates translate with.

    `{% trans %}` blocks call gettext/pgettext with their values: the sentence is our own text (from
    the template or the catalog, never escaped), each value is clinic data, escaped as `finalize`
    would print it, and the result is Markup so that it is not escaped again. `_()` inside an
    expression gives plain text instead, escaped once where the expression is printed."""

    def fill(text: str, values: dict[str, Any], escape: bool) -> str:
        # Always formatted, as Jinja's newstyle gettext is: a literal percent sign is written %% in ids.
        return text % ({k: escape_markdown(v) for k, v in values.items()} if escape else values)

    def html_fill(text: str, values: dict[str, Any]) -> Markup:
        # In an HTML block our sentence is escaped too (it is text, not Markdown), and so is each value.
        return Markup(escape(text)) % {k: html_value(v) for k, v in values.items()}

    @jinja2.pass_eval_context
    def gettext(eval_ctx: Any, message: str, **values: Any) -> Markup:
        if eval_ctx.autoescape:
            return html_fill(catalog.gettext(message), values)
        return Markup(fill(catalog.gettext(message), values, True))

    @jinja2.pass_eval_context
    def pgettext(eval_ctx: Any, context: str, message: str, **values: Any) -> Markup:
        if eval_ctx.autoescape:
            return html_fill(catalog.pgettext(context, message), values)
        return Markup(fill(catalog.pgettext(context, message), values, True))

    def text(message: str, **values: Any) -> str:
        return fill(catalog.gettext(message), values, False)

    return {"gettext": gettext, "pgettext": pgettext, "_": text}


def _rel(templates_dir: Path, path: Path) -> str:
    try:
        return path.relative_to(templates_dir.parent).as_posix()
    except ValueError:
        return str(path)


environment.cache_clear = _environment.cache_clear  # type: ignore[attr-defined]

_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # our own files; libyaml's parser is ~10x faster


def _labels(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE)
    except (OSError, yaml.YAMLError) as exc:
        raise NoticesError(f"{path}: cannot read the labels: {exc}") from exc
    return _StrictDict.wrap(data)


class _StrictDict(dict):
    """A missing label is a template error naming the label, never a blank in a notice."""

    @classmethod
    def wrap(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return cls({k: cls.wrap(v) for k, v in value.items()})
        return value

    def __missing__(self, key: Any) -> Any:
        raise NoticesError(f"templates: no label for {key!r} (add it to labels.yaml)")


def join_and(items: Iterable[Any], conj: str) -> Markup:
    parts = [escape_markdown(i) for i in items]
    if len(parts) <= 1:
        return Markup("".join(parts))
    return Markup(", ".join(parts[:-1]) + f" {conj} " + parts[-1])


def link(text: Any, url: Any) -> Markup:
    return Markup(f'<a href="{html.escape(str(url), quote=True)}">{escape_markdown(text)}</a>')


def mailto(email: Any) -> Markup:
    return Markup(f'<a href="mailto:{html.escape(str(email), quote=True)}">{escape_markdown(email)}</a>')


def tel(phone: Any) -> Markup:
    digits = re.sub(r"[^0-9+]", "", str(phone))
    return Markup(f'<a href="tel:{digits}">{escape_markdown(phone)}</a>')


def render_notice(project: Project, loaded: LoadedClinic, notice: str, lang: str | None = None) -> Rendered:
    return _render(project, loaded, notice, lang)[0]


def explain_notice(project: Project, loaded: LoadedClinic, notice: str,
                   lang: str | None = None) -> tuple[Rendered, list[sources.Sentence]]:
    """The notice as `render_notice` gives it, and its sentences with the sources the templates name."""
    with sources.marking():
        rendered, marked = _render(project, loaded, notice, lang)
    return rendered, sources.sentences(marked)


def _render(project: Project, loaded: LoadedClinic, notice: str, lang: str | None) -> tuple[Rendered, str]:
    clinic = loaded.clinic
    lang = lang or clinic.languages[0]
    env = environment(project.templates_dir, lang)
    name = template_name(clinic, notice)
    try:
        template = env.get_template(name)
        text = template.render(clinic=clinic, notice=notice, notices=clinic.notices, part_of=None)
    except jinja2.TemplateNotFound as exc:
        raise TemplateMissing(f"templates/{exc.name} is missing (the {notice} notice)") from exc
    except jinja2.UndefinedError as exc:
        raise NoticesError(f"templates/{name}: {exc.message} (the template uses a value the data model lacks)") from exc
    except jinja2.TemplateSyntaxError as exc:
        where = project.rel(Path(exc.filename)) if exc.filename else f"templates/{exc.name}"
        raise NoticesError(f"{where}:{exc.lineno}: {exc.message}") from exc
    title = env.globals["L"]["notice_title"][_title_key(clinic, notice)]
    return Rendered(notice, lang, title, _tidy(sources.strip(text))), text


def _title_key(clinic: Clinic, notice: str) -> str:
    return notice_kinds.kind(notice).title_key(clinic.jurisdiction.country)


_HEADING = re.compile("^((?:\ue000[^\ue001\n]*\ue001|\ue002)*)#", re.M)  # source marks may open a line


def demote(text: str) -> Markup:
    """Every heading one level down: a notice included as a part of another (templates/combined.md.j2)."""
    return Markup(_HEADING.sub(r"\1##", str(text)))


def _tidy(text: str) -> str:
    # Conditional blocks leave runs of blank lines; one blank line is all Markdown needs.
    text = _TRAILING_BLANKS.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip() + "\n"


_TRAILING_BLANKS = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def render_clinic(project: Project, loaded: LoadedClinic) -> list[Rendered]:
    return [render_notice(project, loaded, n, lang) for lang in loaded.clinic.languages[:1]
            for n in loaded.clinic.notices]
