"""`notices verify`: every published version is still there, as it was first committed.

A build checks each version's hash and that the numbers run without a gap, and refuses when a version
it built a site from is gone. On a fresh clone (a CI run) there is no earlier build to remember, so
this check asks git instead: every versions file ever committed must still exist, with the bytes it was
first committed with, and must never have been changed or deleted in any commit since.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoticesError, Problem
from ..project import Project


@dataclass(frozen=True)
class Added:
    commit: str
    blob: str


def _git(project: Project, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True,
                              encoding="utf-8", errors="surrogateescape", timeout=300)
    except FileNotFoundError:
        raise NoticesError("git is not installed: `notices verify` checks the versions against git history") from None
    except subprocess.TimeoutExpired:
        raise NoticesError("git took more than 5 minutes to list the history of the versions") from None
    if done.returncode != 0:
        raise NoticesError(f"git {args[0]}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def _blob_id(data: bytes, object_format: str) -> str:
    header = f"blob {len(data)}\0".encode()
    algo = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return algo(header + data).hexdigest()


def verify_history(project: Project, reviewed: frozenset[str] = frozenset()) -> tuple[list[Problem], list[str]]:
    """(problems, notes): each committed version file gone, changed, or changed in history.

    A change made in one of the `reviewed` commits (notices.toml, verify.reviewed_rewrites) is a note, and
    the file as that commit left it is the one checked from then on."""
    try:
        inside = _git(project, "rev-parse", "--is-inside-work-tree").strip()
    except NoticesError:
        inside = ""
    if inside != "true":
        raise NoticesError(f"{project.root} is not in a git work tree: `notices verify` checks the published "
                           "versions against git history, so commit clinics/*/versions/ to git")
    top = Path(_git(project, "rev-parse", "--show-toplevel").strip())
    prefix = project.root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    object_format = _git(project, "rev-parse", "--show-object-format").strip() or "sha1"
    notes = []
    if _git(project, "rev-parse", "--is-shallow-repository").strip() == "true":
        notes.append("this clone is shallow: only the history it holds was checked "
                     "(fetch it whole, e.g. actions/checkout with fetch-depth: 0)")
    log = _git(project, "log", "--all", "--reverse", "--no-renames", "--no-abbrev", "--raw", "--format=%x00%H",
               "--", f":(glob){prefix}clinics/*/versions/**")
    added: dict[str, Added] = {}
    problems: list[Problem] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("\0"):
            commit = line[1:]
            continue
        if not line.startswith(":"):
            continue
        meta, _, path = line.partition("\t")
        parts = meta.split()
        blob, status = parts[3], parts[4][:1]
        rel = path[len(prefix):] if path.startswith(prefix) else path
        if status == "A" and rel not in added:
            added[rel] = Added(commit, blob)
        elif rel in added and status in ("M", "D", "T") and commit in reviewed:
            notes.append(f"{rel}: {'deleted' if status == 'D' else 'changed'} in commit {commit[:12]}, a reviewed "
                         "rewrite (notices.toml, verify.reviewed_rewrites)")
            if status == "D":
                del added[rel]
            else:
                added[rel] = Added(commit, blob)
        elif rel in added and status in ("M", "D", "T"):
            what = "deleted" if status == "D" else "changed"
            problems.append(Problem(rel, None, None, "",
                                    f"a published version was {what} in commit {commit[:12]} (first committed in "
                                    f"{added[rel].commit[:12]})",
                                    f"restore it: git checkout {added[rel].commit[:12]} -- {rel}, and commit"))
    reported = {p.file for p in problems}
    for rel, first in sorted(added.items()):
        if rel in reported:
            continue
        path = project.root / rel
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(Problem(rel, None, None, "", f"this published version (committed in {first.commit[:12]}) "
                                    "is gone", f"restore it: git checkout {first.commit[:12]} -- {rel}"))
            continue
        except OSError as exc:
            problems.append(Problem(rel, None, None, "", f"cannot be read: {exc.strerror}", "restore it from git"))
            continue
        if _blob_id(data, object_format) != first.blob:
            problems.append(Problem(rel, None, None, "", f"differs from the version committed in {first.commit[:12]}",
                                    f"restore it: git checkout {first.commit[:12]} -- {rel}"))
    return problems, notes
