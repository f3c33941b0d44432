"""A kept site is checked by its recorded shape (generator/site/output.py): one lstat a path, no folder
read but the site's own. Every way a site can differ from what was built is still seen, in this process
and in the forked one, and the site is then built again as a full build writes it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.site import output
from tests.conftest import MINIMAL
from tests.test_incremental import built
from tests.test_incremental_stale import assert_same_as_full


def _added_in_a_subfolder(site: Path) -> None:
    (site / "privacy" / "stray.html").write_text("not built")


def _added_at_the_top(site: Path) -> None:
    (site / "stray.html").write_text("not built")


def _folder_added(site: Path) -> None:
    (site / "privacy" / "old").mkdir()


def _file_made_a_folder(site: Path) -> None:
    (site / "privacy" / "index.html").unlink()
    (site / "privacy" / "index.html").mkdir()


def _file_made_a_link(site: Path) -> None:
    page, outside = site / "privacy" / "index.html", site.parent.parent / "outside.html"
    shutil.copy2(page, outside)  # the same bytes and times, behind a link
    page.unlink()
    page.symlink_to(outside)


def _renamed_in_its_folder(site: Path) -> None:
    (site / "privacy" / "versions").rename(site / "privacy" / "past")


def _a_file_removed_and_its_folder_time_put_back(site: Path) -> None:
    # A folder's time set back hides a name added in it (see output.py), never one removed: it has no stat.
    folder = site / "privacy"
    st = folder.stat()
    (folder / "index.html").unlink()
    os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns))


CHANGES = [_added_in_a_subfolder, _added_at_the_top, _folder_added, _file_made_a_folder, _file_made_a_link,
           _renamed_in_its_folder, _a_file_removed_and_its_folder_time_put_back]


@pytest.mark.parametrize("forked", [False, True], ids=["here", "forked"])
@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_kept_site_changed_in_any_way_is_built_again(make_project, tmp_path, monkeypatch, change, forked):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL, "clinics/u/clinic.yaml": MINIMAL})
    if forked:
        monkeypatch.setattr(output, "_FORK_FROM", 1)
    built(project)
    assert built(project) == []
    change(project.site_dir / "t")
    assert built(project) == ["t"]
    assert not (project.site_dir / "t" / "stray.html").exists()
    assert_same_as_full(project, tmp_path, "full")


def test_a_site_is_listed_by_its_shape_as_when_read_whole(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    built(project)
    site = project.site_dir / "t"
    items = output.tree(site)
    shape = output.Shape(output.shape_of(items))
    assert output.by_shape(str(site), shape) == items
    assert any(kind == "d" for _, kind, _, _ in items) and any(kind != "d" for _, kind, _, _ in items)
    for change in (_added_at_the_top, _file_made_a_folder):
        change(site)
        assert output.by_shape(str(site), shape) is None


def test_where_times_are_kept_to_the_second_a_site_is_read_whole(make_project, monkeypatch):
    """There a name added in the second the build last wrote a folder leaves its time as it was: no shape
    is recorded, and a stray file is seen even with its folder's time put back."""
    items = [("a", "d", 0, 5 * 10**9), ("a/index.html", "100644", 3, 6 * 10**9)]
    assert output.shape_of(items) == {}
    assert output.shape_of([*items[:1], ("a/index.html", "100644", 3, 6 * 10**9 + 1)])
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    monkeypatch.setattr(output, "shape_of", lambda items: {})
    built(project)
    folder = project.site_dir / "t" / "privacy"
    st = folder.stat()
    (folder / "stray.html").write_text("not built")
    os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert built(project) == ["t"]
    assert not (folder / "stray.html").exists()


def test_a_file_name_that_is_not_utf8_is_an_input_like_any_other(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    drafts = os.fsencode(project.clinic_dir("t") / "versions" / "drafts")
    os.makedirs(drafts)
    with open(drafts + b"/caf\xe9.md", "w") as fh:
        fh.write("a draft")
    built(project)
    assert built(project) == []  # the manifest written and read back, the name in it
    with open(drafts + b"/caf\xe9.md", "w") as fh:
        fh.write("another draft")
    assert built(project) == ["t"]
