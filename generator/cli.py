"""The `notices` command: arguments in, exit codes out. The only module that prints or imports click."""

from __future__ import annotations

import functools
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from . import build as build_mod
from .errors import DataErrors, NoticesError
from .project import Project

if TYPE_CHECKING:
    from .prepare import Prepared

# Only what `notices build` needs to find that nothing changed is imported here; each command imports
# the rest (the data model, Jinja, MkDocs) itself.


def _project(root: str | None) -> Project:
    if root:
        return Project(Path(root).resolve())
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "mkdocs.yml").is_file() and (candidate / "clinics").is_dir():
            return Project(candidate)
    return Project(here)


def _prepare(project: Project, slugs: Iterable[str] | None, as_of: date) -> list[Prepared]:
    from .prepare import prepare

    return prepare(project, slugs, as_of)


def _date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, like 2026-01-31")


def _errors_to_exit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every user-fixable error into its message on stderr and exit code 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DataErrors as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            n = len(exc.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)
            sys.exit(1)
        except NoticesError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper


root_option = click.option("--root", type=click.Path(file_okay=False), default=None,
                           help="The project folder (default: the nearest folder above with mkdocs.yml and clinics/).")
as_of_option = click.option("--as-of", callback=_date, default=None, metavar="YYYY-MM-DD",
                            help="Build as if today were this date (default: today).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clinic-notices")
def main() -> None:
    """Build clinics' privacy notices into versioned static websites."""


def _shard(_ctx: Any, _param: Any, value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f"{value!r} is not a shard; write K/N with 1 <= K <= N, like 2/4")
    return int(k), int(n)


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Make a PDF of every published version (cached in .cache/: each is made once).")
@click.option("--force", is_flag=True,
              help="Rebuild every clinic asked for, even those whose inputs have not changed since their last build.")
@click.option("--dry-run", is_flag=True,
              help="List the clinics that would be rebuilt (and why) or removed; write nothing.")
@click.option("--shard", callback=_shard, default=None, metavar="K/N",
              help="Build only the K-th of N stable parts of the clinics (for a CI matrix; each clinic always "
                   "falls in the same part).")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Processes that build sites [default: one per core].")
@root_option
@as_of_option
@_errors_to_exit
def build(slugs: tuple[str, ...], pdf: bool, force: bool, dry_run: bool, shard: tuple[int, int] | None,
          workers: int | None, root: str | None, as_of: date | None) -> None:
    """Build every clinic's site into site/<slug>/ (or only the SLUGS named).

    A clinic whose data, group file, templates, shared files and build options are unchanged since its
    last build, on a date when its site says the same, is skipped and its site kept. Sites of clinics
    whose folder was deleted are removed (unless SLUGS are named).
    """
    from . import parallel

    project = _project(root)
    plans: list[build_mod.Plan] = []
    bar: Any = None

    def on_plan(plan: build_mod.Plan) -> None:
        nonlocal bar
        plans.append(plan)
        if dry_run:
            for slug, reasons in plan.build.items():
                click.echo(f"build {slug}: {'; '.join(reasons)}")
            for slug in plan.remove:
                why = f"not in shard {shard[0]}/{shard[1]}" if shard and (project.clinic_dir(slug) / "clinic.yaml").is_file() \
                    else f"clinics/{slug}/ is gone"
                click.echo(f"remove {slug}: {why}")
        elif len(plan.build) > 1 and sys.stderr.isatty():
            bar = click.progressbar(length=len(plan.build), label="building", file=sys.stderr,
                                    show_pos=True, show_eta=True, item_show_func=lambda s: s)
            bar.__enter__()

    def progress(slug: str) -> None:
        if bar is not None:
            bar.update(1, slug)

    try:
        results = build_mod.build(project, slugs or None, as_of=as_of, progress=progress, pdfs=pdf,
                                  incremental=not force, workers=workers or parallel.default_workers(),
                                  shard=shard, dry_run=dry_run, on_plan=on_plan,
                                  on_note=lambda line: click.echo(f"note: {line}", err=True))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    plan = plans[0]
    kept = len(plan.keep) + len(plan.restamp)
    if dry_run:
        click.echo(f"{len(plan.build)} to build, {kept} unchanged, {len(plan.remove)} to remove "
                   "(dry run: nothing was written)")
        return
    for r in results:
        for w in r.warnings:
            click.echo(f"warning: {r.slug}: {w}", err=True)
    summary = f"built {len(results)} site{'s' if len(results) != 1 else ''} into {project.rel(project.site_dir)}/"
    extras = [f"{kept} unchanged"] if kept else []
    extras += [f"{len(plan.remove)} removed"] if plan.remove else []
    click.echo(summary + (f" ({', '.join(extras)})" if extras else ""))


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="text for people, json for scripts, sarif for code-scanning tools.")
@click.option("--list-rules", is_flag=True, help="Print every rule with its citation, and exit.")
@root_option
@as_of_option
@_errors_to_exit
def check(slugs: tuple[str, ...], fmt: str, list_rules: bool, root: str | None, as_of: date | None) -> None:
    """Report every problem in the clinics' data, versions and notices, with the rule behind each.

    Data problems come first, as file:line:col: key.path: what is wrong (how to fix). Then each
    notice is checked against shared/compliance/checklist.md. Exit 1 if there is any error.
    """
    from .checks import report, run

    if list_rules:
        click.echo(report.list_rules(), nl=False)
        return
    project = _project(root)
    as_of = as_of or date.today()
    results = run(project, _prepare(project, slugs or None, as_of), as_of)
    render = {"text": report.to_text, "json": report.to_json, "sarif": report.to_sarif}[fmt]
    click.echo(render(results), nl=False)
    if any(f.severity == "error" for r in results for f in r.findings):
        sys.exit(1)


