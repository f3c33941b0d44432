"""Gathering one clinic's everything before any file is written: its data validated, its versions
verified, every draft rendered in every language (`prepare`), and then its site as pages and files
(`site_spec`). Pure: reads the project, writes nothing (PDFs are cached, see generator/site/pdf.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Iterable

from ..announcing.embed import embed_files
from ..announcing.embed import page_paths as embed_pages
from ..announcing.feeds import feed_files, feed_links
from ..data.load import LoadedClinic, load_clinics
from ..data.logo import published_logo
from ..errors import DataErrors, Problem
from ..notices.pages import (
    build_pages,
    notice_states,
    original_name,
    pdf_name,
    pdf_stamp,
    site_chrome,
    versions_json,
    wants_search,
)
from ..notices.render import Rendered, TemplateMissing, environment, render_notice
from ..notices.translations import MissingTranslation
from ..project import Project
from ..publishing.versions import load_versions, versions_dir
from .builder import SiteSpec
from .colours import header_text, link_colour
from .pdf import cached_pdf
from .prepared import Prepared


def prepare(project: Project, slugs: Iterable[str] | None, as_of: date) -> list[Prepared]:
    """Load, validate, verify every version and render every draft. Raises once with every problem."""
    loaded = load_clinics(project, slugs)
    problems: list[Problem] = []
    prepared = []
    for item in loaded:
        try:
            versions = load_versions(project, item.slug, item.clinic.notices)
        except DataErrors as exc:
            problems += exc.problems
            continue
        rendered, missing = _render_all(project, item)
        if missing:
            problems += missing
            continue
        first, *others = item.clinic.languages
        drafts = rendered[first]
        prepared.append(Prepared(item, versions, drafts, notice_states(item, versions, drafts, as_of),
                                 {lang: rendered[lang] for lang in others}))
    if problems:
        raise DataErrors(problems)
    return prepared


def _render_all(project: Project, item: LoadedClinic) -> tuple[dict[str, dict[str, Rendered]], list[Problem]]:
    """Every notice in every language the clinic lists. A missing template or translation is an error,
    never English."""
    out: dict[str, dict[str, Rendered]] = {}
    problems = []
    for lang in item.clinic.languages:
        out[lang] = {}
        for notice in item.clinic.notices:
            try:
                out[lang][notice] = render_notice(project, item, notice, lang)
            except (TemplateMissing, MissingTranslation) as exc:
                loc = item.locations.get(("languages",))
                problems.append(Problem(project.rel(project.clinic_dir(item.slug) / "clinic.yaml"),
                                        loc.line if loc else None, loc.column if loc else None, "languages",
                                        f"{lang!r} is listed, but {exc}",
                                        f"complete its words, or remove {lang!r} from languages"))
    return out, problems


def _epoch(p: Prepared) -> int:
    # The newest publication date: a fact of the input, so the same input always gives the same sitemap.
    dates = [v.published for vs in p.versions.values() for v in vs] or [date(2000, 1, 1)]
    return int(datetime.combine(max(dates), datetime.min.time(), tzinfo=timezone.utc).timestamp())


def pdf_files(project: Project, p: Prepared, lang: str | None = None) -> dict[str, bytes]:
    """A PDF of every published version, in `lang` where it was published in it (else in its own
    language, as its page shows it), made once and cached: versions never change."""
    lang = lang or p.loaded.clinic.languages[0]
    labels = environment(project.templates_dir, lang).globals["L"]
    out = {}
    for s in p.states:
        for v in s.versions:
            text = v.text_in(lang)
            shown = replace(v, lang=lang, title=text[0], content=text[1], translations=()) if text else v
            out[f"{s.notice}/v{v.number}/{pdf_name(s.notice, v)}"] = cached_pdf(
                project.root / ".cache", p.loaded.clinic.name, shown, pdf_stamp(labels, p.loaded.clinic.name, shown))
    return out


def original_files(project: Project, p: Prepared) -> dict[str, bytes]:
    """The original file of every imported version, as the clinic published it (verified on loading)."""
    return {original_name(v): (versions_dir(project, p.loaded.slug, v.notice) / v.source.file).read_bytes()
            for vs in p.versions.values() for v in vs if v.source is not None}


def site_spec(project: Project, p: Prepared, as_of: date, pdfs: bool = False, preview: bool = False) -> SiteSpec:
    """The clinic's site: its first language at the root, each other language as a site in <lang>/."""
    clinic = p.loaded.clinic
    primary = clinic.branding.primary_color
    logo = (published_logo(project, p.loaded.slug, clinic.branding.logo, p.loaded.locations)
            if clinic.branding.logo else None)
    site_url = str(clinic.site_url) if clinic.site_url else None

    def spec(lang: str, pages: tuple, extra: dict[str, bytes], children: dict[str, SiteSpec]) -> SiteSpec:
        url = site_url and (site_url if lang == clinic.languages[0] else f"{site_url.rstrip('/')}/{lang}/")
        labels = environment(project.templates_dir, lang).globals["L"]
        feeds = feed_links(p.loaded, lang, labels)
        return SiteSpec(name=clinic.name, lang=lang, pages=pages, primary_color=primary,
                        link_color=link_colour(primary), header_text_color=header_text(primary), site_url=url,
                        logo=logo, extra_files={**extra, **feed_files(p.loaded, p.versions, lang, labels)},
                        epoch=_epoch(p), children=children, chrome=site_chrome(p.loaded, labels, feeds),
                        search=wants_search(p.states), toc_title=labels["site"]["on_this_page"],
                        permalink_title=labels["site"]["permalink"])

    children = {lang: spec(lang, tuple(build_pages(project, p.loaded, p.states, as_of, pdfs, preview, lang, drafts)),
                           pdf_files(project, p, lang) if pdfs else {}, {})
                for lang, drafts in sorted(p.translated.items())}
    extra = {"versions.json": versions_json(p.loaded, p.states, as_of),
             **(pdf_files(project, p) if pdfs else {}), **original_files(project, p)}
    root = spec(clinic.languages[0], tuple(build_pages(project, p.loaded, p.states, as_of, pdfs, preview)),
                extra, children)
    if preview:  # the notice pages may show drafts where the embeds show versions: convert on their own
        return replace(root, extra_files={**extra, **embed_files(project, p, as_of)})
    return replace(root, capture=tuple(embed_pages(p)), derive=lambda html: embed_files(project, p, as_of, html))
