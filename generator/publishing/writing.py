"""Publishing a version: what the next one would be, refused with the reason and the fix, and writing it\nonce (never over a file, one publish of a notice at a time).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from ..data.load import Project
from ..errors import NoticesError
from ..project import check_slug
from .versions import MATERIAL, NOTICES, TECHNICAL, Version, unpublishable, versions_dir

try:  # POSIX: two publishes of one notice at once are refused rather than raced.
    import fcntl
except ImportError:  # pragma: no cover - Windows: the 'x' opens below still refuse the second one
    fcntl = None  # type: ignore[assignment]


def next_version(existing: list[Version], notice: str, lang: str, title: str, content: str, *,
                 effective: date | None, today: date, summary: str, approved_by: str, technical: bool,
                 allow_findings: str | None = None,
                 translations: tuple[tuple[str, str, str], ...] = (), checklist: int | None = None) -> Version:
    """The version that publishing `content` would create. Refuses, with the reason and the fix.
    `checklist`: the version of the compliance checklist the text was checked against, recorded."""
    if not summary.strip():
        raise NoticesError("--summary is empty: say in a sentence what changed, for the history and the feeds")
    if not approved_by.strip():
        raise NoticesError("--approved-by is empty: name who approved this version")
    for option, value in (("--summary", summary), ("--approved-by", approved_by), ("--allow-findings", allow_findings)):
        bad = unpublishable(value or "")
        if bad:  # feeds carry these as XML
            raise NoticesError(f"{option} {bad[1]}: remove it")
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
                   previous=latest.digest() if latest else None, checklist=checklist)
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
    # 'x' refuses to open a file that exists, should one appear between the check and the write: only
    # another publish writes there. The content is written first, so the loser has written nothing.
    try:
        if source_path is not None and original is not None:
            with source_path.open("xb") as fb:
                fb.write(original)
        with md_path.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(version.content)
        for path, text in others:
            with path.open("x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        with json_path.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(version.record(), indent=2, ensure_ascii=False) + "\n")
    except FileExistsError:
        raise _another_publish(project, slug, version.notice) from None
def _another_publish(project: Project, slug: str, notice: str) -> NoticesError:
    return NoticesError(f"another publish of this notice is running ({slug} {notice}, "
                        f"{project.rel(versions_dir(project, slug, notice))}/); wait for it to finish, then "
                        "check `notices status` before publishing again")
@contextmanager
def publishing(project: Project, slug: str, notice: str) -> Iterator[None]:
    """Hold the notice's publish lock, so that two publishes of one notice never race for a number.

    The lock is on the notice's versions folder itself (no lock file among the published ones); a
    folder made only for the lock is removed again if nothing was published into it.
    """
    folder = versions_dir(project, slug, notice)
    if fcntl is None or check_slug(project, slug) or notice not in NOTICES:
        yield  # nothing to lock (the command reports the bad name), or no locks on this system
        return
    made = [f for f in (folder, folder.parent) if not f.exists()]  # versions/<notice>/, versions/
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _another_publish(project, slug, notice) from None
        yield
    finally:
        os.close(fd)
        for made_folder in made:
            try:
                made_folder.rmdir()  # only if still empty
            except OSError:
                break
def publish(project: Project, slug: str, existing: list[Version], notice: str, lang: str, title: str,
            content: str, **options: object) -> Version:
    version = next_version(existing, notice, lang, title, content, **options)  # type: ignore[arg-type]
    write_version(project, slug, version)
    return version
