"""What a build trusts .cache/ with (README, "What .cache/ is trusted with").

For the file system, nothing: a link anywhere in .cache/, in place of a folder or of a kept file, is
removed or left unused, never followed, so that nothing outside site/ and .cache/ is read into a site,
written or deleted. For content, what is kept is used as it is (that is what makes a build fast), so a
.cache/ from somewhere untrusted is set aside with `notices build --fresh`.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.build import build
from tests.conftest import tree_bytes
from tests.test_incremental import AS_OF, fresh_build

SLUG = "harbourview-family-clinic"  # archived versions, so kept pages; PDFs of each version
SECRET = b"secret bytes outside the project"


@pytest.fixture
def project(make_project):
    project = make_project(examples=True)
    for folder in project.clinics_dir.iterdir():
        if folder.name != SLUG:
            shutil.rmtree(folder)
    return project


def _victim(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    return victim


def _site_holds(project, needle: bytes) -> list[str]:
    return sorted(name for name, data in tree_bytes(project.site_dir).items() if needle in data)


@pytest.mark.parametrize("folder", ["static", "jinja", "pdf"])
def test_a_link_in_place_of_a_cache_folder_is_replaced_never_written_through(project, tmp_path, folder):
    victim = _victim(tmp_path)
    cache = project.root / ".cache"
    cache.mkdir()
    (cache / folder).symlink_to(victim, target_is_directory=True)
    build(project, as_of=AS_OF, pdfs=True)
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]
    assert not (cache / folder).is_symlink()
    if folder != "jinja":  # the compiled templates may all be this process's, in memory
        assert any((cache / folder).iterdir()), f".cache/{folder} was not made afresh and used"


def test_a_link_in_place_of_a_kept_page_or_pdf_is_never_read_into_a_site(project, tmp_path):
    build(project, as_of=AS_OF, pdfs=True)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    cache = project.root / ".cache"
    pdfs = sorted((cache / "pdf").glob("*.pdf"))
    pages = cache / "pages" / SLUG
    kept = sorted(pages.glob("*.html"))
    assert pdfs and kept
    for path in [*pdfs, *kept]:
        path.unlink()
        path.symlink_to(secret)
    # Even with the digest the cache records for a page made to match (anyone who writes the link can).
    index = pages / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    for meta in data["pages"].values():
        meta["digest"] = hashlib.blake2b(SECRET, digest_size=16).hexdigest()
    index.write_text(json.dumps(data), encoding="utf-8")
    build(project, as_of=AS_OF, pdfs=True)
    assert _site_holds(project, SECRET) == []
    assert secret.read_bytes() == SECRET
    ours, full = tree_bytes(project.site_dir), fresh_build(project, tmp_path, "full", pdfs=True)
    assert sorted(k for k in set(ours) | set(full) if ours.get(k) != full.get(k)) == []


def _poison_kept_pages(project) -> bytes:
    """What someone who can write .cache/ can do: a kept page changed, with the digest recorded for it."""
    pages = project.root / ".cache" / "pages" / SLUG
    index = pages / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    key = sorted(data["pages"])[0]
    poison = b"<!doctype html><p>planted by whoever wrote .cache</p>"
    page = pages / f"{key}.html"
    page.unlink()  # it is a link to the site's own file: replaced, not written through
    page.write_bytes(poison)
    data["pages"][key]["digest"] = hashlib.blake2b(poison, digest_size=16).hexdigest()
    index.write_text(json.dumps(data), encoding="utf-8")
    return b"planted by whoever wrote .cache"


def test_kept_content_is_used_as_it_is_and_fresh_sets_it_aside(project, tmp_path):
    build(project, as_of=AS_OF)
    needle = _poison_kept_pages(project)
    build(project, as_of=AS_OF)  # a full build that keeps pages uses what .cache/ holds: the trust named
    assert _site_holds(project, needle)
    needle = _poison_kept_pages(project)
    build(project, as_of=AS_OF, fresh=True)
    assert _site_holds(project, needle) == []
    assert tree_bytes(project.site_dir) == fresh_build(project, tmp_path, "full")


def test_notices_build_fresh_rebuilds_every_clinic_from_its_inputs_alone(project):
    runner = CliRunner()
    first = runner.invoke(main, ["build", "--root", str(project.root), "--as-of", AS_OF.isoformat(), "--no-pdf"])
    assert first.exit_code == 0, first.output
    needle = _poison_kept_pages(project)
    again = runner.invoke(main, ["build", "--root", str(project.root), "--as-of", AS_OF.isoformat(), "--no-pdf"])
    assert again.exit_code == 0 and "1 unchanged" in again.output  # nothing changed: nothing rebuilt
    fresh = runner.invoke(main, ["build", "--fresh", "--root", str(project.root), "--as-of", AS_OF.isoformat(),
                                 "--no-pdf"])
    assert fresh.exit_code == 0, fresh.output
    assert "built 1 site" in fresh.output
    assert _site_holds(project, needle) == []


def test_a_cache_folder_that_is_a_link_stops_the_build_before_anything_is_written(project, tmp_path):
    victim = _victim(tmp_path)
    (project.root / ".cache").symlink_to(victim, target_is_directory=True)
    result = CliRunner().invoke(main, ["build", "--root", str(project.root), "--as-of", AS_OF.isoformat(), "--no-pdf"])
    assert result.exit_code == 1 and "is a symbolic link" in result.output, result.output
    assert [p.name for p in victim.iterdir()] == ["precious.txt"]  # no lock file written where it points
    assert not project.site_dir.exists()
