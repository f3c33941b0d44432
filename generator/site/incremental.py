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

The manifest (generator/site/manifest.py) also records what the build wrote: a digest of each site's list of
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
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import DataErrors, Problem
from ..project import Project
from .inputs import MISSING, Digests, own_files
from .manifest import PATH as MANIFEST_PATH
from .manifest import Manifest
from .output import Listings, Shape, outputs_intact

if TYPE_CHECKING:
    from .prepared import Prepared


def shard_of(slug: str, shards: int) -> int:
    """The shard (1..shards) a clinic belongs to: from its name only, so it never moves when other
    clinics come and go."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % shards + 1


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
    for rel, before in entry.get("files", {}).items():  # the manifest keeps them sorted
        if rel.startswith(prefix) and before != MISSING and digests.file(rel) == MISSING:
            problems.append(Problem(
                rel, None, None, "",
                f"this published version was in site/{slug}/ when it was last built, and the file is gone",
                f"restore it from git (git checkout -- {rel}; `git log --all -- {rel}` finds it); only if it "
                f"was published by mistake and never went online, delete {MANIFEST_PATH} "
                "and build again"))
    return problems


def site_shape(manifest: Manifest, slug: str, made: dict[str, Shape | None]) -> Shape | None:
    """The recorded shape of a clinic's site (None: none recorded), made once for all the sites that share it."""
    key = manifest.clinics[slug].get("output", {}).get("shape", "")
    if key not in made:
        paths = manifest.shape(slug)
        made[key] = None if paths is None else Shape(paths)
    return made[key]


def plan(project: Project, slugs: list[str], manifest: Manifest, shared: dict[str, str], as_of: date,
         digests: Digests, *, force: bool = False, removed: Iterable[str] = (),
         listings: Listings | None = None, before_check: Callable[[bool], None] | None = None,
         shapes: dict[str, Shape | None] | None = None) -> Plan:
    """What to build and why. Raises DataErrors when a published version a site was built from is gone.

    listings: the listing digests of sites, under way since before (output.Listings).
    shapes: the recorded shapes made so far, by pool key (those of other sites are added to it).
    before_check: called with whether any clinic is to be built, once the inputs are checked and before
        the sites are: what it does overlaps with listing them."""
    out = Plan(remove=sorted(removed))
    shared_changes: dict[str, list[str]] = {}
    template_changes: dict[tuple, list[str]] = {}
    lost: list[Problem] = []
    unchanged: list[str] = []
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
        if reasons:
            out.build[slug] = reasons
        else:
            unchanged.append(slug)
    if before_check is not None:
        before_check(bool(out.build))
    # Every site whose inputs are unchanged is checked whole, all at once (listed by another process when many).
    made = shapes if shapes is not None else {}
    intact = outputs_intact(project, {slug: (manifest.clinics[slug].get("output", {}), site_shape(manifest, slug, made))
                                      for slug in unchanged}, listings)
    for slug in unchanged:
        entry = manifest.clinics[slug]
        if not intact[slug]:
            out.build[slug] = [f"site/{slug}/ is missing or differs from what was built"]
            continue
        if entry.get("as_of") != as_of.isoformat():
            path = project.site_dir / slug / "versions.json"
            try:
                ok = restamp_versions_json(path.read_bytes(), date.fromisoformat(entry["as_of"]), as_of) is not None
            except (OSError, ValueError, KeyError):
                ok = False
            if not ok:
                out.build[slug] = [f"site/{slug}/versions.json is not as built"]
            else:
                out.restamp.append(slug)
            continue
        out.keep.append(slug)
    out.build = {slug: out.build[slug] for slug in slugs if slug in out.build}  # in the clinics' order
    if lost:
        raise DataErrors(lost)
    return out


def record(project: Project, manifest: Manifest, slug: str, extra: dict[str, str | None], langs: list[str],
           shared: dict[str, str], span: tuple[date | None, date | None], as_of: date, digests: Digests,
           output: dict[str, str], shape: dict[str, str]) -> None:
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
        "output": {**output, "shape": manifest.pooled("shapes", shape)},
    }


def stats_to_save(manifest: Manifest, digests: Digests) -> dict[str, list]:
    keep = {rel for slug in manifest.clinics for rel in manifest.inputs(slug)}
    return digests.stats(keep)
