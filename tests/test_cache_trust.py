"""What a build trusts .cache/ with (README, "What .cache/ is trusted with").

For the file system, nothing: a link anywhere in .cache/, in place of a folder or of a kept file, is
removed or left unused, never followed, so that nothing outside site/ and .cache/ is read into a site,
written or deleted. For content, what is kept is used as it is (that is what makes a build fast), so a
.cache/ from somewhere untrusted is set aside with `notices build --fresh`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.build import build
from tests.conftest import tree_bytes
from tests.test_incremental import AS_OF, fresh_build
from tests import test_page_cache
from tests.test_page_cache import SLUG

project = test_page_cache.project  # the fixture: the one example clinic with archived versions, in Spanish too

SECRET = b"secret bytes outside the project"


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
    dry = runner.invoke(main, ["build", "--fresh", "--dry-run", "--root", str(project.root), "--as-of",
                               AS_OF.isoformat(), "--no-pdf"])
    assert dry.exit_code == 0 and "1 to build, 0 unchanged" in dry.output, dry.output
    kept = project.root / ".cache" / "pages" / SLUG
    assert any(needle in page.read_bytes() for page in kept.glob("*.html"))  # a dry run removes nothing kept
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


def _planted_run(project, slug: str) -> Path:
    """A staging run as an interrupted build would leave it, journal written: what recovery finishes."""
    run = project.root / ".cache" / "staging" / "run-1-1"
    (run / "sites" / slug).mkdir(parents=True)
    (run / "journal.json").write_text(json.dumps({"format": 1, "sites": [slug], "restamp": [slug], "remove": []}))
    return run


def test_a_planted_staging_run_with_links_is_removed_never_finished(project, tmp_path):
    build(project, as_of=AS_OF, incremental=True)
    before = tree_bytes(project.site_dir)
    victim = _victim(tmp_path)
    (victim / SLUG).mkdir()
    (victim / SLUG / "precious.txt").write_text("keep me too", encoding="utf-8")
    run = _planted_run(project, SLUG)
    shutil.copytree(project.site_dir / SLUG, run / "sites" / SLUG / "site")
    (run / "old").symlink_to(victim, target_is_directory=True)  # the live site would be moved there
    (run / "restamp" / SLUG).mkdir(parents=True)
    (run / "restamp" / SLUG / "versions.json").symlink_to(tmp_path / "victim" / "precious.txt")
    notes = []
    build(project, as_of=AS_OF, incremental=True, on_note=notes.append)
    assert any("without finishing it" in n for n in notes), notes
    assert (victim / SLUG / "precious.txt").read_text(encoding="utf-8") == "keep me too"
    assert sorted(p.name for p in victim.iterdir()) == [SLUG, "precious.txt"]
    assert not (project.site_dir / SLUG).is_symlink() and not (project.site_dir / SLUG / "versions.json").is_symlink()
    assert tree_bytes(project.site_dir) == before
    assert not run.exists()


def test_fresh_finishes_no_staging_run(project):
    build(project, as_of=AS_OF)
    run = _planted_run(project, SLUG)
    (run / "sites" / SLUG / "site").mkdir()
    (run / "sites" / SLUG / "site" / "index.html").write_text("planted")
    notes = []
    build(project, as_of=AS_OF, fresh=True, on_note=notes.append)
    assert any("--fresh" in n for n in notes), notes
    assert b"planted" not in (project.site_dir / SLUG / "index.html").read_bytes()


def _build_process(project, *args):
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-pdf", "--as-of", AS_OF.isoformat(),
                           "--root", str(project.root), *args], capture_output=True, text=True, timeout=300)


def test_a_fifo_in_a_built_site_or_the_theme_never_hangs_a_build(project):
    assert _build_process(project).returncode == 0
    os.mkfifo(project.site_dir / SLUG / "planted-fifo")
    result = _build_process(project)  # the site differs from what was built: rebuilt, its FIFO gone
    assert result.returncode == 0 and "built 1 site" in result.stdout, result.stdout + result.stderr
    assert not (project.site_dir / SLUG / "planted-fifo").exists()
    theme = project.templates_dir / "theme"
    theme.mkdir(parents=True, exist_ok=True)
    os.mkfifo(theme / "planted-fifo")
    result = _build_process(project, "--force")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_link_in_place_of_the_build_lock_is_refused_with_how_to_fix_it(project, tmp_path):
    target = tmp_path / "elsewhere.lock"
    (project.root / ".cache").mkdir()
    (project.root / ".cache" / "build.lock").symlink_to(target)
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--root", str(project.root)])
    assert result.exit_code == 1
    assert ".cache/build.lock is a symbolic link" in result.output and "remove the link" in result.output
    assert not target.exists()
