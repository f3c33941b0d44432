"""Commands that build, check and preview sites: build, check, scan, schema, new, serve.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import DataErrors, NoticesError
from ..site import build as build_mod
from . import entry
from .common import (
    _errors_to_exit,
    _prepare,
    _project,
    _say,
    _shard,
    as_of_option,
    main,
    root_option,
)

if TYPE_CHECKING:
    pass


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Make a PDF of every published version (cached in .cache/: each is made once).")
@click.option("--force", is_flag=True,
              help="Rebuild every clinic asked for, even those whose inputs have not changed since their last build.")
@click.option("--fresh", is_flag=True,
              help="Use nothing that earlier builds kept in .cache/ (pages, compiled templates, PDFs, theme "
                   "files): remove it and rebuild every clinic asked for. For a .cache/ restored from somewhere "
                   "you do not trust.")
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
def build(slugs: tuple[str, ...], pdf: bool, force: bool, fresh: bool, dry_run: bool, shard: tuple[int, int] | None,
          workers: int | None, root: str | None, as_of: date | None) -> None:
    """Build every clinic's site into site/<slug>/ (or only the SLUGS named).

    A clinic whose data, group file, templates, shared files and build options are unchanged since its
    last build, on a date when its site says the same, is skipped and its site kept. Sites of clinics
    whose folder was deleted are removed (unless SLUGS are named).
    """
    from ..site import parallel

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
                                  shard=shard, dry_run=dry_run, on_plan=on_plan, fresh=fresh,
                                  on_note=lambda line: click.echo(f"note: {line}", err=True),
                                  tidy_later=entry.AS_PROCESS)
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
    from ..checks import report, run

    if list_rules:
        click.echo(report.list_rules(), nl=False)
        return
    project = _project(root)
    as_of = as_of or date.today()
    results = run(project, _prepare(project, slugs or None, as_of), as_of)
    render = {"text": report.to_text, "json": report.to_json, "sarif": report.to_sarif}[fmt]
    _say(render(results), nl=False)
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
    from ..checks import scan as scan_mod
    from ..data.load import load_clinics

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
    from ..data import schema as schema_mod

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
@click.option("--group", metavar="NAME", default=None, help="Start from groups/NAME.yaml.")
@root_option
@_errors_to_exit
def new(slug: str, group: str | None, root: str | None) -> None:
    """Create clinics/SLUG/clinic.yaml with every key present and explained. Never overwrites."""
    from ..data.scaffold import scaffold

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

    from ..site.serve import preview_builder
    from ..site.serve import serve as run_server

    project = _project(root)
    with tempfile.TemporaryDirectory(prefix="notices-preview-") as tmp:
        build_once = preview_builder(project, slugs or None, Path(tmp), as_of)

        def on_error(exc: BaseException) -> None:
            if isinstance(exc, DataErrors):
                for problem in exc.problems:
                    _say(str(problem), err=True)
            else:
                _say(f"error: {exc}", err=True)
            click.echo("not rebuilt: the preview shows these problems until they are fixed", err=True)

        try:
            run_server(project, slugs or None, host, port, build_once=build_once, on_error=on_error,
                       on_ready=lambda url: click.echo(f"serving on {url} (Ctrl-C to stop)", err=True),
                       on_built=lambda _path: click.echo("rebuilt", err=True))
        except KeyboardInterrupt:
            pass
