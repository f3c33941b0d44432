"""What a clinic's site depends on, and whether it must be rebuilt: fingerprints, date windows, the plan.

A clinic's site is a function of
- its own files: `clinics/<slug>/clinic.yaml` and every file under `clinics/<slug>/versions/`;
- what its build read, as noted where it was read (generator/reads.py): its group file, its logo, every
  template the render asked for (found or not, so an include computed from the data, or of a file
  created later, counts; the templates are one set for every language), and the words of each language
  it used: `templates/<lang>/` (labels) and its catalog `templates/locale/<lang>/LC_MESSAGES/messages.{po,mo}`;
- what every clinic shares: `mkdocs.yml` and the theme's `custom_dir` if it has one,
  `templates/assets/`, the generator's own source, the versions of the packages that shape the output,
  and the build's options (`--pdf`);
- the build date, only through which versions are in force, scheduled, archived or announced. Those
  change only on dates the versions name, so each clinic's entry stores the window of dates over which
  its site stays the same. Inside the window, a new date changes one byte-range of the output: the
  `as_of` field of `versions.json`, which is rewritten in place (checked to give the exact bytes a
  full build gives).

Every digest is of the bytes the build used, or taken before the build began: a file edited while a
build runs is seen as changed by the next one.

The manifest (generator/manifest.py) also records what the build wrote: a digest of each site's list of
files with their sizes and times, and of their contents. A site whose listing differs (a file deleted,
added or rewritten, or `site/` restored from an older cache) has its contents checked, and is rebuilt
unless they are exactly what was built. Deciding that nothing changed reads raw files and a listing of
`site/` only: no YAML is parsed, no template rendered.

Every file a build reads must be one of these inputs: tests/test_incremental.py watches a build's
reads and fails if one is not.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from . import reads
from .errors import DataErrors, Problem
from .manifest import FORMAT, PATH as MANIFEST_PATH, Manifest
from .project import TEMPLATE_SUFFIX, Project
from .reads import Reads
from .translations import catalog_files

if TYPE_CHECKING:
    from .prepare import Prepared

MISSING = reads.MISSING
# The packages whose version can change the bytes of a site.
PACKAGES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions", "pyyaml", "pydantic",
            "markupsafe", "babel")
PDF_PACKAGES = ("weasyprint", "pydyf")


def shard_of(slug: str, shards: int) -> int:
    """The shard (1..shards) a clinic belongs to: from its name only, so it never moves when other
    clinics come and go."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % shards + 1


# --------------------------------------------------------------------------------------------------
# Digests of files, memoised for one run


class Digests:
    """Digest of each file (by project-relative path), each read at most once per run.

    A file whose size, times and inode are those recorded by an earlier run is not read again: its
    recorded digest is used. Only files whose change time was well before that run began are recorded
    (see `stats`), so a file written again within the same clock tick is never mistaken for unchanged:
    any later write gives it a later change time, which the kernel sets and no tool can put back."""

    RACY_NS = 2_000_000_000  # files changed this close to a run's start are read again next time

    def __init__(self, project: Project, known: dict[str, list] | None = None) -> None:
        self.project = project
        self._root = str(project.root)
        self._memo: dict[str, str] = {}
        self._languages: dict[str, list[str]] = {}
        self.known = known or {}
        self.seen: dict[str, list] = {}
        self.started_ns = time.time_ns()

    def file(self, rel: str, memo: bool = True) -> str:
        found = self._memo.get(rel) if memo else None
        if found is None:
            path = os.path.join(self._root, rel)
            try:
                st = os.stat(path)
                key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                known = self.known.get(rel)
                if known is not None and known[:4] == key:
                    found = known[4]
                else:
                    with open(path, "rb") as fh:
                        found = hashlib.blake2b(fh.read(), digest_size=16).hexdigest()
                self.seen[rel] = [*key, found]
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                found = MISSING
            self._memo[rel] = found
        return found

    def files(self, rels: Iterable[str]) -> dict[str, str]:
        memo, file = self._memo, self.file
        return {rel: memo.get(rel) or file(rel) for rel in sorted(set(rels))}

    def language_files(self, lang: str) -> list[str]:
        if lang not in self._languages:
            self._languages[lang] = language_files(self.project, lang)
        return self._languages[lang]

    def stats(self, keep: set[str]) -> dict[str, list]:
        """What the next run may trust: the files of `keep` seen now (unless changed too recently to
        tell), else as recorded before."""
        limit = self.started_ns - self.RACY_NS
        out = {rel: v for rel, v in self.known.items() if rel in keep and rel not in self.seen}
        out.update({rel: v for rel, v in self.seen.items() if rel in keep and v[2] < limit})
        return dict(sorted(out.items()))


