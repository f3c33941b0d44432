"""The pipeline for `notices build`: load → validate → render → versions → pages → site.

Everything is gathered and checked first, for every clinic asked for; only then is anything written,
one clinic site at a time, each swapped in whole. A problem found while gathering stops the run before
any site is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Iterable

from .colours import header_text, link_colour
from .errors import DataErrors, Problem
from .embed import embed_files
from .feeds import feed_files
from .load import LoadedClinic, Project, load_clinics
from .pages import NoticeState, build_pages, notice_states, pdf_name, pdf_stamp, versions_json
from .pdf import cached_pdf
from .render import Rendered, environment, render_notice
from .site import SiteSpec, base_config, build_site
from .versions import Version, load_versions


@dataclass(frozen=True)
class Prepared:
    loaded: LoadedClinic
    versions: dict[str, list[Version]]
    drafts: dict[str, Rendered]
    states: list[NoticeState]


@dataclass(frozen=True)
class Built:
    slug: str
    pages: int
    warnings: list[str]


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
        drafts = {n: render_notice(project, item, n) for n in item.clinic.notices}
        prepared.append(Prepared(item, versions, drafts, notice_states(item, versions, drafts, as_of)))
    if problems:
        raise DataErrors(problems)
    return prepared


def _epoch(p: Prepared) -> int:
    # The newest publication date: a fact of the input, so the same input always gives the same sitemap.
    dates = [v.published for vs in p.versions.values() for v in vs] or [date(2000, 1, 1)]
    return int(datetime.combine(max(dates), datetime.min.time(), tzinfo=timezone.utc).timestamp())


def pdf_files(project: Project, p: Prepared) -> dict[str, bytes]:
    """A PDF of every published version, made once and cached: versions never change."""
    labels = environment(project.templates_dir, p.loaded.clinic.languages[0]).globals["L"]
    return {f"{s.notice}/v{v.number}/{pdf_name(s.notice, v)}":
            cached_pdf(project.root / ".cache", p.loaded.clinic.name, v, pdf_stamp(labels, p.loaded.clinic.name, v))
            for s in p.states for v in s.versions}


def site_spec(project: Project, p: Prepared, as_of: date, pdfs: bool = False, preview: bool = False) -> SiteSpec:
    clinic = p.loaded.clinic
    primary = clinic.branding.primary_color
    logo = project.clinic_dir(p.loaded.slug) / clinic.branding.logo if clinic.branding.logo else None
    return SiteSpec(
        name=clinic.name,
        lang=clinic.languages[0],
        pages=tuple(build_pages(project, p.loaded, p.states, as_of, pdfs, preview)),
        primary_color=primary,
        link_color=link_colour(primary),
        header_text_color=header_text(primary),
        site_url=str(clinic.site_url) if clinic.site_url else None,
        logo=logo,
        extra_files={"versions.json": versions_json(p.loaded, p.states, as_of), **feed_files(p.loaded, p.versions),
                     **embed_files(project, p, as_of), **(pdf_files(project, p) if pdfs else {})},
        epoch=_epoch(p),
    )


def build(project: Project, slugs: Iterable[str] | None = None, as_of: date | None = None,
          progress: Callable[[str], None] | None = None, pdfs: bool = False) -> list[Built]:
    as_of = as_of or date.today()
    prepared = prepare(project, slugs, as_of)
    base = base_config(project.mkdocs_base)
    specs = [(p.loaded.slug, site_spec(project, p, as_of, pdfs)) for p in prepared]
    results = []
    for slug, spec in specs:
        if progress:
            progress(slug)
        warnings = build_site(base, project.templates_dir / "assets", spec, project.site_dir / slug)
        results.append(Built(slug, len(spec.pages), warnings))
    return results
