"""The pipeline for `notices build`: load → validate → render → versions → pages → site.

Everything is gathered and checked first, for every clinic asked for, and every site is staged in
.cache/staging/; only then is site/ switched to the new output, in one journaled step that a kill cannot
leave half done (swap.py). A problem found while gathering stops the run before any site is touched.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import DataErrors, NoticesError, Problem
from ..project import SLUG, Project, check_slug
from ..reads import recording
from . import incremental as inc
from . import inputs as inputs_mod
from . import output as output_mod
from . import folders, parallel, swap, trash
from .incremental import Plan
from .linking import forget_kept, own_folder
from .manifest import encode, load_manifest, save_manifest

# The data model, Jinja, Markdown and MkDocs are imported where a clinic is built, not here: a build
# that finds nothing to do then decides so in a fraction of a second.


@dataclass(frozen=True)
class Built:
    slug: str
    pages: int
    warnings: list[str]


def build(project: Project, slugs: Iterable[str] | None = None, as_of: date | None = None,
          progress: Callable[[str], None] | None = None, pdfs: bool = False, *, incremental: bool = False,
          workers: int = 1, shard: tuple[int, int] | None = None, dry_run: bool = False,
          on_plan: Callable[[Plan], None] | None = None, on_note: Callable[[str], None] | None = None,
          fresh: bool = False, tidy_later: bool = False) -> list[Built]:
    """Build the clinics named (all by default) into site/<slug>/ and return what was built.

    incremental: skip a clinic whose inputs, shared inputs and date window are those of its last build
        (see generator/site/incremental.py); its site is kept as it is. Otherwise every clinic is rebuilt.
    workers: processes that build sites (1: this process).
    shard: (k, n) builds only the k-th of n stable parts of the clinics (see incremental.shard_of).
    dry_run: decide, call on_plan, and write nothing.
    fresh: first remove what earlier builds kept in .cache/ to use again (pages, compiled templates, PDFs,
        theme files), and rebuild every clinic: for a .cache/ that came from somewhere not trusted, since
        what is kept there is used as it is (see README, "What .cache/ is trusted with").
    on_plan: called once with the Plan (what will be built and why, kept, removed) before building.
    on_note: called with a line for the user about something the build set right (an interrupted
        build finished, a manifest that could not be trusted set aside).
    progress: called with each clinic's name when its site is built.
    tidy_later: empty the old sites in a process that outlives this one (generator/site/trash.py), as
        `notices build` does; otherwise before returning.

    Every site is built into a staging folder first; only when all have succeeded is site/ switched to
    the new output, as one step that a kill cannot leave half done (generator/site/swap.py). A data problem
    in any clinic stops the run with every problem found, and no site is touched. Sites of clinics
    whose folder is gone are removed when all clinics (or a whole shard) are built, never when clinics
    are named.
    """
    note = on_note or (lambda line: None)
    as_of = as_of or date.today()
    named = list(dict.fromkeys(slugs)) if slugs else None
    if named:
        bad = [problem for slug in named if (problem := check_slug(project, slug))]
        if bad:
            raise DataErrors(bad)
    every = [] if named else project.slugs()
    scope = named or every
    if shard:
        k, n = shard
        scope = [slug for slug in scope if inc.shard_of(slug, n) == k]
    incremental = incremental and not fresh  # --fresh rebuilds every clinic asked for, a dry run says so too
    if dry_run:
        return _run(project, scope, named, every, shard, as_of, pdfs, incremental, workers, True, on_plan, progress,
                    note)
    with swap.locked(project):
        for line in swap.recover(project, replay=not fresh):
            note(line)
        if fresh:
            from .theme_cache import forget_compiled

            with trash.settled(project.root):  # no cleaner fills the pool again while it is removed
                forget_kept(project.root / ".cache")
            forget_compiled()
        return _run(project, scope, named, every, shard, as_of, pdfs, incremental, workers, False, on_plan, progress,
                    note, tidy_later)


def _run(project: Project, scope: list[str], named: list[str] | None, every: list[str], shard: tuple[int, int] | None,
         as_of: date, pdfs: bool, incremental: bool, workers: int, dry_run: bool,
         on_plan: Callable[[Plan], None] | None, progress: Callable[[str], None] | None,
         note: Callable[[str], None], tidy_later: bool = False) -> list[Built]:
    output_mod.forget_linked()  # a long-lived process (`notices serve`) digests linked files afresh each run
    manifest, distrust = load_manifest(project)
    if distrust:
        note(distrust)
    removed: list[str] = []
    if not named:
        present = set(every)
        # A full build leaves no site of a clinic whose folder is gone; a shard, no site outside its part.
        in_scope = set(scope)
        removed = [slug for slug in manifest.clinics
                   if slug not in in_scope and (shard is not None or slug not in present)]
    # The sites that may be kept are listed by another process from now on, while this one checks inputs.
    shapes: dict[str, output_mod.Shape | None] = {}
    listed = {str(project.site_dir / slug): inc.site_shape(manifest, slug, shapes)
              for slug in scope if slug in manifest.clinics} if incremental else {}
    with output_mod.Listings(listed) as listings:
        digests = inputs_mod.Digests(project, manifest.stats)
        shared = inputs_mod.shared_digests(project, pdfs)
        plan = inc.plan(project, scope, manifest, shared, as_of, digests, force=not incremental, removed=removed,
                        listings=listings, before_check=None if dry_run else _import_pipeline, shapes=shapes)
    if on_plan:
        on_plan(plan)
    if dry_run:
        return []

    # Read every input before building: a file edited during the build is then seen as changed next time.
    for slug in plan.build:
        digests.files(inputs_mod.own_files(project, slug))
    for folder in (project.groups_dir, project.templates_dir):
        digests.files(inputs_mod.walk(folder, project.root) if folder.is_dir() else [])

    if not plan.build and not plan.remove and not plan.restamp:
        if inc.stats_to_save(manifest, digests) != manifest.stats:  # files the next check may trust by their times
            manifest.stats = inc.stats_to_save(manifest, digests)
            save_manifest(project, manifest)
        return []
    staging = swap.Staging(project, tidy_later)
    try:
        built = _build_all(project, list(plan.build), as_of, pdfs, workers, progress, manifest, shared, digests,
                           staging) if plan.build else []
        restamped = [slug for slug in plan.restamp if _restamp(project, slug, manifest.clinics[slug], as_of, staging,
                                                               inc.site_shape(manifest, slug, shapes))]
        gone = [slug for slug in plan.remove if _removable(project, slug)]
        for slug in plan.remove:
            manifest.clinics.pop(slug, None)
        manifest.stats = inc.stats_to_save(manifest, digests)
        staging.commit([b.slug for b in built], restamped, gone, encode(manifest))
    except BaseException:
        staging.discard()
        raise
    return built


def _import_pipeline(building: bool) -> None:
    """Import what building a site needs (the data model, the notices, MkDocs), where a clinic is to be
    built: done while another process lists the sites, it costs nothing there."""
    if building:
        from .theme_cache import preload

        importlib.import_module(f"{__package__}.prepare")
        importlib.import_module("generator.notices.render")
        preload()


def _removable(project: Project, slug: str) -> bool:
    """Only a folder the build wrote is removed: a real folder directly in site/, named as a clinic, that
    holds the versions.json every built site has."""
    site = project.site_dir / slug
    return (bool(SLUG.match(slug)) and site.is_dir() and not site.is_symlink()
            and (site / "versions.json").is_file() and not (site / "versions.json").is_symlink())


def _restamp(project: Project, slug: str, entry: dict, as_of: date, staging: swap.Staging,
             shape: output_mod.Shape | None) -> bool:
    """Stage the site's versions.json with the new date, and record the site as it will then be."""
    site = project.site_dir / slug
    path = site / "versions.json"
    data = inc.restamp_versions_json(path.read_bytes(), date.fromisoformat(entry["as_of"]), as_of)
    if data is None:  # checked by the plan; changed since: build it next time
        entry["output"] = {**entry["output"], "listing": inputs_mod.MISSING}
        return False
    staged = staging.restamp(slug, data)
    st = staged.stat()  # a rename keeps the size and time: the listing after the switch is known now
    items = [(rel, kind, st.st_size, st.st_mtime_ns) if rel == "versions.json" else (rel, kind, size, mtime)
             for rel, kind, size, mtime in output_mod.items_of(str(site), shape)]
    entry["as_of"] = as_of.isoformat()
    entry["output"] = {**entry["output"], "listing": output_mod.listing_digest(items),
                       "versions_json": output_mod.file_digest(str(staged))}
    return True