def walk(root: Path | str, base: Path | str) -> list[str]:
    """Every file under `root`, as '/'-separated paths relative to `base`, sorted by folder then name."""
    base = str(base).rstrip(os.sep) + os.sep
    out = []
    todo = [str(root)]
    while todo:
        folder = todo.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        rel = folder[len(base):].replace(os.sep, "/") if folder.startswith(base) else folder
        dirs = []
        for entry in entries:
            if entry.is_dir():
                dirs.append(entry.path)
            else:
                out.append(f"{rel}/{entry.name}")
        todo += reversed(dirs)
    return out


def own_files(project: Project, slug: str) -> list[str]:
    """The clinic's own inputs: its clinic.yaml and everything under versions/ (found afresh each run,
    so that a new version file is seen)."""
    return [f"clinics/{slug}/clinic.yaml", *walk(f"{project.root}{os.sep}clinics{os.sep}{slug}{os.sep}versions",
                                                  project.root)]


def language_files(project: Project, lang: str) -> list[str]:
    """Every file that every clinic in that language depends on for its words: templates/<lang>/
    (labels) and the language's catalog (translations.catalog_files). The templates themselves are
    the same in every language."""
    return [*walk(project.templates_dir / lang, project.root),
            *(project.rel(p) for p in catalog_files(project.templates_dir, lang))]


# --------------------------------------------------------------------------------------------------
# What a build read


def dependencies(project: Project, p: Prepared, used: Reads) -> tuple[dict[str, str | None], list[str]]:
    """(the inputs of a built clinic beyond its clinic.yaml and versions/, each with the digest of the
    bytes used, or None where the digest taken before the build is to be used; its languages).
    `used` is what the build noted reading (generator/reads.py)."""
    extra: dict[str, str | None] = {project.rel(f): None for f in p.loaded.files[1:]}  # the group file
    for path, digest in used.files.items():
        rel = project.rel(Path(path))
        if not Path(rel).is_absolute():  # only the project's own files are inputs
            extra[rel] = digest
    # The clinic's languages, those its versions were published in (their words stamp the embeds), and
    # any other whose words or templates the build used (language assistance taglines).
    langs = list(dict.fromkeys([*p.loaded.clinic.languages,
                                *sorted({lang for vs in p.versions.values() for v in vs for lang in v.langs}),
                                *used.langs]))
    return dict(sorted(extra.items())), langs


# --------------------------------------------------------------------------------------------------
# The build date


def date_boundaries(p: Prepared) -> set[date]:
    """The dates on which what a clinic's site says can change. A site depends on the build date only
    through `in_force`, `scheduled`, `superseded_on(...) <= as_of` (a later version's effective date)
    and `announced` (from a material version's publication to `banner_days` after it takes effect):
    each a comparison of the build date with one of these dates."""
    days = p.loaded.clinic.notifications.banner_days
    out: set[date] = set()
    for versions in p.versions.values():
        for v in versions:
            out.add(v.effective)
            if v.material and v.number > 1:
                out.add(v.published)
                out.add(v.effective + timedelta(days=days + 1))
    return out


def window(p: Prepared, as_of: date) -> tuple[date | None, date | None]:
    """[from, until): the dates around `as_of` on which the site is the same (None: unbounded)."""
    bounds = date_boundaries(p)
    before = [b for b in bounds if b <= as_of]
    after = [b for b in bounds if b > as_of]
    return (max(before) if before else None), (min(after) if after else None)


def in_window(entry: dict, as_of: date) -> bool:
    start, until = entry.get("valid_from"), entry.get("valid_until")
    return (start is None or date.fromisoformat(start) <= as_of) and (until is None or as_of < date.fromisoformat(until))


def restamp_versions_json(data: bytes, old: date, new: date) -> bytes | None:
    """versions.json as a build on `new` writes it, from the one written on `old`; None if the bytes are
    not exactly what pages.versions_json writes (then the clinic is rebuilt instead)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("as_of") != old.isoformat():
        return None

    def dump(value: dict) -> bytes:
        return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")

    if dump(parsed) != data:
        return None
    return dump({**parsed, "as_of": new.isoformat()})


# --------------------------------------------------------------------------------------------------
# Shared inputs and outputs


def shared_digests(project: Project, pdfs: bool) -> dict[str, str]:
    """Digests of what every clinic's site depends on, by name (the names show in --dry-run)."""

    def of(parts: Iterable[tuple[str, str]]) -> str:
        h = hashlib.blake2b(digest_size=16)
        for name, value in parts:
            h.update(name.encode() + b"\0" + value.encode() + b"\n")
        return h.hexdigest()

    digests = Digests(project)
    package_dir = Path(__file__).resolve().parent
    source = sorted(p.relative_to(package_dir).as_posix() for p in package_dir.rglob("*.py"))
    generator = of((rel, hashlib.blake2b((package_dir / rel).read_bytes(), digest_size=16).hexdigest())
                   for rel in source)
    versions = []
    for name in PACKAGES + (PDF_PACKAGES if pdfs else ()):
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, MISSING))
    versions.append(("python", sys.version.split()[0]))
    assets = walk(project.templates_dir / "assets", project.root)
    out = {
        "mkdocs.yml": digests.file(project.rel(project.mkdocs_base)),
        "templates/assets": of((rel, digests.file(rel)) for rel in assets),
        "generator": of([("format", str(FORMAT)), *[(rel, "") for rel in source], ("source", generator)]),
        "packages": of(versions),
        "options": of([("pdf", str(bool(pdfs)))]),
    }
    overrides = _custom_dir(project)
    if overrides is not None:  # the theme's overrides: every file in it, by path and content
        out["theme custom_dir"] = of((rel, digests.file(rel)) for rel in walk(overrides, project.root))
    return out


