"""A clinic's logo (`branding.logo`), checked before it reaches the site, where it is also the favicon.

The file must be a regular file inside the clinic's folder (a link out of the folder is refused, see
generator/safepath.py), at most MAX_BYTES, and what its name says: a PNG, JPEG or WebP picture is
recognised by its first bytes, an SVG is cleaned to an allow-list (generator/data/svgclean.py). What is
published is the checked bytes: the raster file as it is, the SVG as cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import reads
from ..errors import DataErrors, Problem
from ..project import Project
from ..safepath import UnsafeFile, read_bytes

MAX_BYTES = 1_000_000  # 1 MB: a logo is shown small; docs/data-model.md says so
KINDS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP", ".svg": "SVG"}
KEY = ("branding", "logo")


@dataclass(frozen=True)
class Logo:
    suffix: str  # ".svg", ".png", ".jpg", ".jpeg", ".webp": the published file is assets/logo<suffix>
    data: bytes


def content_kind(data: bytes) -> str | None:
    """What the first bytes say the file is: PNG, JPEG, GIF, WebP, or SVG (XML text); None otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")):
        return "SVG"
    return None


def checked_logo(project: Project, slug: str, name: str, locations: dict) -> tuple[Logo | None, list[Problem]]:
    """The logo as it will be published, or the problems that keep it off the site.

    `locations` are the clinic's key locations (file, line, column of `branding.logo`)."""
    folder = project.clinic_dir(slug)
    path = folder / name
    loc = locations.get(KEY) or locations.get(("branding",))
    clinic_file = project.rel(folder / "clinic.yaml")

    def problem(message: str, hint: str) -> tuple[None, list[Problem]]:
        return None, [Problem(loc.file if loc else clinic_file, loc.line if loc else None,
                              loc.column if loc else None, "branding.logo", message, hint)]

    shown = project.rel(path)
    try:
        data = read_bytes(folder, path, MAX_BYTES)
        # The bytes published are those of the last read (the site's): an edit during the build is seen next time.
        reads.note_file(str(path), data, replace=True)
    except FileNotFoundError:
        return problem(f"no file {name!r} in {project.rel(folder)}/",
                       "put the logo file in the clinic's folder, or remove this key")
    except UnsafeFile as exc:
        return problem(f"{shown} {exc.reason}", "put the logo file itself in the clinic's folder")
    if len(data) > MAX_BYTES:
        return problem(f"{shown} is larger than {MAX_BYTES // 1_000_000} MB",
                       "a logo is shown small: export it smaller (a few hundred pixels wide is plenty)")
    if not data:
        return problem(f"{shown} is empty", "put the logo's picture in it, or remove this key")
    suffix = path.suffix.lower()
    expected = KINDS[suffix]
    found = content_kind(data)
    if found != expected and not (expected == "SVG" and found is None):
        what = f"{'an' if found == 'SVG' else 'a'} {found} picture" if found else "not a picture"
        fix = {"PNG": ".png", "JPEG": ".jpg", "WebP": ".webp", "SVG": ".svg"}.get(found or "")
        return problem(f"{shown} is named .{suffix[1:]} but is {what}",
                       f"rename it to end in {fix} (and branding.logo with it)" if fix else
                       "use a PNG, JPEG, WebP or SVG picture")
    if expected != "SVG":
        return Logo(suffix, data), []
    from .svgclean import clean_svg

    cleaned, found_problems = clean_svg(data)
    if cleaned is None:
        return None, [Problem(shown, p.line, p.column, "branding.logo", p.message, p.hint) for p in found_problems]
    return Logo(suffix, cleaned), []


def published_logo(project: Project, slug: str, name: str, locations: dict) -> Logo:
    """The checked logo; raises DataErrors if it is not fit to publish (load_clinic reports it first)."""
    logo, problems = checked_logo(project, slug, name, locations)
    if logo is None:
        raise DataErrors(problems)
    return logo