@dataclass(frozen=True)
class _Task:
    project: Project
    slug: str
    as_of: date
    pdfs: bool
    work: Path | None  # where to stage the site; None: only check the clinic's data


@dataclass(frozen=True)
class _Result:
    slug: str
    problems: list[Problem]
    pages: int = 0
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, str | None] = field(default_factory=dict)  # inputs beyond the clinic's own files
    langs: list[str] = field(default_factory=list)
    window: tuple[date | None, date | None] = (None, None)
    output: dict[str, str] = field(default_factory=dict)  # what was staged (output.output_record)
    shape: dict[str, str] = field(default_factory=dict)  # its paths (output.shape_of)


# Building a site allocates many small objects (Markdown trees, pages); Python's default collector
# thresholds make it scan them again and again. Fewer, larger collections build the same sites faster.
_GC_THRESHOLD = (25000, 10, 10)


def _init_worker(bytecode_dir: Path, templates_dir: Path, langs: list[str]) -> None:
    from ..notices import page_keys, render
    from ..notices.render import environment
    from .theme_cache import set_bytecode_dir, shared_bytecode_cache

    set_bytecode_dir(bytecode_dir)
    output_mod.forget_linked()  # a run reads each linked file once (output.file_digest)
    if parallel.in_worker():
        # One run: no template file is looked at again (see render.py). Environments made before the
        # fork may hold templates of an earlier run of this process: made afresh here.
        render.AUTO_RELOAD = False
        render.clear_environments()
        page_keys.forget_templates()
    # The notices' own templates too (every environment made from now on, and those of the languages
    # the clinics to build were last built in, made now): a new process then loads them compiled.
    render.BYTECODE_CACHE = shared_bytecode_cache()
    for lang in langs:
        if (templates_dir / lang).is_dir():
            try:
                env = environment(templates_dir, lang)
            except NoticesError:
                continue  # a broken labels file: the build reports it
            if env.bytecode_cache is None:
                env.bytecode_cache = shared_bytecode_cache()
    if parallel.in_worker():
        gc.freeze()  # what the worker inherited is never garbage: keep it out of every collection
        gc.set_threshold(*_GC_THRESHOLD)