def _custom_dir(project: Project) -> Path | None:
    """mkdocs.yml's theme.custom_dir, if it names one (a quick look first: most have none)."""
    try:
        raw = project.mkdocs_base.read_bytes()
    except OSError:
        return None
    if b"custom_dir" not in raw:
        return None
    from .site import base_config, custom_dir  # parses mkdocs.yml; an error here is reported by the build

    try:
        return custom_dir(project.mkdocs_base, base_config(project.mkdocs_base))
    except Exception:  # noqa: BLE001 - the build itself reports a broken mkdocs.yml, with its message
        return None


# --------------------------------------------------------------------------------------------------
# What a build wrote


def listing(site: Path) -> list[tuple[str, int, int]]:
    """Every file under a built site, with its size and modification time, sorted by path."""
    out: list[tuple[str, int, int]] = []
    todo = [(str(site), "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                todo.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                st = entry.stat(follow_symlinks=False)
                out.append((f"{prefix}{entry.name}", st.st_size, st.st_mtime_ns))
    out.sort()
    return out


def listing_digest(items: list[tuple[str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, size, mtime in items:
        h.update(f"{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def file_digest(path: str) -> str:
    if os.path.islink(path):
        return "link:" + os.readlink(path)
    with open(path, "rb") as fh:
        return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()


def _content_digest(site: Path, items: list[tuple[str, int, int]]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for rel, _, _ in items:
        if rel != "versions.json":  # the one file a new date rewrites in place: recorded on its own
            h.update(f"{rel}\0{file_digest(os.path.join(site, rel))}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def output_record(site: Path) -> dict[str, str]:
    """What the build wrote into `site`: its listing, its contents, and its versions.json."""
    items = listing(site)
    try:
        versions_json = file_digest(os.path.join(site, "versions.json"))
    except OSError:
        versions_json = MISSING
    return {"listing": listing_digest(items), "content": _content_digest(site, items), "versions_json": versions_json}


def output_intact(project: Project, slug: str, recorded: dict[str, str]) -> bool:
    """Whether site/<slug>/ is exactly what was built: by sizes and times first, by contents only when
    those differ (a restored copy may keep the bytes and change the times)."""
    site = project.site_dir / slug
    if site.is_symlink() or not site.is_dir():
        return False
    items = listing(site)
    if listing_digest(items) == recorded.get("listing"):
        return True
    try:
        now = output_record(site)
    except OSError:
        return False
    return now["content"] == recorded.get("content") and now["versions_json"] == recorded.get("versions_json")


# --------------------------------------------------------------------------------------------------
# The plan


@dataclass
class Plan:
    """What a build will do: rebuild (with the reasons), keep as it is, give a new date, or remove."""

    build: dict[str, list[str]] = field(default_factory=dict)  # slug -> reasons, in build order
    keep: list[str] = field(default_factory=list)
    restamp: list[str] = field(default_factory=list)  # kept; only versions.json's as_of changes
    remove: list[str] = field(default_factory=list)  # built before, and no longer to be (see build())


def _changes(before: dict[str, str], now: dict[str, str], limit: int = 3) -> list[str]:
    changed = sorted(rel for rel in set(before) | set(now) if before.get(rel) != now.get(rel))
    words = []
    for rel in changed[:limit]:
        if before.get(rel, MISSING) == MISSING:
            words.append(f"{rel} added")
        elif now.get(rel, MISSING) == MISSING:
            words.append(f"{rel} removed")
        else:
            words.append(f"{rel} changed")
    if len(changed) > limit:
        words.append(f"{len(changed) - limit} more file{'s' * (len(changed) - limit != 1)}")
    return words


def lost_versions(project: Project, slug: str, entry: dict, digests: Digests) -> list[Problem]:
    """Published version files that a site was built from and that are gone now. A version is never
    deleted (HIPAA keeps each six years): the build refuses rather than drop its permanent page."""
    prefix = f"clinics/{slug}/versions/"
    problems = []
    for rel, before in sorted(entry.get("files", {}).items()):
        if rel.startswith(prefix) and before != MISSING and digests.file(rel) == MISSING:
            problems.append(Problem(
                rel, None, None, "",
                f"this published version was in site/{slug}/ when it was last built, and the file is gone",
                f"restore it from git (git checkout -- {rel}; `git log --all -- {rel}` finds it); only if it "
                f"was published by mistake and never went online, delete {MANIFEST_PATH} "
                "and build again"))
    return problems


def plan(project: Project, slugs: list[str], manifest: Manifest, shared: dict[str, str], as_of: date,
         digests: Digests, *, force: bool = False, removed: Iterable[str] = ()) -> Plan:
    """What to build and why. Raises DataErrors when a published version a site was built from is gone."""
    out = Plan(remove=sorted(removed))
    shared_changes: dict[str, list[str]] = {}
    template_changes: dict[tuple, list[str]] = {}
    lost: list[Problem] = []
    for slug in slugs:
        entry = manifest.clinics.get(slug)
        if entry is not None:
            lost += lost_versions(project, slug, entry, digests)
        if force:
            out.build[slug] = ["--force"]
            continue
        if entry is None:
            out.build[slug] = ["not built before"]
            continue
        sid = entry.get("shared", "")
        if sid not in shared_changes:
            before = manifest.pools["shared"].get(sid, {})
            shared_changes[sid] = [f"{name} changed" for name in sorted(set(shared) | set(before))
                                   if before.get(name) != shared.get(name)]
        reasons = list(shared_changes[sid])
        if not reasons:
            files = entry.get("files", {})
            own = own_files(project, slug)
            reasons = _changes(files, digests.files([*own, *files]))
        if not reasons:
            key = (entry.get("templates", ""), tuple(entry.get("langs", [])))
            if key not in template_changes:
                before = manifest.pools["templates"].get(key[0], {})
                wide = [rel for lang in key[1] for rel in digests.language_files(lang)]
                template_changes[key] = _changes(before, digests.files([*before, *wide]))
            reasons = list(template_changes[key])
        if not reasons and not in_window(entry, as_of):
            reasons = [f"the build date {as_of} is outside {entry.get('valid_from') or '…'} – "
                       f"{entry.get('valid_until') or '…'}, the dates over which its site stays the same"]
        if not reasons and not output_intact(project, slug, entry.get("output", {})):
            reasons = [f"site/{slug}/ is missing or differs from what was built"]
        if not reasons and entry.get("as_of") != as_of.isoformat():
            path = project.site_dir / slug / "versions.json"
            try:
                ok = restamp_versions_json(path.read_bytes(), date.fromisoformat(entry["as_of"]), as_of) is not None
            except (OSError, ValueError, KeyError):
                ok = False
            if not ok:
                reasons = [f"site/{slug}/versions.json is not as built"]
            else:
                out.restamp.append(slug)
                continue
        if reasons:
            out.build[slug] = reasons
        else:
            out.keep.append(slug)
    if lost:
        raise DataErrors(lost)
    return out


def record(project: Project, manifest: Manifest, slug: str, extra: dict[str, str | None], langs: list[str],
           shared: dict[str, str], span: tuple[date | None, date | None], as_of: date, digests: Digests,
           output: dict[str, str]) -> None:
    """Record a clinic just built. Digests are those of the bytes the build used (`extra`), or else
    those `digests` took before the build began: a file edited during the build is seen as changed
    next time."""

    def digest_of(rels: Iterable[str]) -> dict[str, str]:
        rels = list(rels)
        known = digests.files(rel for rel in rels if extra.get(rel) is None)
        return {rel: extra.get(rel) or known[rel] for rel in sorted(set(rels))}

    templates = [rel for rel in extra if rel.startswith("templates/")]
    templates += [rel for lang in langs for rel in digests.language_files(lang)]
    files = [*own_files(project, slug), *(rel for rel in extra if not rel.startswith("templates/"))]
    manifest.changed = True
    manifest.clinics[slug] = {
        "files": digest_of(files),
        "templates": manifest.pooled("templates", digest_of(templates)),
        "langs": langs,
        "shared": manifest.pooled("shared", shared),
        "valid_from": span[0].isoformat() if span[0] else None,
        "valid_until": span[1].isoformat() if span[1] else None,
        "as_of": as_of.isoformat(),
        "output": output,
    }


def stats_to_save(manifest: Manifest, digests: Digests) -> dict[str, list]:
    keep = {rel for slug in manifest.clinics for rel in manifest.inputs(slug)}
    return digests.stats(keep)
