"""Published versions: freeze, verify, and answer "which version was in force on a date".

A version is data, stored beside the clinic and committed by the user:
    clinics/<slug>/versions/<notice>/v<N>.md     the frozen Markdown body, exactly as published
    clinics/<slug>/versions/<notice>/v<N>.json   number, dates, approver, summary, kind, sha256
The hash covers the record and the content, so any edit to either is caught by every build.
Publishing only ever creates new files; it never rewrites one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..data import notice_kinds
from ..data.load import Project
from ..data.yamlsafe import NOT_XML
from ..errors import DataErrors, Problem
from ..files import Unreadable, read_regular
from ..safepath import unsafe

try:  # POSIX: two publishes of one notice at once are refused rather than raced.
    import fcntl
except ImportError:  # pragma: no cover - Windows: the 'x' opens below still refuse the second one
    fcntl = None  # type: ignore[assignment]

MATERIAL, TECHNICAL = "material", "technical"
IMPORTED = "imported"
NOTICES = notice_kinds.KEYS  # every notice any clinic can have (Clinic.notices)
_NAME = re.compile(r"^v([1-9][0-9]{0,4})\.json$")
MAX_VERSION_BYTES = 5_000_000  # a notice's text is tens of kilobytes
# The original file of an imported version, kept beside it: what the clinic published, byte for byte.
SOURCE_FILE = re.compile(r"^v([1-9][0-9]{0,4})\.source\.(pdf|html|txt)$")
SOURCE_SUFFIX = {"pdf": "pdf", "html": "html", "text": "txt"}


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    origin: str = Field(pattern=f"^{IMPORTED}$")
    format: str = Field(pattern="^(pdf|html|text)$")
    name: str
    file: str = Field(pattern=SOURCE_FILE.pattern)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    bytes: int = Field(ge=1)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notice: str
    number: int = Field(ge=1)
    lang: str
    title: str
    effective: date
    published: date
    approved_by: str
    summary: str
    kind: str = Field(pattern=f"^({MATERIAL}|{TECHNICAL})$")
    allow_findings: Optional[str] = None
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)
    previous: Optional[str] = Field(None, pattern="^[0-9a-f]{64}$")
    source: Optional[_Source] = None
    checklist: Optional[int] = Field(None, ge=1)
    sha256: str


@dataclass(frozen=True)
class Source:
    """Where an imported version's text came from: the clinic's own notice, as it published it.
    `name` is the file's name when it was imported; `file` the copy kept beside the version."""

    origin: str
    format: str  # pdf (text extracted), html (readable text extracted), text (as is)
    name: str
    file: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Version:
    notice: str
    number: int
    lang: str
    title: str
    effective: date
    published: date
    approved_by: str
    summary: str
    kind: str
    content: str
    allow_findings: Optional[str] = None
    # Other languages, frozen with the first: lang -> (title, content). Kept in v<N>.<lang>.md.
    translations: tuple[tuple[str, str, str], ...] = ()
    # The hash of the version before it: the history is a chain, so a version removed or replaced in
    # the middle is caught without git. Absent in versions published before the chain was kept.
    previous: Optional[str] = None
    # Set only on a version recorded by `notices import`: its content is the clinic's own text, not ours.
    # Absent from every other record, so they keep their hash.
    source: Optional[Source] = None
    # The version of shared/compliance/checklist.md the text was checked against when it was published.
    # Absent in versions published before it was recorded (and in imported ones, which are not checked),
    # so they keep their hash.
    checklist: Optional[int] = None

    @property
    def imported(self) -> bool:
        return self.source is not None

    @property
    def markdown(self) -> str:
        """The content as Markdown for a page or PDF. Ours is Markdown already; an imported text is the
        clinic's words, untrusted, so it is escaped to show literally (generator/publishing/importing.py)."""
        if self.source is None:
            return self.content
        from .importing import display_markdown

        return display_markdown(self.content, self.source.format)

    @property
    def material(self) -> bool:
        return self.kind == MATERIAL

    @property
    def langs(self) -> list[str]:
        return [self.lang, *(t[0] for t in self.translations)]

    def text_in(self, lang: str) -> tuple[str, str] | None:
        """(title, content) in a language, or None if this version was not published in it."""
        if lang == self.lang:
            return self.title, self.content
        return next(((title, content) for code, title, content in self.translations if code == lang), None)

    @property
    def slug_path(self) -> str:
        return f"{self.notice}/v{self.number}"

    def digest(self) -> str:
        # Translations are hashed with the first language's text, each under its code.
        content = self.content + "".join(f"\n\x00{code}\n{text}" for code, _, text in self.translations)
        return content_hash(self._record_without_hash(), content)

    def _record_without_hash(self) -> dict:
        record = asdict(self)
        record.pop("content")
        translations = record.pop("translations")
        for key in ("effective", "published"):
            record[key] = record[key].isoformat()
        if translations:  # absent when there are none, so single-language records keep their hash
            record["translations"] = {code: {"title": title} for code, title, _ in translations}
        if record["previous"] is None:  # absent in records from before the chain: they keep their hash
            del record["previous"]
        if record["source"] is None:  # absent unless imported: every other record keeps its hash
            del record["source"]
        if record["checklist"] is None:  # absent in records from before it was kept: they keep their hash
            del record["checklist"]
        return record

    def record(self) -> dict:
        return {**self._record_without_hash(), "sha256": self.digest()}


