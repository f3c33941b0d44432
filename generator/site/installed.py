"""Which versions of the packages that shape a site are installed, found without importlib.metadata."""

from __future__ import annotations

import os
import re
import sys
from typing import Iterable

from ..reads import MISSING


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # as packaging names compare (PEP 503)


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """Each package's installed version (`MISSING` if none), as the first folder on sys.path that holds
    its `<name>-<version>.dist-info` names it: what importlib.metadata finds first, without importing it
    and reading every package's metadata (a twentieth of a build that has one clinic to build). A package
    installed some other way (an egg, a link) is asked of importlib.metadata."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for folder in sys.path:
        if not wanted.keys() - found.keys():
            break
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info"):
                name, _, version = entry[:-len(".dist-info")].rpartition("-")  # a version holds no "-"
                key = _normal(name)
                if name and version and key in wanted and key not in found:
                    found[key] = version
    out = {}
    for key, name in wanted.items():
        if key not in found:
            from importlib import metadata

            try:
                found[key] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[key] = MISSING
        out[name] = found[key]
    return out
