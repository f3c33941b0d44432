"""Phone and desktop screenshots of every kind of page of every example site, for people to look at after
a template or theme change (`make screenshots`). Not a test: nothing is compared.

Builds the examples (with PDFs) into a scratch project, serves it on localhost, and writes
`screenshots/<slug>/<lang>-<kind>-<phone|desktop>.png`, plus a printed PDF of each notice page.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.project import Project  # noqa: E402
from generator.site.build import build  # noqa: E402
from tests.browser import chromium, serve  # noqa: E402

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


def kinds(site: Path) -> dict[str, str]:
    """One page of each kind: home, each notice, its history, an archived version, a what-changed page,
    the in-force page and the feed."""
    out = {"home": ""}
    for notice in ("privacy", "cookies", "hipaa"):
        if (site / notice / "index.html").is_file():
            out[notice] = f"{notice}/"
    first = next((n for n in ("privacy", "cookies", "hipaa") if (site / n).is_dir()), None)
    if first:
        out["history"] = f"{first}/versions/"
        versions = sorted((p for p in (site / first).glob("v*") if p.name[1:].isdigit()), key=lambda p: int(p.name[1:]))
        if versions:
            out["version"] = f"{first}/{versions[0].name}/"
            out["changes"] = f"{first}/{versions[-1].name}/changes/"
    out["in-force"] = "in-force/"
    if (site / "feed.xml").is_file():
        out["feed"] = "feed.xml"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"), help="folder for the images (default screenshots/)")
    parser.add_argument("--as-of", default=None, help="build date, YYYY-MM-DD (default today)")
    args = parser.parse_args()
    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("templates", "clinics", "groups"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
        project = Project(root)
        build(project, as_of=date.fromisoformat(args.as_of) if args.as_of else None, pdfs=True)
        shots = 0
        with serve(project.site_dir) as base, chromium() as browser:
            for clinic in sorted(p for p in project.site_dir.iterdir() if p.is_dir()):
                langs = {"": clinic} | {f"{p.name}/": p for p in clinic.iterdir()
                                        if p.is_dir() and (p / "index.html").is_file() and len(p.name) == 2}
                for prefix, site in langs.items():
                    lang = prefix.rstrip("/") or "main"
                    for kind, rel in kinds(site).items():
                        for size, viewport in SIZES.items():
                            page = browser.new_page(viewport=viewport)
                            # An XSLT page (the feed) never reaches "networkidle" in Chromium: "load" there.
                            page.goto(f"{base}/{clinic.name}/{prefix}{rel}",
                                      wait_until="load" if rel.endswith(".xml") else "networkidle")
                            target = out / clinic.name / f"{lang}-{kind}-{size}.png"
                            target.parent.mkdir(parents=True, exist_ok=True)
                            page.screenshot(path=str(target), full_page=True)
                            if size == "desktop" and kind in ("privacy", "cookies", "hipaa"):
                                page.pdf(path=str(out / clinic.name / f"{lang}-{kind}-print.pdf"), format="Letter")
                            page.close()
                            shots += 1
    print(f"wrote {shots} screenshots into {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
