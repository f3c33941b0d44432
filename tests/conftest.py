"""Test helpers: small project trees built in tmp_path from the real templates and base config."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from generator.data.load import Project

REPO = Path(__file__).resolve().parent.parent

# `notices publish --as-of` moves "today" for the tests only (generator/cli/publish_commands.py); a real
# user cannot record a past date with it.
os.environ["NOTICES_TESTING"] = "1"

MINIMAL = """\
name: Test Clinic
practice: physician_practice
jurisdiction: {country: US, region: CO}
contact:
  phone: (719) 555-0100
  email: privacy@example.com
"""
# A website that uses cookies: with it a clinic that lists no `notices` gets a cookie notice too.
USES_COOKIES = "cookies: {uses: [site_function]}\n"


def build_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path):
    """A project with the real templates and mkdocs.yml, and the clinic files given."""

    def make(files: dict[str, str] | None = None, *, examples: bool = False) -> Project:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        (root / "clinics").mkdir(exist_ok=True)
        if examples:
            shutil.copytree(REPO / "clinics", root / "clinics", dirs_exist_ok=True)
            if (REPO / "groups").is_dir():
                shutil.copytree(REPO / "groups", root / "groups", dirs_exist_ok=True)
        build_tree(root, files or {})
        return Project(root)

    return make


def copy_examples(root: Path) -> Project:
    """A project at `root` holding copies of the real templates, example clinics, groups and mkdocs.yml."""
    for name in ("templates", "clinics", "groups"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return Project(root)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
