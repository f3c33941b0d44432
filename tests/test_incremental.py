"""Incremental, parallel and sharded builds: what is rebuilt, what is kept, and that the output is the
same however it was built. Speed is measured by benchmarks/build.py, never asserted here."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import jinja2
import jinja2.nodes
import pytest
from click.testing import CliRunner

from generator.site import build as build_mod
from generator.site import incremental as inc
from generator.site import inputs as inputs_mod
from generator.site.manifest import load_manifest, manifest_path
from generator.notices import render
from generator.site import theme_cache
from generator.site.build import build
from generator.announcing.embed import embed_files
from generator.site.prepare import prepare, site_spec
from generator.cli import main
from tests.conftest import MINIMAL, REPO, USES_COOKIES, tree_bytes

AS_OF = date(2026, 11, 22)
CANADIAN = MINIMAL.replace("country: US, region: CO", "country: CA, region: ON")
GROUP = "service_providers:\n  - {name: Jane App, role: scheduling, business_associate: true}\n"


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output, result.output
    return result


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))}


def built(project, **kw) -> list[str]:
    return [b.slug for b in build(project, as_of=kw.pop("as_of", AS_OF), incremental=True, **kw)]


def publish(project, slug, notice, day, effective, *extra):
    result = cli(project, "publish", slug, notice, "--summary", "A change.", "--approved-by", "Pat Lee",
                 "--as-of", day, "--effective", effective, "--allow-findings", "test clinic", *extra)
    assert result.exit_code == 0, result.output


def edit(project, slug, extra):
    path = project.clinic_dir(slug) / "clinic.yaml"
    path.write_text(path.read_text() + extra)


@pytest.fixture
def four(make_project):
    """Two US clinics in group g, one US clinic alone, one Canadian clinic."""
    return make_project({
        "groups/g.yaml": GROUP,
        "clinics/a/clinic.yaml": "group: g\n" + MINIMAL,
        "clinics/b/clinic.yaml": "group: g\n" + MINIMAL.replace("Test Clinic", "Bee Clinic"),
        "clinics/c/clinic.yaml": MINIMAL.replace("Test Clinic", "Sea Clinic"),
        "clinics/d/clinic.yaml": CANADIAN,
    })


def fresh_build(project, tmp_path, name="fresh", **kw) -> dict[str, bytes]:
    """The whole site/ as a full, non-incremental build in a copy of the project gives it."""
    copy = tmp_path / name
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns("site", ".cache"))
    from generator.data.load import Project

    other = Project(copy)
    build(other, as_of=kw.pop("as_of", AS_OF), **kw)
    return tree_bytes(other.site_dir)


# --------------------------------------------------------------------------------------------------
# Skipping and rebuilding


def test_nothing_changed_skips_every_clinic_and_touches_nothing(four):
    assert built(four) == ["a", "b", "c", "d"]
    before, times = tree_bytes(four.site_dir), mtimes(four.site_dir)
    clinics = load_manifest(four)[0].clinics
    assert built(four) == []
    assert tree_bytes(four.site_dir) == before and mtimes(four.site_dir) == times
    assert load_manifest(four)[0].clinics == clinics
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF))
    assert result.exit_code == 0 and "built 0 sites into site/ (4 unchanged)" in result.output
    assert mtimes(four.site_dir) == times


def test_one_clinic_edited_rebuilds_only_it_and_equals_a_full_build(four, tmp_path):
    built(four)
    times = mtimes(four.site_dir)
    edit(four, "c", "legal_name: Sea Clinic LLC\n")
    assert built(four) == ["c"]
    after = mtimes(four.site_dir)
    def others(m: dict) -> dict:
        return {k: v for k, v in m.items() if k.split("/")[0] != "c"}

    assert others(after) == others(times)
    assert after["c/index.html"] != times["c/index.html"]
    assert tree_bytes(four.site_dir) == fresh_build(four, tmp_path)


def test_template_change_rebuilds_exactly_the_clinics_that_use_it(four):
    built(four)
    (four.templates_dir / "privacy-ca.md.j2").write_text(
        (four.templates_dir / "privacy-ca.md.j2").read_text() + "\nOne more Canadian sentence.\n")
    assert built(four) == ["d"]
    (four.templates_dir / "hipaa.md.j2").write_text(
        (four.templates_dir / "hipaa.md.j2").read_text() + "\nOne more HIPAA sentence.\n")
    assert built(four) == ["a", "b", "c"]  # US clinics only: Canada has no HIPAA notice
    partials = sorted((four.templates_dir / "partials").glob("*.md.j2"))
    used_by_all = next(p for p in partials if p.name == "contact.md.j2")
    used_by_all.write_text(used_by_all.read_text() + "\n")
    assert built(four) == ["a", "b", "c", "d"]
    (four.templates_dir / "pages" / "index.md.j2").write_text(
        (four.templates_dir / "pages" / "index.md.j2").read_text() + "\n")
    assert built(four) == ["a", "b", "c", "d"]
    (four.templates_dir / "fr" / "labels.yaml").write_text((four.templates_dir / "fr" / "labels.yaml").read_text() + "\n")
    assert built(four) == []  # no clinic speaks French
    fr_catalog = four.templates_dir / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    fr_catalog.write_text(fr_catalog.read_text() + "\n")
    assert built(four) == []  # nor through its catalog
    (four.templates_dir / "assets" / "notices.css").write_text((four.templates_dir / "assets" / "notices.css").read_text() + "\n")
    assert built(four) == ["a", "b", "c", "d"]


def test_a_new_partial_nobody_includes_rebuilds_nothing(four):
    built(four)
    (four.templates_dir / "partials" / "unused.md.j2").write_text("Nobody includes me.\n")
    assert built(four) == []


def test_group_change_rebuilds_exactly_its_clinics(four):
    built(four)
    (four.groups_dir / "g.yaml").write_text(GROUP + "  - {name: Example Pay, role: payment_processing}\n")
    assert built(four) == ["a", "b"]
    (four.groups_dir / "other.yaml").write_text(GROUP)  # a group no clinic names
    assert built(four) == []


def test_shared_inputs_and_options_rebuild_everything(four):
    built(four)
    (four.root / "mkdocs.yml").write_text((four.root / "mkdocs.yml").read_text() + "\n# a comment\n")
    assert built(four) == ["a", "b", "c", "d"]
    assert built(four, pdfs=False) == []


def test_a_file_is_trusted_by_its_size_and_times_only_when_it_changed_well_before_the_run(four, monkeypatch):
    built(four)
    monkeypatch.setattr(inputs_mod.Digests, "RACY_NS", 0)  # what a later run sees: the files are old enough
    assert built(four) == []
    stats = load_manifest(four)[0].stats
    assert "clinics/a/clinic.yaml" in stats
    path = four.clinic_dir("a") / "clinic.yaml"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"Test Clinic", b"Tost Clinic"))  # same size, same second
    assert built(four) == ["a"]
    monkeypatch.setattr(inputs_mod.Digests, "RACY_NS", 10**12)  # written just now: not trusted next time
    path.write_bytes(data)
    assert built(four) == ["a"]
    assert "clinics/a/clinic.yaml" not in load_manifest(four)[0].stats


def test_a_deleted_site_or_manifest_is_rebuilt(four):
    built(four)
    shutil.rmtree(four.site_dir / "b")
    assert built(four) == ["b"]
    (four.site_dir / "c" / "index.html").write_text("changed by hand")
    assert built(four) == ["c"]
    manifest_path(four).unlink()
    assert built(four) == ["a", "b", "c", "d"]


def test_force_rebuilds_everything(four):
    built(four)
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--force")
    assert result.exit_code == 0 and "built 4 sites" in result.output


def test_removed_clinic_loses_its_site_only_in_a_full_build(four, tmp_path):
    built(four)
    shutil.rmtree(four.clinic_dir("b"))
    assert built(four, slugs=["a"]) == []
    assert (four.site_dir / "b").is_dir()  # a named build leaves other sites alone
    dry = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--dry-run")
    assert "remove b: clinics/b/ is gone" in dry.output and (four.site_dir / "b").is_dir()
    assert built(four) == []
    assert not (four.site_dir / "b").exists()
    assert "b" not in load_manifest(four)[0].clinics
    assert tree_bytes(four.site_dir) == fresh_build(four, tmp_path)


def test_dry_run_lists_what_would_be_built_and_writes_nothing(four):
    built(four)
    (four.groups_dir / "g.yaml").write_text(GROUP + "  - {name: Example Pay, role: payment_processing}\n")
    edit(four, "d", "legal_name: Dee LLC\n")
    before, times = tree_bytes(four.site_dir), mtimes(four.site_dir)
    manifest = manifest_path(four).read_bytes()
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines == ["build a: groups/g.yaml changed", "build b: groups/g.yaml changed",
                     "build d: clinics/d/clinic.yaml changed",
                     "3 to build, 1 unchanged, 0 to remove (dry run: nothing was written)"]
    assert tree_bytes(four.site_dir) == before and mtimes(four.site_dir) == times
    assert manifest_path(four).read_bytes() == manifest


def test_dry_run_on_a_fresh_project_writes_nothing(four):
    result = cli(four, "build", "--dry-run")
    assert result.exit_code == 0 and "4 to build" in result.output
    assert not four.site_dir.exists() and not manifest_path(four).exists()


def test_a_data_problem_stops_the_run_and_reports_every_clinic(four):
    built(four)
    before = tree_bytes(four.site_dir)
    manifest = manifest_path(four).read_bytes()
    edit(four, "a", "colour: red\n")
    edit(four, "c", "practice: spa\n")
    edit(four, "b", "legal_name: Bee LLC\n")  # fine, but it must not be swapped in alone
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--workers", "2")
    assert result.exit_code == 1
    assert "clinics/a/clinic.yaml" in result.output and "clinics/c/clinic.yaml" in result.output
    assert tree_bytes(four.site_dir) == before
    assert sorted(p.name for p in four.site_dir.iterdir()) == ["a", "b", "c", "d"]  # no staging left
    assert manifest_path(four).read_bytes() == manifest


# --------------------------------------------------------------------------------------------------
# The build date


@pytest.fixture
def versioned(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + USES_COOKIES})
    publish(project, "t", "privacy", "2026-01-10", "2026-01-10")
    edit(project, "t", "legal_name: Test Clinic LLC\n")
    publish(project, "t", "privacy", "2026-11-01", "2026-12-15")  # announced from Nov 1, in force Dec 15
    publish(project, "t", "cookies", "2026-02-01", "2026-02-01")
    return project


def test_site_is_the_same_on_every_day_of_its_window(versioned):
    """The date window is right: every day in one window gives the same site, but for versions.json's
    as_of, which restamp gives exactly as a build on that day writes it."""
    first: dict[tuple, tuple] = {}
    day = date(2025, 12, 25)
    windows = set()
    while day <= date(2027, 2, 10):
        (p,) = prepare(versioned, ["t"], day)
        span = inc.window(p, day)
        windows.add(span)
        spec = site_spec(versioned, p, day)
        pages = tuple((pg.path, pg.markdown) for pg in spec.pages)
        extra = {**spec.extra_files, **embed_files(versioned, p, day)}  # the embeds too, as a build derives them
        data = extra.pop("versions.json")
        if span not in first:
            first[span] = (day, pages, extra, data)
        else:
            start, pages0, extra0, data0 = first[span]
            assert pages == pages0 and extra == extra0, (day, span)
            assert inc.restamp_versions_json(data0, start, day) == data, day
        day += timedelta(days=3 if day.day % 2 else 1)
    # Boundaries: v1, cookies v1, v2 published, v2 in force, v2's banner ends (30 days after).
    assert len(windows) == 6


def test_a_new_date_inside_the_window_only_restamps_versions_json(versioned, tmp_path):
    assert built(versioned, as_of=date(2026, 11, 5)) == ["t"]
    times = mtimes(versioned.site_dir)
    assert built(versioned, as_of=date(2026, 11, 20)) == []
    after = mtimes(versioned.site_dir)
    changed = [k for k in after if after[k] != times[k] and (versioned.site_dir / k).is_file()]
    assert changed == ["t/versions.json"]
    assert tree_bytes(versioned.site_dir) == fresh_build(versioned, tmp_path, as_of=date(2026, 11, 20))
    assert built(versioned, as_of=date(2026, 12, 15)) == ["t"]  # v2 takes effect
    assert tree_bytes(versioned.site_dir) == fresh_build(versioned, tmp_path, "fresh2", as_of=date(2026, 12, 15))
    dry = cli(versioned, "build", "--no-pdf", "--as-of", "2027-02-01", "--dry-run")
    assert "build t: the build date 2027-02-01 is outside 2026-12-15 – 2027-01-15" in dry.output


def test_templates_use_the_build_date_only_in_comparisons():
    """The date window assumes a page shows the build date only through comparisons with version
    dates; a template that prints it would make every day's site different."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n", "generator.notices.sources.SourceExtension"])
    offenders = []
    for path in sorted((REPO / "templates").rglob("*.j2")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        compared = {id(x) for c in tree.find_all(jinja2.nodes.Compare)
                    for x in [c.expr, *(op.expr for op in c.ops)] if isinstance(x, jinja2.nodes.Name)}
        offenders += [f"{path.relative_to(REPO)}:{n.lineno}" for n in tree.find_all(jinja2.nodes.Name)
                      if n.name == "as_of" and id(n) not in compared]
    assert offenders == []


# --------------------------------------------------------------------------------------------------
# Every input is fingerprinted


_READS: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _READS is not None and event == "open" and isinstance(args[0], (str, Path)):
        mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
        if "w" not in mode and "a" not in mode and "x" not in mode:
            _READS.append(str(args[0]))


sys.addaudithook(_audit)


def test_every_file_a_build_reads_is_one_of_its_fingerprinted_inputs(make_project, monkeypatch):
    project = make_project({
        "groups/g.yaml": GROUP,
        "clinics/t/clinic.yaml": "group: g\n" + MINIMAL.replace("name: Test Clinic", "name: Test Clinic\nlanguages: [en, es]")
        + "branding: {logo: logo.svg}\n",
        "clinics/t/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
        "clinics/t/subscribers.csv": "email\na@example.com\n",  # not an input of the site
    })
    publish(project, "t", "privacy", "2026-01-10", "2026-01-10")
    render.environment.cache_clear()  # templates are read afresh
    original = build_mod._build_one

    def recording(task):
        global _READS
        _READS = []
        try:
            return original(task)
        finally:
            reads, _READS = _READS, None
            task.project.root.joinpath(".reads.json").write_text(json.dumps(reads))

    monkeypatch.setattr(build_mod, "_build_one", recording)
    build(project, as_of=AS_OF, workers=1)
    root = project.root.resolve()
    reads = set()
    for path in json.loads((project.root / ".reads.json").read_text()):
        p = Path(path).resolve()
        if p.is_relative_to(root) and not p.is_relative_to(root / "site") and not p.is_relative_to(root / ".cache"):
            reads.add(p.relative_to(root).as_posix())
    inputs = set(load_manifest(project)[0].inputs("t"))
    shared = {"mkdocs.yml", *(f"templates/assets/{p.name}" for p in (project.templates_dir / "assets").iterdir()),
              *(p.relative_to(project.root).as_posix() for p in (project.templates_dir / "theme").rglob("*") if p.is_file())}
    assert reads and reads <= inputs | shared, reads - inputs - shared
    assert {"groups/g.yaml", "clinics/t/logo.svg", "clinics/t/versions/privacy/v1.json",
            "templates/es/labels.yaml", "templates/locale/es/LC_MESSAGES/messages.po",
            "templates/locale/es/LC_MESSAGES/messages.mo"} <= inputs
    assert "clinics/t/subscribers.csv" not in inputs


# --------------------------------------------------------------------------------------------------
# Same output however built


def test_pool_and_single_process_give_identical_sites(four, tmp_path):
    build(four, as_of=AS_OF, workers=2)
    pooled = tree_bytes(four.site_dir)
    assert fresh_build(four, tmp_path, workers=1) == pooled


def test_a_first_build_leaves_the_notices_templates_compiled_for_the_next_process(four):
    """The first build of a project (nothing known of its languages yet) keeps the notices' compiled
    templates too, in a folder for this version of the package; another version's folder is removed."""
    import hashlib

    stale = four.root / ".cache" / "jinja" / "0123456789abcdef"
    stale.mkdir(parents=True)
    build(four, as_of=AS_OF, workers=2)
    (folder,) = (four.root / ".cache" / "jinja").iterdir()
    assert folder.name != stale.name and len(folder.name) == 16
    for name in ("pages/index.md.j2", "pages/notice.md.j2", "pages/_footer.md.j2"):
        key = hashlib.sha1(f"{name}|{four.templates_dir / name}".encode()).hexdigest()
        assert (folder / f"{key}.cache").is_file(), name


def test_shards_partition_the_clinics_stably_and_together_equal_the_full_build(four, tmp_path):
    full = fresh_build(four, tmp_path)
    slugs = four.slugs()
    parts = {k: [s for s in slugs if inc.shard_of(s, 2) == k] for k in (1, 2)}
    assert parts == {1: ["a", "b", "c"], 2: ["d"]}
    union: dict[str, bytes] = {}
    for k in (1, 2):
        copy = tmp_path / f"shard{k}"
        shutil.copytree(four.root, copy)
        result = CliRunner().invoke(main, ["build", "--no-pdf", "--as-of", str(AS_OF), "--shard", f"{k}/2",
                                           "--root", str(copy)])
        assert result.exit_code == 0, result.output
        assert sorted(p.name for p in (copy / "site").iterdir()) == parts[k]
        union.update(tree_bytes(copy / "site"))
    assert union == full
    # Stable: a clinic's part depends on its name only, never on which other clinics exist. Changing
    # this function would move clinics between CI machines: these values are pinned on purpose.
    assert [inc.shard_of(s, 3) for s in "abcdef"] == [2, 2, 3, 3, 3, 1]


def test_a_shard_keeps_only_its_own_part_of_a_restored_site(four):
    """A CI cache may hold sites built by a whole build or another split: a shard's site/ must hold
    its own part only, or merging the shards' folders could bring back stale sites."""
    built(four)
    dry = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--shard", "2/2", "--dry-run")
    assert "remove a: not in shard 2/2" in dry.output
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF), "--shard", "2/2")
    assert result.exit_code == 0, result.output
    assert "built 0 sites into site/ (1 unchanged, 3 removed)" in result.output
    assert sorted(p.name for p in four.site_dir.iterdir()) == ["d"]
    assert sorted(load_manifest(four)[0].clinics) == ["d"]


