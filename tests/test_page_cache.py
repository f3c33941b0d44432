"""Pages built once and kept (generator/site/page_cache.py): a site built with kept pages is byte for
byte the site a build without them writes, whatever input changed in between."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from generator.site import page_cache
from generator.site.build import build
from tests.conftest import tree_bytes
from tests.test_incremental import AS_OF, fresh_build

SLUG = "harbourview-family-clinic"  # versions archived, in force and in Spanish (a site inside the site)


@pytest.fixture
def project(make_project):
    project = make_project(examples=True)
    for folder in project.clinics_dir.iterdir():
        if folder.name != SLUG:
            shutil.rmtree(folder)
    return project


def kept(project) -> set[str]:
    folder = project.root / ".cache" / "pages" / SLUG
    return {p.name for p in folder.iterdir() if p.suffix == ".html"} if folder.is_dir() else set()


def counting(monkeypatch) -> dict[str, int]:
    """Pages served from the cache and stored in it, over the builds that follow."""
    seen = {"hits": 0, "stored": 0, "rendered": 0, "search_hits": 0}
    original = page_cache.PageCache.prune

    def prune(self):
        seen["hits"] += self.hits
        seen["stored"] += self.stored
        seen["rendered"] += self.rendered
        seen["search_hits"] += self.search_hits
        return original(self)

    monkeypatch.setattr(page_cache.PageCache, "prune", prune)
    return seen


def assert_same_as_without_cache(project, tmp_path, name: str) -> None:
    ours, full = tree_bytes(project.site_dir), fresh_build(project, tmp_path, name)
    differ = sorted(k for k in set(ours) | set(full) if ours.get(k) != full.get(k))
    assert not differ, f"{name}: a build with kept pages differs from one without in {differ[:5]}"


def test_archived_pages_are_kept_and_served_byte_for_byte(project, tmp_path, monkeypatch):
    seen = counting(monkeypatch)
    build(project, as_of=AS_OF)
    first = kept(project)
    assert seen["stored"] == len(first) > 10 and seen["hits"] == 0
    archived = project.site_dir / SLUG / "privacy" / "v1" / "index.html"
    assert archived.is_file()
    assert seen["rendered"] > 10  # the version pages' Markdown, written once and its digest recorded
    assert seen["search_hits"] == 0
    seen["rendered"] = 0
    build(project, as_of=AS_OF)  # every clinic built again
    assert seen["hits"] == len(first) and kept(project) == first
    # Found by their keys (generator/notices/page_keys.py): no version page's Markdown was written again.
    assert seen["rendered"] == 0
    # The pages built again (the navigation's) have the search entries their same HTML had last time.
    assert seen["search_hits"] >= 4
    assert_same_as_without_cache(project, tmp_path, "again")


def test_without_the_cache_the_same_site(project, tmp_path, monkeypatch):
    build(project, as_of=AS_OF)
    with_cache = tree_bytes(project.site_dir)
    monkeypatch.setattr(page_cache, "ENABLED", False)
    shutil.rmtree(project.root / ".cache")
    build(project, as_of=AS_OF)
    assert tree_bytes(project.site_dir) == with_cache
    assert not (project.root / ".cache" / "pages").exists()


def _append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _mark_labels(path) -> None:
    def mark(value):
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value + " ⁂" if isinstance(value, str) and "{" not in value else value

    path.write_text(yaml.safe_dump(mark(yaml.safe_load(path.read_text(encoding="utf-8"))), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")


def _custom_dir(project, text: str) -> None:
    (project.root / "overrides").mkdir(exist_ok=True)
    (project.root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}' + text + '{% endblock %}\n', encoding="utf-8")
    config = yaml.safe_load(project.mkdocs_base.read_text(encoding="utf-8"))
    if config["theme"].get("custom_dir") != "overrides":
        config["theme"]["custom_dir"] = "overrides"
        project.mkdocs_base.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


CHANGES = {
    # what an archived page's Markdown is made from
    "page template": (lambda p: _append(p.templates_dir / "pages" / "_footer.md.j2", "\nA changed page template.\n"),
                      "A changed page template."),
    "words": (lambda p: _mark_labels(p.templates_dir / "en" / "site.yaml"), " ⁂"),
    # what the frame around it is made from
    "theme custom_dir": (lambda p: _custom_dir(p, "An announcement"), "An announcement"),
    "theme file edited": (lambda p: (_custom_dir(p, "An announcement"), build(p, as_of=AS_OF),
                                     _custom_dir(p, "Another announcement")), "Another announcement"),
    # The theme's footer shows no copyright line: a heading's permalink mark shows on every archived page.
    "mkdocs.yml": (lambda p: p.mkdocs_base.write_text(p.mkdocs_base.read_text(encoding="utf-8").replace(
        "permalink: true", 'permalink: "\u00a7"'), encoding="utf-8"), "\u00a7"),
    "clinic name": (lambda p: (p.clinic_dir(SLUG) / "clinic.yaml").write_text(
        (p.clinic_dir(SLUG) / "clinic.yaml").read_text(encoding="utf-8").replace(
            "name: Harbourview Family Clinic", "name: Harbourview Family Clinic Renamed", 1), encoding="utf-8"),
                    "Harbourview Family Clinic Renamed"),
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_a_change_that_shows_on_archived_pages_rebuilds_them(project, tmp_path, kind):
    change, shown = CHANGES[kind]
    build(project, as_of=AS_OF)
    archived = project.site_dir / SLUG / "privacy" / "v1" / "index.html"
    assert shown not in archived.read_text(encoding="utf-8")
    before = kept(project)
    change(project)
    build(project, as_of=AS_OF, incremental=True)
    assert shown in archived.read_text(encoding="utf-8")
    assert shown in (project.site_dir / SLUG / "privacy" / "v1" / "changes" / "index.html").read_text(encoding="utf-8")
    after = kept(project)
    assert before - after and after - before  # pages kept under the old inputs are gone, new ones kept
    if kind != "words":  # English words: the Spanish site's pages stay as they were
        assert after.isdisjoint(before)
    assert_same_as_without_cache(project, tmp_path, kind.replace(" ", "-"))


def test_an_entry_that_does_not_match_its_digest_is_built_again(project, tmp_path, monkeypatch):
    build(project, as_of=AS_OF)
    folder = project.root / ".cache" / "pages" / SLUG
    for entry in folder.iterdir():
        data = entry.read_bytes()
        entry.write_bytes(data.replace(b"Harbourview", b"Tampered!!!"))
    seen = counting(monkeypatch)
    build(project, as_of=AS_OF)
    assert seen["hits"] == 0 and seen["stored"] > 10
    assert b"Tampered!!!" not in b"".join(tree_bytes(project.site_dir).values())
    assert_same_as_without_cache(project, tmp_path, "tampered")


def test_a_build_that_warns_keeps_nothing(project, monkeypatch):
    from generator.site import builder

    made = builder.kept_pages_plugin

    def noisy(*args, **kw):
        plugin = made(*args, **kw)
        args[4].append("a warning")  # as if MkDocs had logged one: the list the build's warnings go to
        return plugin

    monkeypatch.setattr(builder, "kept_pages_plugin", noisy)
    build(project, as_of=AS_OF)
    assert not kept(project)
    monkeypatch.setattr(builder, "kept_pages_plugin", made)
    build(project, as_of=AS_OF)
    assert kept(project)


def test_many_sites_are_listed_in_two_processes_as_in_one(project, monkeypatch):
    from generator.site import output

    build(project, as_of=AS_OF)
    site = project.site_dir / SLUG
    shape = output.Shape(output.shape_of(output.tree(site)))
    sites = {str(site): shape, str(project.site_dir / "nowhere"): shape, str(site / "privacy"): None,
             str(site) + "/": None}
    one = output._listing_digests(sites)
    assert one[0] == one[3] == output.listing_digest(output.tree(site))  # by its shape as read whole
    monkeypatch.setattr(output, "_FORK_FROM", 1)
    assert output.listing_digests(sites) == one and one[1] is None and one[0] and one[2]
    # A change in a site the forked process lists is seen.
    (site / "privacy" / "index.html").write_text("changed")
    after = output.listing_digests(sites)
    assert after[2] != one[2] and after[0] != one[0]


def test_a_site_changed_is_rebuilt_when_another_process_lists_the_sites(project, monkeypatch):
    """The listings are made by a process forked before the inputs are checked (output.Listings): a site
    changed since its build is seen, and rebuilt, as when this process lists them."""
    from generator.site import output

    monkeypatch.setattr(output, "_FORK_FROM", 1)
    build(project, as_of=AS_OF, incremental=True)
    page = project.site_dir / SLUG / "privacy" / "index.html"
    before = page.read_bytes()
    page.unlink()
    page.write_bytes(before.replace(b"<body", b"<body data-changed", 1))
    made = []
    original = output.Listings.__init__

    def counting(self, sites):
        original(self, sites)
        made.append(self._pid is not None)

    monkeypatch.setattr(output.Listings, "__init__", counting)
    (built,) = build(project, as_of=AS_OF, incremental=True)
    assert built.slug == SLUG and made == [True]
    assert page.read_bytes() == before


def test_a_listing_process_is_reaped_when_the_build_stops(project):
    from generator.site import output

    build(project, as_of=AS_OF)
    sites = [str(project.site_dir / SLUG)] * output._FORK_FROM
    with pytest.raises(RuntimeError):
        with output.Listings(sites) as listings:
            pid = listings._pid
            assert pid is not None
            raise RuntimeError("a data problem")
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no such child left


def test_a_version_page_sees_only_what_its_key_covers(project, tmp_path):
    """The version and what-changed pages are rendered from a closed context, every value of which is in
    their key (generator/notices/page_keys.py): a template that reaches for anything else (here, the
    clinic's phone) fails loudly instead of being served from an older build."""
    from generator.errors import NoticesError

    template = project.templates_dir / "pages" / "version.md.j2"
    _append(template, "\n{{ clinic.contact.phone }}\n")
    with pytest.raises((NoticesError, Exception)) as caught:
        build(project, as_of=AS_OF)
    assert "contact" in str(caught.value)
    assert not (project.site_dir / SLUG).exists()


@pytest.mark.parametrize("field,value", [("search", ["x"]), ("anchors", [[1]]), ("links", {"a.md": 5})])
def test_a_kept_page_recorded_in_another_shape_is_built_again(project, tmp_path, field, value):
    """index.json may come from anywhere (a shared CI cache): a record that is not what this module writes
    serves nothing, and never stops the build."""
    import json

    build(project, as_of=AS_OF)
    index = project.root / ".cache" / "pages" / SLUG / "index.json"
    data = json.loads(index.read_bytes())
    for meta in data["pages"].values():
        meta[field] = value
    for entry in data.get("search", {}).values():
        entry["entries"] = [[1]]
    index.write_text(json.dumps(data), encoding="utf-8")
    build(project, as_of=AS_OF)
    assert_same_as_without_cache(project, tmp_path, f"reshaped {field}")


def test_a_link_in_place_of_a_clinics_kept_pages_is_never_followed(project, tmp_path):
    """.cache/ may come from anywhere: a link where a clinic's kept pages belong is removed, and nothing
    is read from, written to or deleted in the folder it points to."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    folder = project.root / ".cache" / "pages" / SLUG
    folder.parent.mkdir(parents=True)
    folder.symlink_to(victim, target_is_directory=True)
    build(project, as_of=AS_OF)
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]
    assert not folder.is_symlink()
    assert_same_as_without_cache(project, tmp_path, "linked")


def test_a_page_key_tells_versions_apart_by_their_whole_text():
    """A version stands in a page's key by the digest of its repr (page_keys._plain): one word changed
    anywhere in its text, or in the previous version a what-changed page compares with, is another key."""
    from dataclasses import replace
    from datetime import date

    from generator.notices import page_keys
    from generator.publishing.versions import Version

    v = Version(notice="privacy", number=1, lang="en", title="T", effective=date(2025, 1, 1),
                published=date(2025, 1, 1), approved_by="A", summary="s", kind="material", content="word " * 500)
    edited = replace(v, content="word " * 499 + "ward ")
    assert page_keys.key_of("site", v) == page_keys.key_of("site", replace(v))
    assert page_keys.key_of("site", v) != page_keys.key_of("site", edited)
    assert (page_keys.key_of("site", (("previous", v),)) != page_keys.key_of("site", (("previous", edited),)))
