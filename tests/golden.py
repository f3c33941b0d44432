"""Regenerate the golden rendered notices: `make golden` (python -m tests.golden).

tests/golden/<slug>/<notice>.md is what each example clinic's notice renders to today. test_golden.py
fails on any difference, so a template or data change is always seen, and reviewed, in the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.load import Project, load_clinics
from generator.render import render_clinic

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def rendered() -> dict[str, str]:
    project = Project(REPO)
    out = {}
    for loaded in load_clinics(project):
        for r in render_clinic(project, loaded):
            out[f"{loaded.slug}/{r.notice}.md"] = f"# {r.title}\n\n{r.markdown}"
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
