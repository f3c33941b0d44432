"""Regenerate the golden rendered notices: `make golden` (python -m tests.golden).

tests/golden/<slug>/<notice>.md is what each example clinic's notice renders to today, and
tests/golden/<slug>/versions.json its archive as of AS_OF. test_golden.py
fails on any difference, so a template or data change is always seen, and reviewed, in the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from datetime import date

from generator.site.prepare import prepare
from generator.data.load import Project, load_clinics
from generator.notices.pages import versions_json
from generator.notices.render import render_clinic

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
AS_OF = date(2026, 11, 22)


def rendered() -> dict[str, str]:
    project = Project(REPO)
    out = {}
    for loaded in load_clinics(project):
        for r in render_clinic(project, loaded):
            out[f"{loaded.slug}/{r.notice}.md"] = f"# {r.title}\n\n{r.markdown}"
    for p in prepare(project, None, AS_OF):
        out[f"{p.loaded.slug}/versions.json"] = versions_json(p.loaded, p.states, AS_OF).decode("utf-8")
    return out


def main() -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for rel, text in rendered().items():
        path = GOLDEN / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote tests/golden/{rel}")


if __name__ == "__main__":
    main()
