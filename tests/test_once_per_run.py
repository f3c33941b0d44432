"""What a build's worker looks at once per run instead of once per clinic, the reads that ask for
no more than a file holds, and the package versions found without reading every package's metadata:
each gives what the slower way gives, and what is kept for a run is looked at again when the next starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.files import Unreadable, read_regular
from generator.notices import page_keys
from generator.site import output


def test_a_linked_file_is_read_once_a_run_and_again_when_it_is_another(tmp_path, monkeypatch):
    store = tmp_path / "store.js"
    store.write_bytes(b"one")
    for site in ("a", "b"):
        (tmp_path / site).mkdir()
        os.link(store, tmp_path / site / "x.js")
    output.forget_linked()
    first = output.file_digest(str(tmp_path / "a" / "x.js"))
    reads = []
    plain = open

    def counted(path, *args, **kwargs):
        reads.append(str(path))
        return plain(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counted)
    assert output.file_digest(str(tmp_path / "b" / "x.js")) == first
    assert reads == []  # the same file (inode, size, time) under another name: not read again
    (tmp_path / "b" / "x.js").unlink()
    (tmp_path / "b" / "x.js").write_bytes(b"two")  # another file: read
    os.link(tmp_path / "b" / "x.js", tmp_path / "c.js")
    assert output.file_digest(str(tmp_path / "b" / "x.js")) != first
    assert reads == [str(tmp_path / "b" / "x.js")]
    single = tmp_path / "single.txt"
    single.write_bytes(b"one")
    assert output.file_digest(str(single)) == first  # one name: read, and its digest is the same bytes'
    output.forget_linked()
    assert output._LINKED == {}


def test_the_templates_are_looked_at_once_in_a_worker_and_every_time_otherwise(tmp_path):
    (tmp_path / "a.md.j2").write_text("a", encoding="utf-8")
    page_keys.forget_templates()
    first = page_keys.templates_digest(tmp_path, once=True)
    (tmp_path / "b.md.j2").write_text("b", encoding="utf-8")
    assert page_keys.templates_digest(tmp_path, once=True) == first  # the run's templates, loaded once
    changed = page_keys.templates_digest(tmp_path)
    assert changed != first
    page_keys.forget_templates()
    assert page_keys.templates_digest(tmp_path, once=True) == changed


def test_a_file_is_read_whole_whatever_size_it_says_it_has(tmp_path):
    path = tmp_path / "v1.md"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, 100) == b"x" * 100
    with pytest.raises(Unreadable, match="larger than 99"):
        read_regular(path, 99)
    assert read_regular(Path("/proc/self/status"), 100_000).startswith(b"Name:")  # says it holds 0 bytes
    with pytest.raises(Unreadable, match="larger than 10"):
        read_regular(Path("/proc/self/status"), 10)
    path.write_bytes(b"")
    assert read_regular(path, 10) == b""


def test_package_versions_are_those_importlib_metadata_finds_first(tmp_path, monkeypatch):
    from importlib import metadata

    from generator.reads import MISSING
    from generator.site.inputs import PACKAGES
    from generator.site.installed import installed_versions

    assert installed_versions(PACKAGES) == {name: metadata.version(name) for name in PACKAGES}
    first, later = tmp_path / "first", tmp_path / "later"
    for folder, names in ((first, ["Foo_Bar-2.0.dist-info", "mkdocs-material-9.9.1.dist-info"]),
                          (later, ["foo.bar-1.0.dist-info", "baz-3.dist-info"])):
        for name in names:
            (folder / name).mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(tmp_path / "not-there"), str(first), str(later)])
    assert installed_versions(["foo-bar", "mkdocs-material", "Baz", "nowhere-at-all"]) == {
        "foo-bar": "2.0", "mkdocs-material": "9.9.1", "Baz": "3", "nowhere-at-all": MISSING}
