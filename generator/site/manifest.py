"""The build manifest (`.cache/build-manifest.json`): what each clinic's site was built from, and what
the build wrote. Read by every incremental build, so it is trusted for nothing it could harm.

The manifest may come from a shared CI cache, so anyone who can write that cache can write it. It is
therefore only ever a hint: a manifest that is not exactly the shape the build writes (wrong types, a
name that is not a clinic's, a path out of the project, garbage, nesting too deep to parse) is set aside
with one warning, and the build is then a full one. Nothing a manifest says can make a build read or
delete a path of its choosing: sites are removed only under `site/`, by a valid clinic name (see
generator/site/build.py), and inputs are read only by project-relative paths checked here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from ..project import SLUG, Project

FORMAT = 3
PATH = ".cache/build-manifest.json"
_LIMIT = 256 * 1024 * 1024  # a manifest of a few thousand clinics is a few MB; beyond this, not ours
_DIGEST = re.compile(r"^(?:[0-9a-f]{24}|[0-9a-f]{32}|missing)$")
_LANG = re.compile(r"^[a-z]{2,3}$")


def manifest_path(project: Project) -> Path:
    return project.root / PATH


def _pool_key(value: dict[str, str]) -> str:
    h = hashlib.blake2b(digest_size=12)
    for name, digest in sorted(value.items()):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


@dataclass
class Manifest:
    """Per clinic: the digest of each of its own files (clinic.yaml, versions/, group file, logo), the
    set of template files it used and the shared digests (both kept once in `pools`, as most clinics
    share them), its languages, date window, build date and what its output was."""

    clinics: dict[str, dict] = field(default_factory=dict)
    pools: dict[str, dict[str, dict[str, str]]] = field(
        default_factory=lambda: {"templates": {}, "shared": {}, "shapes": {}})
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

    def shape(self, slug: str) -> dict[str, str] | None:
        """The paths of the site as it was built (output.shape_of)."""
        return self.pools["shapes"].get(self.clinics[slug].get("output", {}).get("shape", ""))

    def inputs(self, slug: str) -> dict[str, str]:
        """Every input file of a built clinic, with its digest when it was built."""
        return {**self.clinics[slug].get("files", {}), **self.templates(slug)}

    def data(self) -> dict[str, Any]:
        used = {kind: {e.get(kind) for e in self.clinics.values()} for kind in self.pools}
        used["shapes"] = {e.get("output", {}).get("shape") for e in self.clinics.values()}
        pools = {kind: {k: v for k, v in sorted(items.items()) if k in used[kind]} for kind, items in self.pools.items()}
        return {"format": FORMAT, "clinics": dict(sorted(self.clinics.items())), "pools": pools, "stats": self.stats}


class Invalid(ValueError):
    """The manifest is not one this build writes."""


def load_manifest(project: Project) -> tuple[Manifest, str | None]:
    """The manifest, or an empty one and a one-line reason when there is none that can be trusted."""
    path = manifest_path(project)
    try:
        if path.is_symlink() or not path.is_file():
            return Manifest(), (None if not path.exists() and not path.is_symlink()
                                else f"{PATH} is not a regular file: ignored, every site is rebuilt")
        if path.stat().st_size > _LIMIT:
            raise Invalid("it is too large")
        data = _loads(path.read_bytes())
        return parse(data), None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, Invalid) else type(exc).__name__
        return Manifest(), f"{PATH} is not a build manifest ({reason}): ignored, every site is rebuilt"


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise Invalid(what)


# A project-relative path: parts separated by one "/", none empty, "." or "..", no backslash or NUL.
_PART = r"(?!\.\.?(?:/|\Z))[^/\\\x00]+"
_REL = re.compile(rf"(?:{_PART}/)*{_PART}")


def _rel_path(rel: Any) -> bool:
    return isinstance(rel, str) and _REL.fullmatch(rel) is not None


def _digests(value: Any, what: str, names: bool = False, paths: set[str] | None = None) -> dict[str, str]:
    # Checked in one pass, the message made only for what fails: a manifest holds ~100,000 of these.
    # `paths`: those already found to be project paths (the same paths recur in files and stats). A
    # digest is only ever compared with one made here, so any string will do: a wrong one rebuilds.
    _need(isinstance(value, dict), f"{what} is not a mapping")
    full = _REL.fullmatch
    seen = paths if paths is not None else set()
    for key, digest in value.items():
        if key not in seen:
            if not (isinstance(key, str) and (names or full(key) is not None)):
                raise Invalid(f"{what}: {key!r} is not a project path")
            if not names:
                seen.add(key)
        if type(digest) is not str:
            raise Invalid(f"{what}: {key!r} has no digest")
    return value


def _date(value: Any, what: str, optional: bool = True) -> None:
    if value is None and optional:
        return
    _need(isinstance(value, str), f"{what} is not a date")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{what} is not a date") from None


def parse(data: Any) -> Manifest:
    """A Manifest from parsed JSON, checked field by field; raises Invalid."""
    _need(isinstance(data, dict), "not a mapping")
    _need(data.get("format") == FORMAT, "another format")
    clinics, pools, stats = data.get("clinics"), data.get("pools"), data.get("stats", {})
    _need(isinstance(clinics, dict) and isinstance(pools, dict) and isinstance(stats, dict), "wrong shape")
    templates, shared, shapes = pools.get("templates", {}), pools.get("shared", {}), pools.get("shapes", {})
    _need(isinstance(templates, dict) and isinstance(shared, dict) and isinstance(shapes, dict), "pools: wrong shape")
    for key, value in templates.items():
        _digests(value, f"pools.templates.{key}")
    for key, value in shared.items():
        _digests(value, f"pools.shared.{key}", names=True)
    for key, value in shapes.items():
        # Each path's folder is in the shape too: a site is listed by it parents first, and a folder that
        # has become a link is then seen as such, never looked through.
        _need(isinstance(value, dict) and all(_rel_path(rel) and kind in ("d", "f") and (
            "/" not in rel or value.get(rel.rpartition("/")[0]) == "d") for rel, kind in value.items()),
              f"pools.shapes.{key}")
    paths: set[str] = set()
    for slug, entry in clinics.items():
        what = f"clinics.{slug}"
        _need(isinstance(slug, str) and bool(SLUG.match(slug)), f"{slug!r} is not a clinic's name")
        _need(isinstance(entry, dict), f"{what} is not a mapping")
        _digests(entry.get("files"), f"{what}.files", paths=paths)
        _need(type(entry.get("templates")) is str and entry["templates"] in templates
              and type(entry.get("shared")) is str and entry["shared"] in shared, f"{what}: unknown pool")
        langs = entry.get("langs")
        _need(isinstance(langs, list) and all(isinstance(x, str) and _LANG.match(x) for x in langs),
              f"{what}.langs")
        _date(entry.get("valid_from"), f"{what}.valid_from")
        _date(entry.get("valid_until"), f"{what}.valid_until")
        _date(entry.get("as_of"), f"{what}.as_of", optional=False)
        output = entry.get("output")
        _need(isinstance(output, dict) and set(output) == {"listing", "content", "versions_json", "shape"}
              and isinstance(output["shape"], str) and output["shape"] in shapes
              and all(isinstance(output[k], str) and _DIGEST.match(output[k])
                      for k in ("listing", "content", "versions_json")), f"{what}.output")
    # stats are not checked here, entry by entry (~20 a clinic): an entry is only looked up by a path the
    # build made, and used only when it is exactly of the shape recorded (inputs.Digests.file).
    return Manifest(clinics, {"templates": templates, "shared": shared, "shapes": shapes}, stats)


def encode(manifest: Manifest) -> bytes:
    data = manifest.data()
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS) + b"\n"
    except TypeError:  # a file name that is not UTF-8 (kept as surrogates): written escaped, as json does
        return (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode("ascii")


def _loads(raw: bytes) -> Any:
    """orjson's reading (nesting too deep is a ValueError), or the standard library's for what orjson
    refuses and `encode` may write: a file name's surrogates, escaped."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        if b"\\ud" not in raw.lower():
            raise
        return json.loads(raw.decode("utf-8"))


def write_file(path: Path, data: bytes) -> None:
    """Write whole or not at all: a kill leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_manifest(project: Project, manifest: Manifest) -> None:
    write_file(manifest_path(project), encode(manifest))