def _bytecode_dir(project: Project, shared: dict[str, str]) -> Path:
    """Where compiled templates are kept: one folder per version of this package's source, since Jinja
    checks a compiled template against its source only, not against the extension that shaped it
    (generator/notices/sources.py); the folders of other versions are removed."""
    base = project.root / ".cache" / "jinja"
    version = f"{shared.get('generator', '')}\0{shared.get('packages', '')}".encode()
    name = hashlib.blake2b(version, digest_size=8).hexdigest()
    try:
        if own_folder(base):
            with os.scandir(base) as entries:
                for entry in entries:
                    if entry.name == name and not entry.is_dir(follow_symlinks=False):
                        os.unlink(entry.path)  # not a folder of ours (a link, say): made afresh
                    elif (entry.name != name and re.fullmatch(r"[0-9a-f]{16}", entry.name)
                          and entry.is_dir(follow_symlinks=False)):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    elif entry.name.endswith(".cache") and entry.is_file(follow_symlinks=False):
                        os.unlink(entry.path)  # kept flat by earlier versions
    except OSError:
        pass  # a cache that cannot be tidied is only larger
    return base / name


@contextmanager
def _collector_tuned() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _build_one(task: _Task) -> _Result:
    """One clinic: prepare, then stage its site. Runs in a worker (or in this process)."""
    from .builder import base_config, stage_site
    from .page_cache import PageCache
    from .prepare import prepare, site_spec

    with recording() as used:
        try:
            (p,) = prepare(task.project, [task.slug], task.as_of)
        except DataErrors as exc:
            return _Result(task.slug, exc.problems)
        if task.work is None:
            return _Result(task.slug, [])
        spec = site_spec(task.project, p, task.as_of, task.pdfs)
        pages = PageCache(task.project.root / ".cache" / "pages" / task.slug, task.project.root / ".cache" / "static")
        pool = folders.pool(task.project.root / folders.POOL, str(task.work.parent.parent))  # one per run
        warnings = stage_site(base_config(task.project.mkdocs_base), task.project.templates_dir / "assets", spec,
                              task.work, pages, pool)
        pages.prune()  # what this site no longer shows
    extra, langs = inputs_mod.dependencies(task.project, p, used)
    record, shape = output_mod.output_record(task.work / "site")
    return _Result(task.slug, [], len(spec.pages), warnings, extra, langs, inc.window(p, task.as_of), record, shape)


def _build_all(project: Project, slugs: list[str], as_of: date, pdfs: bool, workers: int,
               progress: Callable[[str], None] | None, manifest: inc.Manifest, shared: dict[str, str],
               digests: inputs_mod.Digests, staging: swap.Staging) -> list[Built]:
    """Stage every site and record each in the manifest; raises with every data problem found."""
    failed = False

    def tasks() -> Iterator[_Task]:
        for slug in slugs:  # after a data problem, the clinics left are only checked, to report all at once
            yield _Task(project, slug, as_of, pdfs, None if failed else staging.work(slug))

    results: dict[str, _Result] = {}
    try:
        workers = max(1, min(workers, len(slugs)))
        if workers > 1:
            from .theme_cache import preload

            importlib.import_module(f"{__package__}.prepare")  # the workers start with the pipeline
            preload()  # and MkDocs imported
        with _collector_tuned():
            langs = sorted({lang for slug in slugs for lang in manifest.clinics.get(slug, {}).get("langs", [])})
            for result in parallel.run(_build_one, tasks(), workers, _init_worker,
                                       (_bytecode_dir(project, shared), project.templates_dir, langs)):
                results[result.slug] = result
                if result.problems:
                    failed = True
                elif progress and not failed:
                    progress(result.slug)
    except BaseException as exc:
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            raise NoticesError(f"a build worker stopped unexpectedly ({exc}); no site was changed. "
                               "Run with --workers 1 to see the error") from exc
        raise
    problems = [problem for slug in slugs for problem in results[slug].problems]
    if problems:
        raise DataErrors(problems)
    for slug in slugs:
        r = results[slug]
        inc.record(project, manifest, slug, r.extra, r.langs, shared, r.window, as_of, digests, r.output, r.shape)
    return [Built(slug, results[slug].pages, results[slug].warnings) for slug in slugs]
