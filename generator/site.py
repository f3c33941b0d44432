"""Pages → one static Material for MkDocs site. The only module that imports MkDocs.

The rest of the pipeline hands over a `SiteSpec`: plain pages and settings, already escaped. The
MkDocs config is built as a Python dict from the root `mkdocs.yml` (our own file) plus the clinic's
settings, so clinic text never passes through MkDocs' YAML loader, which can construct objects.

Publishing a site is all or nothing: it is built into a temporary folder beside its destination and
swapped in only once the build has succeeded.
"""

from __future__ import annotations

import copy
import html
import io
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml
from markupsafe import Markup

from .errors import NoticesError

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2 is noise for our users


@dataclass(frozen=True)
class Page:
    path: str  # Markdown source path inside the site, like "privacy/index.md"
    markdown: str
    nav_title: str | None = None  # in the navigation, in order, when set


@dataclass(frozen=True)
class SiteSpec:
    name: str
    lang: str
    pages: tuple[Page, ...]
    primary_color: str
    link_color: str
    header_text_color: str
    site_url: str | None = None
    logo: Path | None = None
    extra_files: dict[str, bytes] = field(default_factory=dict)  # copied as they are, like versions.json
    epoch: int = 0  # SOURCE_DATE_EPOCH: fixes the only dates MkDocs writes (the sitemap's)
    children: dict[str, "SiteSpec"] = field(default_factory=dict)  # sites built inside this one, like es/


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def base_config(mkdocs_yml: Path) -> dict:
    try:
        return yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise NoticesError(f"{mkdocs_yml}: cannot read the shared MkDocs base: {exc}") from exc


def brand_css(spec: SiteSpec) -> str:
    # The colours were validated as #rrggbb by the model, so they are safe to place in CSS.
    return (
        ":root, [data-md-color-scheme=default] {\n"
        f"  --md-primary-fg-color: {spec.primary_color};\n"
        f"  --md-primary-fg-color--light: {spec.primary_color};\n"
        f"  --md-primary-fg-color--dark: {spec.primary_color};\n"
        f"  --md-primary-bg-color: {spec.header_text_color};\n"
        f"  --md-primary-bg-color--light: {spec.header_text_color};\n"
        f"  --md-typeset-a-color: {spec.link_color};\n"
        f"  --md-accent-fg-color: {spec.link_color};\n"
        "}\n"
    )


def build_site(base: dict, assets_dir: Path, spec: SiteSpec, dest: Path) -> list[str]:
    """Build `spec` (and its children, each in its own folder) into `dest` atomically.
    Returns MkDocs' warnings; raises NoticesError on failure."""
    dest = dest.resolve()  # MkDocs resolves relative paths against the config file's folder
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".build-{dest.name}-", dir=dest.parent))
    try:
        warnings = _build_into(base, assets_dir, spec, work / "site", work / "src")
        for name, child in sorted(spec.children.items()):
            warnings += _build_into(base, assets_dir, child, work / "site" / name, work / f"src-{name}")
        _swap(work / "site", dest)
        return warnings
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _build_into(base: dict, assets_dir: Path, spec: SiteSpec, out: Path, work: Path) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    work.mkdir(parents=True)
    docs = work / "docs"
    for page in spec.pages:
        _write(docs / page.path, page.markdown.encode("utf-8"))
    _write(docs / "assets" / "brand.css", brand_css(spec).encode())
    own = sorted(p for p in assets_dir.glob("*") if p.suffix in (".css", ".js"))
    for asset in own:
        _write(docs / "assets" / asset.name, asset.read_bytes())
    base = copy.deepcopy(base)  # MkDocs validation consumes parts of the dicts it is given
    theme = dict(base.get("theme", {}))
    theme["language"] = spec.lang
    if spec.logo:
        logo = f"assets/logo{spec.logo.suffix.lower()}"
        _write(docs / logo, spec.logo.read_bytes())
        theme["logo"] = logo
        theme["favicon"] = logo
    options = dict(base)
    options.update(
        # Material prints site_name unescaped in places (even inside attributes) and with `| e` in
        # others: escaped once here, and marked as Markup so that `| e` leaves it as it is.
        site_name=Markup(html.escape(spec.name, quote=True)),
        site_url=spec.site_url,
        docs_dir=str(docs),
        site_dir=str(out),
        theme=theme,
        nav=[{p.nav_title: p.path} for p in spec.pages if p.nav_title],
        extra_css=["assets/brand.css"] + [f"assets/{a.name}" for a in own if a.suffix == ".css"],
        extra_javascript=[f"assets/{a.name}" for a in own if a.suffix == ".js"],
    )
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        with _source_date_epoch(spec.epoch):
            config = _config(work, options)
            config.plugins["clinic-notices-robots"] = _robots_plugin()
            build(config)
    except (MkDocsException, OSError) as exc:
        raise NoticesError(f"building {spec.name!r}: {exc}") from exc
    finally:
        logger.removeHandler(collect)
    for name, data in sorted(spec.extra_files.items()):
        _write(out / name, data)
    return collect.messages


def _config(work: Path, options: dict):
    """MkDocs' config from a dict, validated; its errors become ours, with MkDocs' own words."""
    from mkdocs.config.defaults import MkDocsConfig

    config = MkDocsConfig(config_file_path=str(work / "mkdocs.yml"))
    config.load_file(io.BytesIO(b"{}"))
    config.load_dict(options)
    errors, _warnings = config.validate()
    if errors:
        raise NoticesError("the site configuration is invalid: "
                           + "; ".join(f"{key}: {err}" for key, err in errors)
                           + " (check mkdocs.yml and the clinic's branding)")
    return config


def _robots_plugin():
    """A page whose front matter says `robots: noindex` gets the meta tag that keeps it out of search."""
    from mkdocs.plugins import BasePlugin

    class Robots(BasePlugin):
        def on_post_page(self, output: str, page, config):  # noqa: ANN001
            value = page.meta.get("robots")
            if value == "noindex":
                return output.replace("<head>", '<head>\n    <meta name="robots" content="noindex">', 1)
            return output

    return Robots()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _swap(new: Path, dest: Path) -> None:
    old = dest.with_name(f".old-{dest.name}")
    if old.exists():
        shutil.rmtree(old)
    if dest.exists():
        dest.rename(old)
    new.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before