def content_hash(record: dict, content: str) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((canonical + "\n" + content).encode("utf-8")).hexdigest()


def versions_dir(project: Project, slug: str, notice: str) -> Path:
    return project.clinic_dir(slug) / "versions" / notice


def load_versions(project: Project, slug: str, notices: list[str]) -> dict[str, list[Version]]:
    """Every version of every notice, oldest first, each verified. Raises DataErrors naming any bad file."""
    result: dict[str, list[Version]] = {}
    problems: list[Problem] = []
    for notice in notices:
        folder = versions_dir(project, slug, notice)
        found: list[Version] = []
        sources: list[Path] = []
        present: set[int] = set()  # records there, read or not: a bad one is not also "missing"
        if folder.is_dir():
            entries = sorted(folder.iterdir(), key=_number_of)
            # Every file first: a link out of the clinic's folder is never read (a version would publish it).
            outside = _outside_all(project, slug, folder)
            if outside:
                problems += outside
                entries = []
            for path in entries:
                if path.suffix == ".md" and re.match(r"^v\d+(\.[a-z]{2})?\.md$", path.name):
                    continue  # content files, read with their record
                if SOURCE_FILE.match(path.name):
                    sources.append(path)  # checked against the record that names it, below
                    continue
                match = _NAME.match(path.name)
                if match:
                    present.add(int(match.group(1)))
                version, problem = _read(project, path, notice)
                if problem:
                    problems.append(problem)
                elif version:
                    found.append(version)
        problems += _check_sources(project, folder, found, sources)
        missing = sorted(set(range(1, max(present, default=0) + 1)) - present)
        for n in missing:
            problems.append(Problem(project.rel(folder / f"v{n}.json"), None, None, "", "is missing",
                                    "versions run v1, v2, … with none missing: restore it from git"))
        by_number = {v.number: v for v in found}
        for v in found:
            before = by_number.get(v.number - 1)
            if v.previous is not None and before is not None and v.previous != before.digest():
                problems.append(Problem(
                    project.rel(folder / f"v{v.number}.json"), None, None, "previous",
                    f"does not follow version {before.number} as published (v{before.number} was replaced "
                    "after this version was published)", f"restore {project.rel(folder)}/ from git"))
        result[notice] = found
    if problems:
        raise DataErrors(problems)
    return result


def _outside(project: Project, slug: str, path: Path) -> Problem | None:
    reason = unsafe(project.clinic_dir(slug), path, folders=True)
    return Problem(project.rel(path), None, None, "", reason,
                   "a published version is a file of the clinic's own folder: restore it from git") if reason else None


def _outside_all(project: Project, slug: str, folder: Path) -> list[Problem]:
    """`_outside` for every entry of a versions folder. The folder is checked once: inside it, only a
    link, or something neither a file nor a folder, can be unsafe, so only those are checked on their own
    (a real path each costs a `stat` per part of the path, and a clinic's history has hundreds of files)."""
    problem = _outside(project, slug, folder)
    if problem:
        return [problem]
    with os.scandir(folder) as listing:
        odd = sorted((Path(entry.path) for entry in listing if entry.is_symlink() or not (
            entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False))), key=_number_of)
    return [p for path in odd if (p := _outside(project, slug, path))]


def _number_of(path: Path) -> tuple[int, str]:
    match = re.match(r"^v(\d+)\.", path.name)
    return (int(match.group(1)) if match else 0, path.name)


_RESTORE = "restore it from git: published versions are never edited"


def _text(project: Project, path: Path) -> tuple[str | None, Problem | None]:
    """A version file's text, or why it cannot be one: a published file is a regular UTF-8 file."""
    shown = project.rel(path)
    try:
        raw = read_regular(path, MAX_VERSION_BYTES)
    except Unreadable as exc:
        missing = str(exc) == "is missing"
        return None, Problem(shown, None, None, "", str(exc),
                             "restore it from git: a published version is never deleted" if missing else _RESTORE)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, Problem(shown, line, exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1, "",
                             f"is not UTF-8 text (byte {exc.start})", _RESTORE)
    bad = unpublishable(text)
    if bad:
        return None, Problem(shown, text.count("\n", 0, bad[0]) + 1, None, "", bad[1], _RESTORE)
    return text, None


def unpublishable(text: str) -> tuple[int, str] | None:
    """Where `text` holds a character that XML 1.0 cannot carry (feeds are XML), and which."""
    found = NOT_XML.search(text)
    if found is None:
        return None
    return found.start(), f"holds the character U+{ord(found.group()):04X}, which cannot be published"


