"""The inputs of a clinic's site: digests of the files it was built from, each read at most once per run.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import reads
from ..notices.translations import catalog_files
from ..project import Project
from ..reads import Reads
from .installed import installed_versions
from .manifest import FORMAT

if TYPE_CHECKING:
    from .prepared import Prepared


MISSING = reads.MISSING
# The packages whose version can change the bytes of a site.
PACKAGES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions", "pyyaml", "pydantic",
            "markupsafe", "babel")
PDF_PACKAGES = ("weasyprint", "pydyf")


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
            path = f"{self._root}{os.sep}{rel}"  # as os.path.join for the relative paths kept here
            try:
                st = os.stat(path)
                key = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
                known = self.known.get(rel)  # from the manifest: used only if of exactly this shape
                if _stat_entry(known) and known[:4] == key:
                    found = known[4]
                elif not stat.S_ISREG(st.st_mode):
                    # A FIFO or a device would block a read or never end it: its kind stands for it, and
                    # the loader reports it where a file belongs (safepath.unsafe).
                    found = f"not a file: {stat.S_IFMT(st.st_mode):o}"
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
        return {rel: memo.get(rel) or file(rel) for rel in dict.fromkeys(rels)}  # callers sort what they show

    def language_files(self, lang: str) -> list[str]:
        if lang not in self._languages:
            self._languages[lang] = language_files(self.project, lang)
        return self._languages[lang]

    def stats(self, keep: set[str]) -> dict[str, list]:
        """What the next run may trust: the files of `keep` seen now (unless changed too recently to
        tell), else as recorded before."""
        limit = self.started_ns - self.RACY_NS
        out = {rel: v for rel, v in self.known.items() if rel in keep and rel not in self.seen and _stat_entry(v)}
        out.update({rel: v for rel, v in self.seen.items() if rel in keep and v[2] < limit})
        return dict(sorted(out.items()))


def _stat_entry(value: object) -> bool:
    """A stats entry as this module records it: [size, mtime_ns, ctime_ns, inode, digest], ints not bools."""
    return (type(value) is list and len(value) == 5 and type(value[0]) is int and type(value[1]) is int
            and type(value[2]) is int and type(value[3]) is int and type(value[4]) is str)


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


def shared_digests(project: Project, pdfs: bool) -> dict[str, str]:
    """Digests of what every clinic's site depends on, by name (the names show in --dry-run)."""

    def of(parts: Iterable[tuple[str, str]]) -> str:
        h = hashlib.blake2b(digest_size=16)
        for name, value in parts:
            h.update(name.encode() + b"\0" + value.encode() + b"\n")
        return h.hexdigest()

    digests = Digests(project)
    package_dir = Path(__file__).resolve().parent.parent  # the whole package: every stage shapes the sites
    source = sorted(p.relative_to(package_dir).as_posix() for p in package_dir.rglob("*.py"))
    generator = of((rel, hashlib.blake2b((package_dir / rel).read_bytes(), digest_size=16).hexdigest())
                   for rel in source)
    names = PACKAGES + (PDF_PACKAGES if pdfs else ())
    found = installed_versions(names)
    versions = [(name, found[name]) for name in names]
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
    from .base import (  # parses mkdocs.yml; an error here is reported by the build
        base_config,
        custom_dir,
    )

    try:
        return custom_dir(project.mkdocs_base, base_config(project.mkdocs_base))
    except Exception:  # noqa: BLE001 - the build itself reports a broken mkdocs.yml, with its message
        return None
