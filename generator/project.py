"""Where things live in a project, and what a clinic's name may be. Imports nothing heavy, so that a
build with nothing to do can decide so without loading the data model, Jinja or MkDocs."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TEMPLATE_SUFFIX = ".md.j2"  # templates/<notice>.md.j2, one for every language


@dataclass(frozen=True)
class Project:
    """Where things live. Every path the core touches comes from here."""

    root: Path

    @property
    def clinics_dir(self) -> Path:
        return self.root / "clinics"

    @property
    def groups_dir(self) -> Path:
        return self.root / "groups"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def mkdocs_base(self) -> Path:
        return self.root / "mkdocs.yml"

    def clinic_dir(self, slug: str) -> Path:
        return self.clinics_dir / slug

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def slugs(self) -> list[str]:
        if not self.clinics_dir.is_dir():
            return []
        with os.scandir(self.clinics_dir) as entries:  # a build of many clinics starts here: no Path per entry
            return sorted(e.name for e in entries if e.is_dir() and os.path.isfile(os.path.join(e.path, "clinic.yaml")))


def check_slug(project: Project, slug: str) -> Problem | None:
    if not SLUG.match(slug):
        return Problem(slug, None, None, "", "is not a valid clinic name",
                       "use lower-case letters, digits and dashes, like lux-smiles")
    if not (project.clinic_dir(slug) / "clinic.yaml").is_file():
        known = project.slugs()
        close = difflib.get_close_matches(slug, known, n=1)
        hint = f"did you mean {close[0]}?" if close else f"known clinics: {', '.join(known) or 'none'}"
        return Problem(project.rel(project.clinic_dir(slug) / "clinic.yaml"), None, None, "",
                       f"no clinic named {slug!r}", hint)
    return None
