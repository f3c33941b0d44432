"""Commands that publish and announce versions: publish, import, verify, status, diff, in-force, notify.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import DataErrors, NoticesError
from .common import (
    _date,
    _errors_to_exit,
    _prepare,
    _project,
    _say,
    as_of_option,
    main,
    root_option,
)

if TYPE_CHECKING:
    pass


@main.command()
@click.argument("slug")
@click.argument("notice")
@click.option("--effective", callback=_date, default=None, metavar="YYYY-MM-DD",
              help="When it takes effect: today or later. Not needed with --technical.")
@click.option("--summary", required=True, help="One sentence on what changed, shown in the history and feeds.")
@click.option("--approved-by", required=True, help="Who approved this version.")
@click.option("--technical", is_flag=True, help="A wording or layout fix: takes effect at once, announced to no one.")
@click.option("--allow-findings", default=None, metavar="REASON",
              help="Publish despite error findings of `notices check`; the reason is recorded in the version.")
@root_option
# Hidden: it moves "today", for tests. A notice already in force is recorded with `notices import`.
@click.option("--as-of", callback=_date, default=None, metavar="YYYY-MM-DD", hidden=True,
              help="The publication date (default: today). For tests.")
@_errors_to_exit
def publish(slug: str, notice: str, effective: date | None, summary: str, approved_by: str, technical: bool,
            allow_findings: str | None, root: str | None, as_of: date | None) -> None:
    """Freeze NOTICE's current text as its next version under clinics/SLUG/versions/.

    The notice is checked first; a version with error findings is refused unless --allow-findings
    gives the reason, which is recorded in the version.
    """
    from ..checks import CHECKLIST_VERSION, ERROR, context, run_one
    from ..publishing import status as status_mod
    from ..publishing import versions as versions_mod
    from ..publishing import writing

    project = _project(root)
    today = as_of or date.today()
    with writing.publishing(project, slug, notice):  # the versions read here are still the newest when written
        (p,) = _prepare(project, [slug], today)
        status_mod.check_notice(p, notice)
        draft = p.drafts[notice]
        version = writing.next_version(p.versions[notice], notice, draft.lang, draft.title, draft.markdown,
                                            effective=effective, today=today, summary=summary,
                                            approved_by=approved_by, technical=technical,
                                            allow_findings=allow_findings, translations=p.translations(notice),
                                            checklist=CHECKLIST_VERSION)
        ctx = context(project, p, today)
        ctx.versions = {**ctx.versions, notice: [*p.versions[notice], version]}
        errors = [f for f in run_one(ctx).findings if f.severity == ERROR and f.notice in (notice, None)]
        if errors and not allow_findings:
            for f in errors:
                _say(f"  {f.rule} {f.message} (fix: {f.fix})", err=True)
            raise NoticesError(f"{slug} {notice} has {len(errors)} error finding{'s' * (len(errors) != 1)}: fix "
                               "them, or publish anyway with --allow-findings \"the reason\" (it is recorded in "
                               "the version)")
        writing.write_version(project, slug, version)
    click.echo(f"published {slug} {notice} version {version.number} ({version.kind}), in effect from "
               f"{version.effective}: {project.rel(versions_mod.versions_dir(project, slug, notice))}/v{version.number}.json")
    click.echo("commit the new files: a published version is part of the record.")
@main.command(name="import")
@click.argument("slug")
@click.argument("notice")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--effective", callback=_date, required=True, metavar="YYYY-MM-DD",
              help="The real date the clinic's notice took effect (today or earlier).")
@click.option("--approved-by", required=True, help="Who confirmed that this is the notice in force.")
@click.option("--summary", default=None, help="One sentence for the history (default: the clinic's own notice, "
              "in effect since DATE).")
@click.option("--title", default=None, help="The notice's title as the clinic gives it (default: the notice's usual title).")
@click.option("--lang", default=None, help="The language it is written in (default: the clinic's first language).")
@root_option
@_errors_to_exit
def import_cmd(slug: str, notice: str, file: Path, effective: date, approved_by: str, summary: str | None,
               title: str | None, lang: str | None, root: str | None) -> None:
    """Record the clinic's notice in force (a PDF, an HTML page or a UTF-8 text file) as NOTICE's first
    version, word for word, with the date it really took effect.

    The text is kept as the clinic published it and shown as its own on the site, with the original
    file beside it; it is not checked. The next `notices publish` is a material change from it.
    """
    from ..publishing import importing, writing
    from ..publishing import versions as versions_mod

    project = _project(root)
    today = date.today()
    notices, langs, usual_title = importing.clinic_notices(project, slug)
    if notice not in notices:
        raise NoticesError(f"{slug} has no {notice!r} notice; its notices are {', '.join(notices)}")
    lang = lang or langs[0]
    if lang not in langs:
        raise NoticesError(f"--lang {lang!r} is not one of {slug}'s languages ({', '.join(langs)})")
    existing = versions_mod.load_versions(project, slug, [notice])[notice]
    fmt, text, data = importing.read_notice_file(file, str(file))
    version = importing.imported_version(
        existing, notice, lang, (title or "").strip() or usual_title(notice, lang), fmt, text, data,
        file.name, effective=effective, today=today, approved_by=approved_by, summary=summary)
    writing.write_version(project, slug, version, original=data)
    folder = project.rel(versions_mod.versions_dir(project, slug, notice))
    how = {"pdf": "text extracted from the PDF", "html": "readable text of the HTML page", "text": "text as is"}[fmt]
    click.echo(f"imported {slug} {notice} version 1 (the clinic's own notice, {how}), in effect from "
               f"{effective}: {folder}/v1.json, v1.md and the original {folder}/{version.source.file}")
    click.echo("read v1.md against the original: it is what the site will show. Then commit the new files.")
    click.echo(f"note: the compliance check does not vouch for the clinic's own text; the next `notices publish "
               f"{slug} {notice}` replaces it with the generated notice, as a material change.")
@main.command()
@click.option("--no-git", is_flag=True, help="Check only the versions as they are now, not against git history.")
@root_option
@_errors_to_exit
def verify(no_git: bool, root: str | None) -> None:
    """Check every published version: its hash, its place in the chain of versions, and, from git
    history, that no versions file ever committed is gone or changed. Exit 1 on any problem.

    A build does the first two; run this in CI (with the whole history fetched) to catch a version
    deleted in a commit, which a fresh clone cannot otherwise see.
    """
    from ..data.load import load_clinics
    from ..publishing.history import verify_history
    from ..publishing.versions import load_versions

    project = _project(root)
    problems = []
    loaded = load_clinics(project, None)
    count = 0
    for item in loaded:
        try:
            count += sum(len(vs) for vs in load_versions(project, item.slug, item.clinic.notices).values())
        except DataErrors as exc:
            problems += exc.problems
    notes: list[str] = []
    if not no_git:
        found, notes = verify_history(project)
        problems += [p for p in found if str(p) not in {str(q) for q in problems}]
    for line in notes:
        click.echo(f"note: {line}", err=True)
    if problems:
        raise DataErrors(problems)
    click.echo(f"{count} published version{'s' * (count != 1)} of {len(loaded)} clinic{'s' * (len(loaded) != 1)} "
               f"verified{'' if no_git else ' against git history'}")
@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@as_of_option
@_errors_to_exit
def status(slugs: tuple[str, ...], root: str | None, as_of: date | None) -> None:
    """For each clinic and notice: the version in force, any scheduled one, unpublished changes."""
    from ..publishing import status as status_mod

    project = _project(root)
    for row in status_mod.statuses(_prepare(project, slugs or None, as_of or date.today())):
        current = f"v{row.current} in force since {row.current_effective}" if row.current else "none in force"
        upcoming = "".join(f"; v{n} scheduled for {d}" for n, d in row.scheduled)
        changes = "; unpublished changes (see `notices diff`)" if row.unpublished_changes else ""
        click.echo(f"{row.slug} {row.notice}: {current}{upcoming}{changes}")
@main.command()
@click.argument("slug")
@click.argument("notice", required=False)
@root_option
@as_of_option
@_errors_to_exit
def diff(slug: str, notice: str | None, root: str | None, as_of: date | None) -> None:
    """Show what would change if NOTICE (default: every notice) were published now."""
    from ..publishing import status as status_mod

    project = _project(root)
    (p,) = _prepare(project, [slug], as_of or date.today())
    for n in [notice] if notice else p.loaded.clinic.notices:
        text = status_mod.draft_diff(p, n)
        click.echo(f"# {slug} {n}: " + ("no unpublished changes" if not text else "unpublished changes"))
        if text:
            click.echo(text)
@main.command()
@click.argument("slugs", nargs=-1)
@root_option
@as_of_option
@_errors_to_exit
def notify(slugs: tuple[str, ...], root: str | None, as_of: date | None) -> None:
    """Announce each new material version to subscribers, once: .eml files in outbox/, or SMTP.

    Settings are the clinic's `notifications` (subscribers CSV, smtp, webhook). The SMTP password is
    read only from the environment variable named by notifications.smtp.password_env.
    """
    from ..announcing.notify import notify as run_notify

    project = _project(root)
    day = as_of or date.today()
    ok = True
    for p in _prepare(project, slugs or None, day):
        result = run_notify(project, p.loaded, p.versions, day, progress=lambda line: _say(line, err=True))
        click.echo(result.summary())
        ok = ok and result.ok
    if not ok:
        sys.exit(1)
@main.command(name="in-force")
@click.argument("slug")
@click.argument("on", metavar="YYYY-MM-DD")
@root_option
@_errors_to_exit
def in_force_cmd(slug: str, on: str, root: str | None) -> None:
    """Which version of each notice was in force on a date."""
    from ..publishing import versions as versions_mod

    day = _date(None, None, on)
    assert day is not None
    project = _project(root)
    (p,) = _prepare(project, [slug], day)
    for n in p.loaded.clinic.notices:
        v = versions_mod.in_force(p.versions[n], day)
        click.echo(f"{slug} {n} on {day}: " + (f"version {v.number}, in effect from {v.effective} "
                                               f"(clinics/{slug}/versions/{n}/v{v.number}.md)" if v else "no version in force"))