def _record_problem(shown: str, text: str, exc: ValueError) -> Problem:
    if isinstance(exc, json.JSONDecodeError):
        return Problem(shown, exc.lineno, exc.colno, "", f"is not a valid version record: {exc.msg}", _RESTORE)
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in err["loc"])
        at = re.search(r'^\s*"' + re.escape(str(err["loc"][0])) + r'"\s*:', text, re.M) if err["loc"] else None
        line = text.count("\n", 0, at.start()) + 1 if at else None
        return Problem(shown, line, None, key, f"is not a valid version record: {err['msg']}", _RESTORE)
    return Problem(shown, None, None, "", f"is not a valid version record: {exc}", _RESTORE)


def _read(project: Project, path: Path, notice: str) -> tuple[Version | None, Problem | None]:
    shown = project.rel(path)
    match = _NAME.match(path.name)
    if not match:
        return None, Problem(shown, None, None, "", "is not a version file",
                             "a versions folder holds only v<N>.json and v<N>.md files; move this file away")
    record_text, problem = _text(project, path)
    if problem:
        return None, problem
    assert record_text is not None
    try:
        data = json.loads(record_text)
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        record = _Record.model_validate(data)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and ValidationError are ValueErrors
        if isinstance(exc, RecursionError):
            exc = ValueError("it is nested too deeply")
        return None, _record_problem(shown, record_text, exc)
    content, problem = _text(project, path.with_suffix(".md"))
    if problem:
        return None, problem
    fields = record.model_dump(exclude={"sha256", "translations", "source"})
    if record.source is not None:
        fields["source"] = Source(**record.source.model_dump())
    translations = []
    for code, info in sorted(record.translations.items()):
        if not re.match(r"^[a-z]{2}$", code):
            return None, Problem(shown, None, None, f"translations.{code}", "is not a language code", _RESTORE)
        text, problem = _text(project, path.with_name(f"{path.stem}.{code}.md"))
        if problem:
            return None, problem
        translations.append((code, info.get("title", ""), text))
    version = Version(**fields, content=content, translations=tuple(translations))  # type: ignore[arg-type]
    for key, value in (("title", record.title), ("summary", record.summary), ("approved_by", record.approved_by),
                       ("allow_findings", record.allow_findings or ""),
                       *((f"translations.{c}.title", t) for c, t, _ in translations)):
        bad = unpublishable(value)
        if bad:
            return None, Problem(shown, None, None, key, bad[1], _RESTORE)
    if record.number != int(match.group(1)) or record.notice != notice:
        return None, Problem(shown, None, None, "number", "does not match the file name", _RESTORE)
    if version.digest() != record.sha256:
        return None, Problem(shown, None, None, "sha256",
                             "the published version was altered after publishing (its hash does not match)",
                             "restore it from git; to change a notice, publish a new version")
    return version, None


def _check_sources(project: Project, folder: Path, found: list[Version], files: list[Path]) -> list[Problem]:
    """Each imported version's original file is there, as imported; and no such file is there without
    a version that names it (it would be published with nothing vouching for it)."""
    problems = []
    named = {v.source.file: v for v in found if v.source is not None}
    for path in files:
        if path.name not in named:
            problems.append(Problem(project.rel(path), None, None, "", "is the original file of no imported version",
                                    "a versions folder holds only what `notices import` and `notices publish` "
                                    "wrote; move this file away"))
    for name, v in sorted(named.items()):
        path = folder / name
        expected = f"v{v.number}.source.{SOURCE_SUFFIX[v.source.format]}"
        try:
            data = path.read_bytes() if name == expected else None
        except FileNotFoundError:
            problems.append(Problem(project.rel(path), None, None, "", "is missing (the original file of an imported "
                                    "version)", "restore it from git: a published version is never deleted"))
            continue
        if data is None or len(data) != v.source.bytes or hashlib.sha256(data).hexdigest() != v.source.sha256:
            problems.append(Problem(project.rel(path), None, None, "sha256",
                                    "the original file of an imported version was altered (its hash does not match)",
                                    "restore it from git: published versions are never edited"))
    return problems


def in_force(versions: list[Version], on: date) -> Version | None:
    current = None
    for version in versions:
        if version.effective <= on:
            current = version
    return current


def scheduled(versions: list[Version], as_of: date) -> list[Version]:
    return [v for v in versions if v.effective > as_of]


def announced(version: Version, as_of: date, banner_days: int) -> bool:
    """Whether a version is being announced on `as_of`: a material change (a first version changes
    nothing), from its publication until `banner_days` after it takes effect. Banner, feeds and email
    all follow this one rule."""
    return (version.material and version.number > 1 and version.published <= as_of
            <= version.effective + timedelta(days=banner_days))


def superseded_on(versions: list[Version], version: Version) -> date | None:
    """The date a version stopped being in force, if a later one has taken over."""
    later = [v.effective for v in versions if v.number > version.number]
    return min(later) if later else None










