"""The shared MkDocs base (mkdocs.yml), read as every clinic's site inherits it.

Apart from the builder so that a build which finds nothing to do can learn the theme's `custom_dir` (an
input of every site) without importing Jinja, Markdown or MkDocs.
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from ..errors import NoticesError

_BASES: dict[tuple[str, bytes], dict] = {}


def base_config(mkdocs_yml: Path) -> dict:
    try:
        raw = mkdocs_yml.read_bytes()
        key = (str(mkdocs_yml), raw)
        if key not in _BASES:  # parsed once per process for the same bytes
            _BASES.clear()
            parsed = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
            if isinstance(parsed, dict) and parsed.get("use_directory_urls") is False:
                # Every address the notices publish (privacy/, privacy/v2/, versions.json) is a folder.
                raise NoticesError(f"{mkdocs_yml}: use_directory_urls: false is not supported: the notices' "
                                   "addresses are folders (privacy/v2/); remove the key")
            _BASES[key] = _with_custom_dir(parsed, mkdocs_yml)
        return copy.deepcopy(_BASES[key])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NoticesError(f"{mkdocs_yml}: cannot read the shared MkDocs base: {exc}") from exc


def custom_dir(mkdocs_yml: Path, config: dict) -> Path | None:
    """The theme's `custom_dir` (Material's overrides), resolved against mkdocs.yml's folder as MkDocs
    itself does: the site is built from a config in a staging folder, where a relative path would
    resolve somewhere else."""
    theme = config.get("theme")
    value = theme.get("custom_dir") if isinstance(theme, dict) else None
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise NoticesError(f"{mkdocs_yml}: theme.custom_dir must be a folder's path")
    path = (mkdocs_yml.parent / value).resolve()
    if not path.is_dir():
        raise NoticesError(f"{mkdocs_yml}: theme.custom_dir: {value} is not a folder (create it, or remove the key)")
    return path


def _with_custom_dir(config: dict, mkdocs_yml: Path) -> dict:
    folder = custom_dir(mkdocs_yml, config)
    if folder is not None:
        config["theme"] = {**config["theme"], "custom_dir": str(folder)}
    return config