def test_bad_shard_is_refused(four):
    for bad in ("0/3", "4/3", "1", "a/b"):
        result = cli(four, "build", "--shard", bad)
        assert result.exit_code == 2 and "is not a shard" in result.output


def test_incremental_after_many_changes_equals_a_full_build(four, tmp_path):
    built(four)
    edit(four, "a", "legal_name: Ay LLC\n")
    (four.groups_dir / "g.yaml").write_text(GROUP + "  - {name: Example Pay, role: payment_processing}\n")
    (four.templates_dir / "privacy-ca.md.j2").write_text(
        (four.templates_dir / "privacy-ca.md.j2").read_text() + "\nOne more sentence.\n")
    assert built(four, workers=2) == ["a", "b", "d"]
    assert tree_bytes(four.site_dir) == fresh_build(four, tmp_path)


def test_no_progress_output_when_not_on_a_terminal(four):
    result = cli(four, "build", "--no-pdf", "--as-of", str(AS_OF))
    assert result.exit_code == 0
    assert result.output.strip().splitlines() == ["built 4 sites into site/"]


def test_one_process_building_many_sites_reuses_the_theme_caches(four):
    theme_cache.clear_caches()
    before = theme_cache.cache_stats()
    build(four, as_of=AS_OF, workers=1)
    after = theme_cache.cache_stats()
    assert after["listings_made"] - before["listings_made"] == 1
    assert after["envs_reused"] - before["envs_reused"] >= 3