@main.command()
@click.argument("slug")
@click.argument("url")
@click.option("--pages", default=10, show_default=True, type=click.IntRange(1, 500),
              help="At most this many pages of the site, in each pass.")
@click.option("--time-limit", default=120.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds for the whole scan; it reports what it saw by then.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for CI.")
@root_option
@_errors_to_exit
def scan(slug: str, url: str, pages: int, time_limit: float, fmt: str, root: str | None) -> None:
    """Open the clinic's website URL in headless Chromium and compare what it sets with its cookie notice.

    Follows links of the same origin (at most --pages pages), before consent and again after accepting
    all, recording cookies, local-storage keys and requests to other sites (stopped before they leave).
    Reports, as CK-08, each one the cookie notice does not declare and each declared one never seen, with
    the fix in clinic.yaml. Exit 1 if there is any error.
    """
    from . import scan as scan_mod
    from .load import load_clinics

    project = _project(root)
    loaded = load_clinics(project, [slug])[0]
    observed = scan_mod.observe(url, pages=pages, time_limit=time_limit)
    found = scan_mod.findings(slug, loaded.clinic, observed)
    render = scan_mod.to_json if fmt == "json" else scan_mod.to_text
    click.echo(render(slug, observed, found), nl=False)
    if any(f.severity == "error" for f in found):
        sys.exit(1)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Where to write it (default: schema/clinic.schema.json in the project).")
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if the file is not up to date; write nothing.")
@root_option
@_errors_to_exit
def schema(output: str | None, check_only: bool, root: str | None) -> None:
    """Write the JSON Schema of clinic.yaml, for editors with the YAML language server."""
    from . import schema as schema_mod

    project = _project(root)
    path = Path(output) if output else project.root / schema_mod.SCHEMA_PATH
    text = schema_mod.schema_text()
    if check_only:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            raise NoticesError(f"{path} is out of date with the data model; run `notices schema`")
        click.echo(f"{path} is up to date.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


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
    from .checks import ERROR, context, run_one
    from . import status as status_mod
    from . import versions as versions_mod

    project = _project(root)
    today = as_of or date.today()
    (p,) = _prepare(project, [slug], today)
    status_mod.check_notice(p, notice)
    draft = p.drafts[notice]
    version = versions_mod.next_version(p.versions[notice], notice, draft.lang, draft.title, draft.markdown,
                                        effective=effective, today=today, summary=summary,
                                        approved_by=approved_by, technical=technical, allow_findings=allow_findings,
                                        translations=p.translations(notice))
    ctx = context(project, p, today)
    ctx.versions = {**ctx.versions, notice: [*p.versions[notice], version]}
    errors = [f for f in run_one(ctx).findings if f.severity == ERROR and f.notice in (notice, None)]
    if errors and not allow_findings:
        for f in errors:
            click.echo(f"  {f.rule} {f.message} (fix: {f.fix})", err=True)
        raise NoticesError(f"{slug} {notice} has {len(errors)} error finding{'s' * (len(errors) != 1)}: fix them, "
                           "or publish anyway with --allow-findings \"the reason\" (it is recorded in the version)")
    versions_mod.write_version(project, slug, version)
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
    from . import importing, versions as versions_mod

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
    versions_mod.write_version(project, slug, version, original=data)
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
    from .history import verify_history
    from .load import load_clinics
    from .versions import load_versions

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
    from . import status as status_mod

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
    from . import status as status_mod

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
    from .notify import notify as run_notify

    project = _project(root)
    day = as_of or date.today()
    ok = True
    for p in _prepare(project, slugs or None, day):
        result = run_notify(project, p.loaded, p.versions, day, progress=lambda line: click.echo(line, err=True))
        click.echo(result.summary())
        ok = ok and result.ok
    if not ok:
        sys.exit(1)


@main.command()
@click.argument("slug")
@click.option("--group", metavar="NAME", default=None, help="Start from groups/NAME.yaml.")
@root_option
@_errors_to_exit
def new(slug: str, group: str | None, root: str | None) -> None:
    """Create clinics/SLUG/clinic.yaml with every key present and explained. Never overwrites."""
    from .scaffold import scaffold

    project = _project(root)
    path = scaffold(project, slug, group=group)
    click.echo(f"wrote {project.rel(path)}")
    click.echo(f'next: fill in each "" and what the clinic\'s notice states, then run `notices check {slug}`')


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port (0: any free port).")
@root_option
@as_of_option
@_errors_to_exit
def serve(slugs: tuple[str, ...], host: str, port: int, root: str | None, as_of: date | None) -> None:
    """Preview the sites on localhost, rebuilt when clinic data or templates change.

    Unpublished changes are shown as drafts under a DRAFT banner; nothing is published or written
    into site/.
    """
    import tempfile

    from .serve import preview_builder, serve as run_server

    project = _project(root)
    with tempfile.TemporaryDirectory(prefix="notices-preview-") as tmp:
        build_once = preview_builder(project, slugs or None, Path(tmp), as_of)

        def on_error(exc: BaseException) -> None:
            if isinstance(exc, DataErrors):
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
            else:
                click.echo(f"error: {exc}", err=True)
            click.echo("not rebuilt: the preview shows these problems until they are fixed", err=True)

        try:
            run_server(project, slugs or None, host, port, build_once=build_once, on_error=on_error,
                       on_ready=lambda url: click.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
                       on_built=lambda _path: click.echo("rebuilt", err=True))
        except KeyboardInterrupt:
            pass


@main.command(name="in-force")
@click.argument("slug")
@click.argument("on", metavar="YYYY-MM-DD")
@root_option
@_errors_to_exit
def in_force_cmd(slug: str, on: str, root: str | None) -> None:
    """Which version of each notice was in force on a date."""
    from . import versions as versions_mod

    day = _date(None, None, on)
    assert day is not None
    project = _project(root)
    (p,) = _prepare(project, [slug], day)
    for n in p.loaded.clinic.notices:
        v = versions_mod.in_force(p.versions[n], day)
        click.echo(f"{slug} {n} on {day}: " + (f"version {v.number}, in effect from {v.effective} "
                                               f"(clinics/{slug}/versions/{n}/v{v.number}.md)" if v else "no version in force"))


if __name__ == "__main__":  # pragma: no cover
    main()
