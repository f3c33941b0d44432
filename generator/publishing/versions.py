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
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..data.load import Project
from ..errors import DataErrors, NoticesError, Problem
from ..safepath import unsafe

MATERIAL, TECHNICAL = "material", "technical"
IMPORTED = "imported"
_NAME = re.compile(r"^v([1-9][0-9]{0,4})\.json$")
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
        if folder.is_dir():
            entries = sorted(folder.iterdir(), key=_number_of)
            # Every file first: a link out of the clinic's folder is never read (a version would publish it).
            outside = [_outside(project, slug, path) for path in entries]
            if any(outside):
                problems += [p for p in outside if p]
                entries = []
            for path in entries:
                if path.suffix == ".md" and re.match(r"^v\d+(\.[a-z]{2})?\.md$", path.name):
                    continue  # content files, read with their record
                if SOURCE_FILE.match(path.name):
                    sources.append(path)  # checked against the record that names it, below
                    continue
                version, problem = _read(project, path, notice)
                if problem:
                    problems.append(problem)
                elif version:
                    found.append(version)
        problems += _check_sources(project, folder, found, sources)
        numbers = [v.number for v in found]
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
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


def _number_of(path: Path) -> tuple[int, str]:
    match = re.match(r"^v(\d+)\.", path.name)
    return (int(match.group(1)) if match else 0, path.name)


def _read(project: Project, path: Path, notice: str) -> tuple[Version | None, Problem | None]:
    shown = project.rel(path)
    match = _NAME.match(path.name)
    if not match:
        return None, Problem(shown, None, None, "", "is not a version file",
                             "a versions folder holds only v<N>.json and v<N>.md files; move this file away")
    content_path = path.with_suffix(".md")
    try:
        record = _Record.model_validate(json.loads(path.read_text(encoding="utf-8")))
        content = content_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, Problem(project.rel(content_path), None, None, "", "is missing",
                             "restore it from git: a published version is never deleted")
    except (ValueError, ValidationError) as exc:
        return None, Problem(shown, None, None, "", f"is not a valid version record: {str(exc).splitlines()[0]}",
                             "restore it from git: published versions are never edited")
    fields = record.model_dump(exclude={"sha256", "translations", "source"})
    if record.source is not None:
        fields["source"] = Source(**record.source.model_dump())
    translations = []
    for code, info in sorted(record.translations.items()):
        other = path.with_name(f"{path.stem}.{code}.md")
        if not re.match(r"^[a-z]{2}$", code) or not other.is_file():
            return None, Problem(project.rel(other), None, None, "", "is missing",
                                 "restore it from git: a published version is never deleted")
        translations.append((code, info.get("title", ""), other.read_text(encoding="utf-8")))
    version = Version(**fields, content=content, translations=tuple(translations))
    if record.number != int(match.group(1)) or record.notice != notice:
        return None, Problem(shown, None, None, "number", "does not match the file name",
                             "restore it from git: published versions are never edited")
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


def next_version(existing: list[Version], notice: str, lang: str, title: str, content: str, *,
                 effective: date | None, today: date, summary: str, approved_by: str, technical: bool,
                 allow_findings: str | None = None,
                 translations: tuple[tuple[str, str, str], ...] = ()) -> Version:
    """The version that publishing `content` would create. Refuses, with the reason and the fix."""
    if not summary.strip():
        raise NoticesError("--summary is empty: say in a sentence what changed, for the history and the feeds")
    if not approved_by.strip():
        raise NoticesError("--approved-by is empty: name who approved this version")
    latest = existing[-1] if existing else None
    if latest and latest.content == content and latest.title == title and latest.translations == translations:
        raise NoticesError(f"{notice}: nothing changed since version {latest.number}; "
                           "edit the clinic's data or the templates first (see `notices diff`)")
    if technical:
        effective = effective or today
        if effective != today:
            raise NoticesError("a technical version takes effect at once: leave out --effective, "
                               "or publish it as a material change")
        if latest is None:
            raise NoticesError("the first version of a notice is a material one: leave out --technical")
    else:
        if effective is None:
            raise NoticesError("a material change needs --effective YYYY-MM-DD (today or later)")
        if effective < today:
            raise NoticesError(f"--effective {effective} is before today ({today}): a material change may not "
                               "take effect before it is published; choose today or a later date")
    if latest and effective < latest.effective:
        raise NoticesError(f"--effective {effective} is before version {latest.number}'s effective date "
                           f"({latest.effective}); choose {latest.effective} or later")
    return Version(notice=notice, number=(latest.number + 1 if latest else 1), lang=lang, title=title,
                   effective=effective, published=today, approved_by=approved_by.strip(),
                   summary=summary.strip(), kind=TECHNICAL if technical else MATERIAL, content=content,
                   allow_findings=allow_findings, translations=translations,
                   previous=latest.digest() if latest else None)


def write_version(project: Project, slug: str, version: Version, original: bytes | None = None) -> None:
    """Store a new version (with `original`, the file an imported version came from). Never overwrites:
    an existing file is an error, and nothing is written. The record is written last, so a version
    is never found without its content."""
    folder = versions_dir(project, slug, version.notice)
    json_path, md_path = folder / f"v{version.number}.json", folder / f"v{version.number}.md"
    others = [(folder / f"v{version.number}.{code}.md", text) for code, _, text in version.translations]
    source_path = folder / version.source.file if version.source else None
    if (source_path is None) != (original is None):
        raise ValueError("an imported version is written with its original file, and only it")
    for path in (json_path, md_path, *(p for p, _ in others), *([source_path] if source_path else [])):
        if path.exists():
            raise NoticesError(f"{project.rel(path)} already exists: a published version is never overwritten; "
                               "restore the versions folder from git")
    folder.mkdir(parents=True, exist_ok=True)
    if source_path is not None and original is not None:
        with source_path.open("xb") as fb:
            fb.write(original)
    # 'x' refuses to open a file that exists, should one appear between the check and the write.
    with md_path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(version.content)
    for path, text in others:
        with path.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    with json_path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(version.record(), indent=2, ensure_ascii=False) + "\n")


def publish(project: Project, slug: str, existing: list[Version], notice: str, lang: str, title: str,
            content: str, **options: object) -> Version:
    version = next_version(existing, notice, lang, title, content, **options)  # type: ignore[arg-type]
    write_version(project, slug, version)
    return version
