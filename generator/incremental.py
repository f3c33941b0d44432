"""What a clinic's site depends on, and whether it must be rebuilt: fingerprints, date windows, manifest.

A clinic's site is a function of
- its own files: `clinics/<slug>/clinic.yaml` and every file under `clinics/<slug>/versions/`;
- the files its data names: its group file and its logo;
- the templates it uses: the page templates, the notice templates of its own notices and every partial
  those include (found by parsing the templates: a change to `privacy-ca.md.j2` rebuilds Canadian
  clinics only); and for each of its languages, its words: `templates/<lang>/` and its catalog
  `templates/locale/<lang>/LC_MESSAGES/messages.{po,mo}` (a change to French rebuilds French-speaking
  clinics only);
- what every clinic shares: `mkdocs.yml`, `templates/assets/`, the generator's own source, the versions
  of the packages that shape the output, and the build's options (`--pdf`);
- the build date, only through which versions are in force, scheduled, archived or announced. Those
  change only on dates the versions name, so each clinic's entry stores the window of dates over which
  its site stays the same. Inside the window, a new date changes one byte-range of the output: the
  `as_of` field of `versions.json`, which is rewritten in place (checked to give the exact bytes a
  full build gives).

The manifest (`.cache/build-manifest.json`, beside the PDF cache and outside `site/` so that the
published folder holds only sites) records, per clinic, the digest of every input file, the shared
digests, the date window and a digest of the output, so that deciding that nothing changed reads raw
files only: no YAML is parsed, no template rendered. A site whose `index.html` or `versions.json` is
missing or differs from what was recorded (say, `site/` was restored from an older cache) is rebuilt.
It also records each file's size, times and inode, so that the next check reads only files that
changed (see `Digests`); after a fresh checkout every file is read and hashed.

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

from .project import TEMPLATE_SUFFIX, Project
from .translations import catalog_files

if TYPE_CHECKING:
    from .prepare import Prepared

MANIFEST_FORMAT = 1
MANIFEST_PATH = ".cache/build-manifest.json"
MISSING = "missing"
# The packages whose version can change the bytes of a site.
PACKAGES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions", "pyyaml", "pydantic",
            "markupsafe", "babel")
PDF_PACKAGES = ("weasyprint", "pydyf")


def manifest_path(project: Project) -> Path:
    return project.root / MANIFEST_PATH


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


def page_templates(project: Project) -> list[str]:
    """The site's page templates, which every clinic's site uses."""
    return [rel for rel in walk(project.templates_dir / "pages", project.root) if rel.endswith(TEMPLATE_SUFFIX)]


# --------------------------------------------------------------------------------------------------
# Template dependencies

_REFS: dict[tuple, tuple[str, ...] | None] = {}
# {% include|import|from|extends ... %}: the statements that load another template.
_STATEMENT = re.compile(r"\{%[-+]?\s*(?:include|import|from|extends)\b(.*?)[-+]?%\}", re.S)
# ... naming it by one string literal, with only the words Jinja allows after it.
_LITERAL = re.compile(r"""\s*(["'])([^"'\\]+)\1(?:\s+ignore\s+missing)?"""
                      r"""(?:\s+as\s+\w+|\s+import\s+[\w\s,]+?)?(?:\s+(?:with|without)\s+context)?\s*$""", re.S)


def references(source: str) -> tuple[str, ...] | None:
    """The templates a template's source loads, by name; None if one is named by an expression.
    A quick scan; anything it does not recognise goes to Jinja's own parser. A statement inside a
    comment counts too: an extra dependency costs a rebuild, never a stale site."""
    names = []
    for match in _STATEMENT.finditer(source):
        literal = _LITERAL.match(match.group(1))
        if literal is None:
            import jinja2  # rarely needed: not imported by a build that has nothing to do
            import jinja2.meta

            try:
                found = list(jinja2.meta.find_referenced_templates(jinja2.Environment().parse(source)))
            except jinja2.TemplateSyntaxError:
                return None
            return None if any(n is None for n in found) else tuple(n for n in found if n)
        names.append(literal.group(2))
    return tuple(names)


def _references(project: Project, rel: str) -> tuple[str, ...] | None:
    """references() of a template file, memoised by the file's identity and time."""
    try:
        st = (project.root / rel).stat()
        key: tuple = (str(project.root), rel, st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        return ()
    if key not in _REFS:
        if len(_REFS) >= 5000:
            _REFS.clear()
        try:
            _REFS[key] = references((project.root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            _REFS[key] = ()  # a missing or unreadable template fails the build itself
    return _REFS[key]


def template_files(project: Project, langs: Iterable[str], notice_templates: Iterable[str]) -> list[str]:
    """The template files a clinic's site depends on (see the module's docstring)."""
    out: set[str] = set()
    for lang in langs:
        out.update(language_files(project, lang))
    todo = [f"templates/{name}" for name in notice_templates] + page_templates(project)
    seen: set[str] = set()
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        refs = _references(project, rel)
        if refs is None:  # an include we cannot follow: every template counts
            seen.update(r for r in walk(project.templates_dir, project.root) if r.endswith(TEMPLATE_SUFFIX))
            break
        todo += [f"templates/{name}" for name in refs]
    out.update(seen)
    return sorted(out)


def dependencies(project: Project, p: Prepared) -> tuple[list[str], list[str]]:
    """(the files of a built clinic that its own folder does not hold: group, logo, templates; its
    languages). Own files (clinic.yaml, versions/) are found afresh every run."""
    from .render import template_name  # the data model: only needed once a clinic is built

    clinic = p.loaded.clinic
    extra = [project.rel(f) for f in p.loaded.files[1:]]  # the group file
    if clinic.branding.logo:
        extra.append(project.rel(project.clinic_dir(p.loaded.slug) / clinic.branding.logo))
    notices = sorted({template_name(clinic, n) for n in clinic.notices})
    # The clinic's languages, and those its versions were published in (their labels stamp the embeds).
    langs = list(dict.fromkeys([*clinic.languages, *sorted({lang for vs in p.versions.values() for v in vs
                                                            for lang in v.langs})]))
    extra += template_files(project, langs, notices)
    return sorted(set(extra)), langs


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
    return {
        "mkdocs.yml": digests.file(project.rel(project.mkdocs_base)),
        "templates/assets": of((rel, digests.file(rel)) for rel in assets),
        "generator": of([("format", str(MANIFEST_FORMAT)), *[(rel, "") for rel in source], ("source", generator)]),
        "packages": of(versions),
        "options": of([("pdf", str(bool(pdfs)))]),
    }


OUTPUT_FILES = ("index.html", "versions.json")


def output_digest(project: Project, slug: str, digests: Digests) -> str:
    """A digest of the built site's index.html and versions.json, as they are now."""
    parts = [digests.file(f"site/{slug}/{name}", memo=False) for name in OUTPUT_FILES]
    if MISSING in parts:
        return MISSING
    return hashlib.blake2b("".join(parts).encode(), digest_size=16).hexdigest()


# --------------------------------------------------------------------------------------------------
# The manifest and the plan


def _pool_key(value: dict[str, str]) -> str:
    h = hashlib.blake2b(digest_size=12)
    for name, digest in sorted(value.items()):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


@dataclass
class Manifest:
    """Per clinic: the digest of each of its own files (clinic.yaml, versions/, group file, logo), the
    set of template files it used and the shared digests (both kept once in `pools`, as most clinics
    share them), its languages, date window, build date and the digest of its output."""

    clinics: dict[str, dict] = field(default_factory=dict)
    pools: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: {"templates": {}, "shared": {}})
    stats: dict[str, list] = field(default_factory=dict)  # rel -> [size, mtime_ns, ctime_ns, inode, digest]
    changed: bool = False  # since it was loaded

    def pooled(self, kind: str, value: dict[str, str]) -> str:
        key = _pool_key(value)
        self.pools[kind].setdefault(key, dict(value))
        return key

    def templates(self, slug: str) -> dict[str, str]:
        return self.pools["templates"].get(self.clinics[slug].get("templates", ""), {})

    def shared(self, slug: str) -> dict[str, str]:
        return self.pools["shared"].get(self.clinics[slug].get("shared", ""), {})

    def inputs(self, slug: str) -> dict[str, str]:
        """Every input file of a built clinic, with its digest when it was built."""
        return {**self.clinics[slug].get("files", {}), **self.templates(slug)}


def load_manifest(project: Project) -> Manifest:
    try:
        data = json.loads(manifest_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("clinics"), dict)
            or not isinstance(data.get("pools"), dict)):
        return Manifest()
    stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
    return Manifest(data["clinics"], {"templates": data["pools"].get("templates", {}),
                                      "shared": data["pools"].get("shared", {})}, stats)


def stats_to_save(manifest: Manifest, digests: Digests) -> dict[str, list]:
    keep = {rel for slug in manifest.clinics for rel in manifest.inputs(slug)}
    keep |= {f"site/{slug}/{name}" for slug in manifest.clinics for name in OUTPUT_FILES}
    return digests.stats(keep)


def save_manifest(project: Project, manifest: Manifest, digests: Digests | None = None) -> None:
    used = {kind: {e.get(kind) for e in manifest.clinics.values()} for kind in manifest.pools}
    pools = {kind: {k: v for k, v in sorted(items.items()) if k in used[kind]} for kind, items in manifest.pools.items()}
    stats = manifest.stats if digests is None else stats_to_save(manifest, digests)
    data = {"format": MANIFEST_FORMAT, "clinics": dict(sorted(manifest.clinics.items())), "pools": pools,
            "stats": stats}
    path = manifest_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)


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


def plan(project: Project, slugs: list[str], manifest: Manifest, shared: dict[str, str], as_of: date,
         digests: Digests, *, force: bool = False, removed: Iterable[str] = ()) -> Plan:
    out = Plan(remove=sorted(removed))
    shared_changes: dict[str, list[str]] = {}
    template_changes: dict[tuple, list[str]] = {}
    for slug in slugs:
        entry = manifest.clinics.get(slug)
        if force:
            out.build[slug] = ["--force"]
            continue
        if entry is None:
            out.build[slug] = ["not built before"]
            continue
        sid = entry.get("shared", "")
        if sid not in shared_changes:
            before = manifest.pools["shared"].get(sid, {})
            shared_changes[sid] = [f"{name} changed" for name in sorted(shared) if before.get(name) != shared[name]]
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
        if not reasons and output_digest(project, slug, digests) != entry.get("output"):
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
    return out


def record(project: Project, manifest: Manifest, slug: str, extra: list[str], langs: list[str],
           shared: dict[str, str], span: tuple[date | None, date | None], as_of: date, digests: Digests) -> None:
    """Record a clinic just built. Input digests come from `digests`, which read the files before the
    build began: a file edited during the build is seen as changed next time."""
    templates = [rel for rel in extra if rel.startswith("templates/")]
    templates += [rel for lang in langs for rel in digests.language_files(lang)]
    files = [*own_files(project, slug), *(rel for rel in extra if not rel.startswith("templates/"))]
    manifest.changed = True
    manifest.clinics[slug] = {
        "files": digests.files(files),
        "templates": manifest.pooled("templates", digests.files(templates)),
        "langs": langs,
        "shared": manifest.pooled("shared", shared),
        "valid_from": span[0].isoformat() if span[0] else None,
        "valid_until": span[1].isoformat() if span[1] else None,
        "as_of": as_of.isoformat(),
        "output": output_digest(project, slug, digests),
    }
