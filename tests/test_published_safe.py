"""Nothing published is lost: a manifest cannot make a build delete or read what it names, a published
version that goes missing stops the build, and `notices verify` checks every version against git."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from generator.site.manifest import load_manifest, manifest_path
from tests.conftest import MINIMAL, tree_bytes
from tests.test_incremental import AS_OF, cli, fresh_build, publish


def build_cli(project, *extra):
    return cli(project, "build", "--no-pdf", "--as-of", str(AS_OF), *extra)


@pytest.fixture
def two(make_project):
    project = make_project({"clinics/a/clinic.yaml": MINIMAL, "clinics/b/clinic.yaml": MINIMAL})
    publish(project, "a", "privacy", "2026-01-10", "2026-01-10")
    path = project.clinic_dir("a") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: Test Clinic LLC\n")
    publish(project, "a", "privacy", "2026-02-10", "2026-02-10")
    assert build_cli(project).exit_code == 0
    return project


def _manifest(project) -> dict:
    return json.loads(manifest_path(project).read_text())


HOSTILE = {
    "a path out of site/": lambda m, root: {**m, "clinics": {**m["clinics"], "../clinics": m["clinics"]["a"]}},
    "an absolute path": lambda m, root: {**m, "clinics": {**m["clinics"], str(root / "clinics"): m["clinics"]["a"]}},
    "an empty entry for ../clinics": lambda m, root: {**m, "clinics": {**m["clinics"], "../clinics": {}}},
    "an input path out of the project": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {
        **m["clinics"]["a"], "files": {"../../etc/passwd": "0" * 32}}}},
    "clinics as a list": lambda m, root: {**m, "clinics": []},
    "an entry as a string": lambda m, root: {**m, "clinics": {"a": "x"}},
    "langs as a number": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {**m["clinics"]["a"], "langs": 5}}},
    "a date that is not one": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {**m["clinics"]["a"],
                                                                                         "as_of": "soon"}}},
    "output of the wrong shape": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {**m["clinics"]["a"],
                                                                                           "output": "x"}}},
    "a pool named by a list": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {**m["clinics"]["a"],
                                                                                     "templates": []}}},
    "a site's shape with a path out of it": lambda m, root: {**m, "pools": {**m["pools"], "shapes": {
        k: {"../../etc": "d"} for k in m["pools"]["shapes"]}}},
    "a site's shape with a path whose folder it does not hold": lambda m, root: {**m, "pools": {
        **m["pools"], "shapes": {k: {**v, "privacy/deeper/index.html": "f"} for k, v in m["pools"]["shapes"].items()}}},
    "a site's shape as a list": lambda m, root: {**m, "pools": {**m["pools"], "shapes": {
        k: ["index.html"] for k in m["pools"]["shapes"]}}},
    "a site's shape named by a list": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {
        **m["clinics"]["a"], "output": {**m["clinics"]["a"]["output"], "shape": []}}}},
    "pools missing": lambda m, root: {k: v for k, v in m.items() if k != "pools"},
    "an unknown pool": lambda m, root: {**m, "clinics": {**m["clinics"], "a": {**m["clinics"]["a"],
                                                                                 "templates": "nope"}}},
    "another format": lambda m, root: {**m, "format": 99},
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_manifest_that_is_not_the_builds_own_is_set_aside(two, tmp_path, kind):
    clinics_before = tree_bytes(two.clinics_dir)
    manifest_path(two).write_text(json.dumps(HOSTILE[kind](_manifest(two), two.root)))
    result = build_cli(two)
    assert result.exit_code == 0, result.output
    assert "is not a build manifest" in result.output and "every site is rebuilt" in result.output
    assert tree_bytes(two.clinics_dir) == clinics_before
    assert tree_bytes(two.site_dir) == fresh_build(two, tmp_path)
    assert load_manifest(two)[1] is None  # a trusted manifest again


def test_stats_of_the_wrong_shape_are_not_used_and_not_kept(two, tmp_path):
    """A manifest's stats are looked up only by paths the build makes, and one is used only when it is
    exactly of the shape the build records: anything else, the file is read again."""
    data = _manifest(two)
    clinic = two.clinic_dir("a") / "clinic.yaml"
    st = clinic.stat()
    real = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    data["stats"] = {"clinics/a/clinic.yaml": [*real, 5],
                     "clinics/b/clinic.yaml": {"size": 1}, "../../etc/passwd": "x", "/etc/passwd": [1, 2]}
    manifest_path(two).write_text(json.dumps(data))
    result = build_cli(two)
    assert result.exit_code == 0 and "is not a build manifest" not in result.output, result.output
    assert "built 0 sites" in result.output  # the file read again: unchanged (its entry's digest, 5, unused)
    assert tree_bytes(two.site_dir) == fresh_build(two, tmp_path)
    kept = _manifest(two)["stats"]
    assert all(type(v) is list and len(v) == 5 and type(v[4]) is str for v in kept.values())
    assert not {"../../etc/passwd", "/etc/passwd"} & set(kept)


@pytest.mark.parametrize("raw", [b"\xff\xfe garbage", b"[" * 100_000 + b"]" * 100_000, b"{" * 5000, b"",
                                 b'{"format": 2, "clinics": {}, "pools": {"templates": [], "shared": {}}}'])
def test_a_manifest_of_garbage_or_deep_nesting_is_a_warning_never_a_traceback(two, raw):
    manifest_path(two).write_bytes(raw)
    result = build_cli(two)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "is not a build manifest" in result.output
    assert build_cli(two).output.count("is not a build manifest") == 0  # set right by that build


def test_a_build_removes_only_sites_it_wrote(two, tmp_path):
    outside = tmp_path / "keep-me"
    outside.mkdir()
    (outside / "precious.txt").write_text("x")
    (two.site_dir / "linked").symlink_to(outside)
    (two.site_dir / "handmade").mkdir()
    (two.site_dir / "handmade" / "index.html").write_text("made by hand")
    m = _manifest(two)
    m["clinics"]["linked"] = m["clinics"]["handmade"] = m["clinics"]["b"]
    manifest_path(two).write_text(json.dumps(m))
    result = build_cli(two)
    assert result.exit_code == 0, result.output
    assert (outside / "precious.txt").read_text() == "x" and (two.site_dir / "linked").is_symlink()
    assert (two.site_dir / "handmade" / "index.html").read_text() == "made by hand"
    shutil.rmtree(two.clinic_dir("b"))
    assert build_cli(two).exit_code == 0
    assert not (two.site_dir / "b").exists()  # a site the build wrote, of a clinic that is gone


@pytest.mark.parametrize("lost", ["newest", "folder"])
def test_a_published_version_that_went_missing_stops_the_build(two, lost):
    folder = two.clinic_dir("a") / "versions" / "privacy"
    if lost == "newest":
        for path in folder.glob("v2.*"):
            path.unlink()
    else:
        shutil.rmtree(folder)
    site_before = tree_bytes(two.site_dir)
    for extra in ([], ["--dry-run"], ["a"]):
        result = build_cli(two, *extra)
        assert result.exit_code == 1, result.output
        assert "clinics/a/versions/privacy/v2.json: this published version was in site/a/" in result.output
        assert "git checkout -- clinics/a/versions/privacy/v2.json" in result.output
    assert tree_bytes(two.site_dir) == site_before
    assert (two.site_dir / "a" / "privacy" / "v2" / "index.html").is_file()


def test_each_new_version_names_the_hash_of_the_one_before(two, make_project, tmp_path):
    folder = two.clinic_dir("a") / "versions" / "privacy"
    v1, v2 = (json.loads((folder / f"v{n}.json").read_text()) for n in (1, 2))
    assert "previous" not in v1 and v2["previous"] == v1["sha256"]
    # v1 replaced by another, itself valid, first version: v2 no longer follows it.
    other = tmp_path / "other"
    shutil.copytree(two.root, other, ignore=shutil.ignore_patterns("site", ".cache", "versions"))
    from generator.data.load import Project

    alt = Project(other)
    path = alt.clinic_dir("a") / "clinic.yaml"
    path.write_text(path.read_text().replace("Test Clinic", "Other Clinic"))
    publish(alt, "a", "privacy", "2026-01-10", "2026-01-10")
    for name in ("v1.json", "v1.md"):
        shutil.copy(alt.clinic_dir("a") / "versions" / "privacy" / name, folder / name)
    result = build_cli(two, "--force")
    assert result.exit_code == 1
    assert "clinics/a/versions/privacy/v2.json: previous: does not follow version 1 as published" in result.output


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_verify_finds_a_version_deleted_or_changed_since_it_was_committed(two):
    _git(two.root, "init", "-q")
    _git(two.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "add", "clinics")
    _git(two.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "versions")
    ok = cli(two, "verify")
    assert ok.exit_code == 0 and "2 published versions of 2 clinics verified against git history" in ok.output
    folder = two.clinic_dir("a") / "versions" / "privacy"
    (folder / "v2.md").unlink()
    (folder / "v2.json").unlink()
    result = cli(two, "verify")
    assert result.exit_code == 1
    assert "clinics/a/versions/privacy/v2.json: this published version (committed in" in result.output
    assert "git checkout" in result.output
    # Deleted in a commit: a fresh clone has no file to miss, the history still tells.
    _git(two.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qam", "drop v2")
    clone = two.root.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(two.root), str(clone)], check=True)
    for name in ("templates", "mkdocs.yml"):
        src = two.root / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, clone / name)
    from generator.data.load import Project

    result = cli(Project(clone), "verify")
    assert result.exit_code == 1
    assert "clinics/a/versions/privacy/v2.json: a published version was deleted in commit" in result.output


def test_verify_outside_git_says_what_it_needs(two):
    result = cli(two, "verify")
    assert result.exit_code == 1 and "not in a git work tree" in result.output
    assert cli(two, "verify", "--no-git").exit_code == 0


def test_verify_accepts_only_the_rewrites_notices_toml_names(two):
    def commit(message):
        _git(two.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qam", message)
        out = subprocess.run(["git", "-C", str(two.root), "rev-parse", "HEAD"], capture_output=True, text=True)
        return out.stdout.strip()

    _git(two.root, "init", "-q")
    _git(two.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "add", "clinics")
    commit("versions")
    folder = two.clinic_dir("a") / "versions" / "privacy"
    for name in ("v2.md", "v2.json"):
        (folder / name).unlink()
    rewrite = commit("drop v2")
    assert cli(two, "verify").exit_code == 1
    (two.root / "notices.toml").write_text(f'[verify]\nreviewed_rewrites = ["{rewrite}"]\n')
    ok = cli(two, "verify")
    assert ok.exit_code == 0, ok.output
    assert f"v2.json: deleted in commit {rewrite[:12]}, a reviewed rewrite" in ok.output
    # Only the commit named: a change in any other commit is still a problem.
    md = folder / "v1.md"
    md.write_text(md.read_text() + "\nchanged\n")
    commit("change v1")
    assert "a published version was changed in commit" in cli(two, "verify").output
    (two.root / "notices.toml").write_text('[verify]\nreviewed_rewrites = ["HEAD"]\n')
    bad = cli(two, "verify")
    assert bad.exit_code == 1 and "verify.reviewed_rewrites: must be a list of full commit ids" in bad.output
