"""The pipeline for `notices build`: load → validate → render → versions → pages → site.

Everything is gathered and checked first, for every clinic asked for; only then is anything written,
one clinic site at a time, each swapped in whole. A problem found while gathering stops the run before
any site is touched.
"""

from __future__ import annotations

import gc
import importlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import incremental as inc
from . import parallel
from .errors import DataErrors, NoticesError, Problem
from .incremental import Plan
from .project import Project, check_slug

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
          on_plan: Callable[[Plan], None] | None = None) -> list[Built]:
    """Build the clinics named (all by default) into site/<slug>/ and return what was built.

    incremental: skip a clinic whose inputs, shared inputs and date window are those of its last build
        (see generator/incremental.py); its site is kept as it is. Otherwise every clinic is rebuilt.
    workers: processes that build sites (1: this process).
    shard: (k, n) builds only the k-th of n stable parts of the clinics (see incremental.shard_of).
    dry_run: decide, call on_plan, and write nothing.
    on_plan: called once with the Plan (what will be built and why, kept, removed) before building.
    progress: called with each clinic's name when its site is built.

    Every site is built into a staging folder first; only when all have succeeded are they swapped in,
    each whole. A data problem in any clinic stops the run with every problem found, and no site is
    touched. Sites of clinics whose folder is gone are removed when all clinics (or a whole shard) are
    built, never when clinics are named.
    """
    as_of = as_of or date.today()
    named = list(dict.fromkeys(slugs)) if slugs else None
    if named:
        bad = [problem for slug in named if (problem := check_slug(project, slug))]
        if bad:
            raise DataErrors(bad)
    scope = named or project.slugs()
    if shard:
        k, n = shard
        scope = [slug for slug in scope if inc.shard_of(slug, n) == k]
    manifest = inc.load_manifest(project)
    removed: list[str] = []
    if not named:
        present = set(project.slugs())
        # A full build leaves no site of a clinic whose folder is gone; a shard, no site outside its part.
        in_scope = set(scope)
        removed = [slug for slug in manifest.clinics
                   if slug not in in_scope and (shard is not None or slug not in present)]
    digests = inc.Digests(project, manifest.stats)
    shared = inc.shared_digests(project, pdfs)
    plan = inc.plan(project, scope, manifest, shared, as_of, digests, force=not incremental, removed=removed)
    if on_plan:
        on_plan(plan)
    if dry_run:
        return []

    # Read every input before building: a file edited during the build is then seen as changed next time.
    for slug in plan.build:
        digests.files(inc.own_files(project, slug))
    for folder in (project.groups_dir, project.templates_dir):
        digests.files(inc.walk(folder, project.root) if folder.is_dir() else [])

    built: list[Built] = []
    completed = False
    try:
        if plan.build:
            built = _build_all(project, list(plan.build), as_of, pdfs, workers, progress, manifest, shared, digests)
        for slug in plan.remove:
            shutil.rmtree(project.site_dir / slug, ignore_errors=True)
            manifest.clinics.pop(slug, None)
            manifest.changed = True
        for slug in plan.restamp:
            _restamp(project, slug, manifest.clinics[slug], as_of, digests)
            manifest.changed = True
        completed = True
    finally:
        # Saved when sites changed (also after a failure part-way through swapping sites in), or after
        # a run that read files the next check may then trust by their size and times.
        if manifest.changed or (completed and inc.stats_to_save(manifest, digests) != manifest.stats):
            inc.save_manifest(project, manifest, digests)
    return built


def _restamp(project: Project, slug: str, entry: dict, as_of: date, digests: inc.Digests) -> None:
    path = project.site_dir / slug / "versions.json"
    data = inc.restamp_versions_json(path.read_bytes(), date.fromisoformat(entry["as_of"]), as_of)
    if data is None:  # checked by the plan; changed since: build it next time
        entry["output"] = inc.MISSING
        return
    tmp = path.with_name(f".versions.json.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    entry["as_of"] = as_of.isoformat()
    entry["output"] = inc.output_digest(project, slug, digests)


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
    extra: list[str] = field(default_factory=list)  # inputs beyond the clinic's own files
    langs: list[str] = field(default_factory=list)
    window: tuple[date | None, date | None] = (None, None)


# Building a site allocates many small objects (Markdown trees, pages); Python's default collector
# thresholds make it scan them again and again. Fewer, larger collections build the same sites faster.
_GC_THRESHOLD = (25000, 10, 10)


def _init_worker(bytecode_dir: Path, templates_dir: Path, langs: list[str]) -> None:
    from .render import environment
    from .site import set_bytecode_dir, shared_bytecode_cache

    set_bytecode_dir(bytecode_dir)
    # The notices' own templates too, in the languages the clinics to build were last built in: a new
    # process then loads them compiled (Jinja checks each against its source).
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
    from .prepare import prepare, site_spec
    from .site import base_config, stage_site

    try:
        (p,) = prepare(task.project, [task.slug], task.as_of)
    except DataErrors as exc:
        return _Result(task.slug, exc.problems)
    if task.work is None:
        return _Result(task.slug, [])
    spec = site_spec(task.project, p, task.as_of, task.pdfs)
    warnings = stage_site(base_config(task.project.mkdocs_base), task.project.templates_dir / "assets", spec,
                          task.work)
    extra, langs = inc.dependencies(task.project, p)
    return _Result(task.slug, [], len(spec.pages), warnings, extra, langs, inc.window(p, task.as_of))


def _build_all(project: Project, slugs: list[str], as_of: date, pdfs: bool, workers: int,
               progress: Callable[[str], None] | None, manifest: inc.Manifest, shared: dict[str, str],
               digests: inc.Digests) -> list[Built]:
    site_dir = project.site_dir
    made_site_dir = not site_dir.exists()
    site_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=site_dir))
    failed = False

    def tasks() -> Iterator[_Task]:
        for slug in slugs:  # after a data problem, the clinics left are only checked, to report all at once
            yield _Task(project, slug, as_of, pdfs, None if failed else staging / slug)

    results: dict[str, _Result] = {}
    try:
        workers = max(1, min(workers, len(slugs)))
        if workers > 1:
            from .site import preload

            importlib.import_module(f"{__package__}.prepare")  # the workers start with the pipeline
            preload()  # and MkDocs imported
        with _collector_tuned():
            langs = sorted({lang for slug in slugs for lang in manifest.clinics.get(slug, {}).get("langs", [])})
            for result in parallel.run(_build_one, tasks(), workers, _init_worker,
                                       (project.root / ".cache" / "jinja", project.templates_dir, langs)):
                results[result.slug] = result
                if result.problems:
                    failed = True
                elif progress and not failed:
                    progress(result.slug)
        problems = [problem for slug in slugs for problem in results[slug].problems]
        if problems:
            raise DataErrors(problems)
        from .site import swap_in

        for slug in slugs:
            r = results[slug]
            swap_in(staging / slug / "site", site_dir / slug)
            inc.record(project, manifest, slug, r.extra, r.langs, shared, r.window, as_of, digests)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if made_site_dir and not any(site_dir.iterdir()):
            site_dir.rmdir()
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            raise NoticesError(f"a build worker stopped unexpectedly ({exc}); no site was changed. "
                               "Run with --workers 1 to see the error") from exc
        raise
    shutil.rmtree(staging, ignore_errors=True)
    return [Built(slug, results[slug].pages, results[slug].warnings) for slug in slugs]
