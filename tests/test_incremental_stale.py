"""An incremental build always writes what a full build writes: each way a site once went stale, and a
differential test that applies every kind of input change and compares with a clean full build."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.site import builder as site_mod
from generator.errors import NoticesError
from generator.data.load import Project
from tests.conftest import MINIMAL, tree_bytes
from tests.test_incremental import AS_OF, built, fresh_build, publish

FRENCH_HELP = MINIMAL + "language_assistance: {languages: [fr]}\n"


def assert_same_as_full(project: Project, tmp_path: Path, name: str, as_of: date = AS_OF) -> None:
    built(project, as_of=as_of)
    ours, full = tree_bytes(project.site_dir), fresh_build(project, tmp_path, name, as_of=as_of)
    differ = sorted(k for k in set(ours) | set(full) if ours.get(k) != full.get(k))
    assert not differ, f"{name}: incremental differs from a full build in {differ[:5]}"


def test_a_language_used_only_for_language_assistance_is_an_input(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": FRENCH_HELP})
    built(project)
    labels = project.templates_dir / "fr" / "labels.yaml"
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text.replace("vous pouvez obtenir de l'aide gratuite", "vous recevrez une aide gratuite"),
                      encoding="utf-8")
    assert built(project) == ["t"]
    assert "vous recevrez une aide gratuite" in (project.site_dir / "t" / "privacy" / "index.html").read_text()
    assert_same_as_full(project, tmp_path, "after-edit")
    # A label removed: the incremental build fails as the full build does, never passes on a stale site.
    labels.write_text("\n".join(line for line in text.splitlines() if not line.startswith("tagline:")) + "\n",
                      encoding="utf-8")
    with pytest.raises(NoticesError, match="tagline"):
        built(project)


def test_a_computed_include_of_a_file_created_later_rebuilds(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    notice = project.templates_dir / "privacy-us.md.j2"
    notice.write_text(notice.read_text(encoding="utf-8")
                      + "{% include 'partials/extra-' ~ clinic.jurisdiction.country|lower ~ '.md.j2' ignore missing %}\n",
                      encoding="utf-8")
    built(project)
    (project.templates_dir / "partials" / "extra-us.md.j2").write_text("An extra paragraph, added later.\n")
    assert built(project) == ["t"]
    assert "An extra paragraph, added later." in (project.site_dir / "t" / "privacy" / "index.html").read_text()
    assert_same_as_full(project, tmp_path, "full")


def test_a_logo_edited_while_the_build_runs_is_rebuilt_next_time(make_project, tmp_path, monkeypatch):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="#{}"/></svg>'
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "branding: {logo: logo.svg}\n",
                            "clinics/t/logo.svg": svg.format("111111")})
    original = site_mod.stage_site

    def edit_after_reading(*args, **kw):
        warnings = original(*args, **kw)  # the logo has been read and published
        (project.clinic_dir("t") / "logo.svg").write_text(svg.format("222222"))
        return warnings

    monkeypatch.setattr(site_mod, "stage_site", edit_after_reading)
    built(project)
    monkeypatch.setattr(site_mod, "stage_site", original)
    assert "111111" in (project.site_dir / "t" / "assets" / "logo.svg").read_text()
    assert built(project) == ["t"]
    assert "222222" in (project.site_dir / "t" / "assets" / "logo.svg").read_text()


def test_any_file_of_the_output_deleted_or_changed_is_rebuilt(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL, "clinics/u/clinic.yaml": MINIMAL})
    built(project)
    (project.site_dir / "t" / "privacy" / "index.html").unlink()
    (project.site_dir / "u" / "assets" / "brand.css").write_text("/* changed */")
    assert built(project) == ["t", "u"]
    assert_same_as_full(project, tmp_path, "full")
    # Only the times changed (a restore that keeps the bytes): checked by content, and kept.
    page = project.site_dir / "t" / "privacy" / "index.html"
    os.utime(page, ns=(10**18, 10**18))
    assert built(project) == []


def test_an_older_site_restored_beside_a_newer_manifest_is_rebuilt(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    built(project)
    old = tmp_path / "old-site"
    shutil.copytree(project.site_dir, old, copy_function=shutil.copy2)  # keeps the times, as a cache restore
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: Test Clinic LLC\n")
    assert built(project) == ["t"]
    shutil.rmtree(project.site_dir)
    shutil.copytree(old, project.site_dir, copy_function=shutil.copy2)
    assert built(project) == ["t"]
    assert_same_as_full(project, tmp_path, "full")


def test_a_relative_custom_dir_builds_and_its_files_are_inputs(make_project, tmp_path):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL,
                            "overrides/main.html": '{% extends "base.html" %}\n{% block announce %}Hello{% endblock %}\n'})
    base = project.mkdocs_base
    config = yaml.safe_load(base.read_text())
    config["theme"]["custom_dir"] = "overrides"
    base.write_text(yaml.safe_dump(config, sort_keys=False))
    built(project)
    assert "Hello" in (project.site_dir / "t" / "index.html").read_text()
    (project.root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block announce %}Goodbye{% endblock %}\n')
    assert built(project) == ["t"]
    assert "Goodbye" in (project.site_dir / "t" / "index.html").read_text()
    assert_same_as_full(project, tmp_path, "full")
    config["theme"]["custom_dir"] = "nowhere"
    base.write_text(yaml.safe_dump(config, sort_keys=False))
    with pytest.raises(NoticesError, match="custom_dir: nowhere is not a folder"):
        built(project)


# --------------------------------------------------------------------------------------------------
# Differential: every kind of input change, incremental against a clean full build


def _mark_strings(value):
    if isinstance(value, dict):
        return {k: _mark_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_strings(v) for v in value]
    if isinstance(value, str) and "{" not in value:  # format strings keep their placeholders as they are
        return value + " ·"
    return value


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _template_kinds(templates: Path) -> dict[str, list[Path]]:
    """The kinds of template file (the README's list), each with its files: one set of templates, and per
    language its words (labels) and its catalog."""
    kinds: dict[str, list[Path]] = {
        "notice template": sorted(templates.glob("*.md.j2")),
        "partial": sorted((templates / "partials").glob("*.md.j2")),
        "page template": sorted((templates / "pages").glob("*.md.j2")),
    }
    for lang_dir in sorted(p for p in templates.iterdir() if p.is_dir() and p.name not in ("assets", "locale",
                                                                                          "pages", "partials")):
        for path in sorted(lang_dir.glob("*.yaml")):
            kinds[f"{lang_dir.name}: words:{path.name}"] = [path]
    for po in sorted((templates / "locale").glob("*/LC_MESSAGES/*.po")):
        kinds[f"{po.parent.parent.name}: catalog"] = [po]
    assert all(kinds.values()), kinds
    return kinds


def _change_catalog(po: Path, root: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    from generator.notices import translations

    with po.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id and isinstance(message.string, str) and message.string and not message.string.endswith("\n"):
            message.string += " ·"
    with po.open("wb") as fh:
        write_po(fh, catalog)
    here = os.getcwd()
    os.chdir(root)  # make translations works on the project it is run in
    try:
        assert translations.main(["--compile"]) == 0
    finally:
        os.chdir(here)


def _changes(project: Project):
    """(name, change) for every kind of input the README lists."""
    root = project.root
    yield "clinic.yaml", lambda: _append(project.clinic_dir("lux-smiles") / "clinic.yaml", "legal_name: Lux Smiles PLLC\n")
    yield "group file", lambda: _append(next(project.groups_dir.glob("*.yaml")), "# a comment only\n")
    yield "group value", lambda: (project.groups_dir / "jane-app-clinics.yaml").write_text(
        (project.groups_dir / "jane-app-clinics.yaml").read_text().replace("Jane App", "Jane Software"))
    yield "a new clinic", lambda: (project.clinic_dir("new-clinic").mkdir(),
                                   (project.clinic_dir("new-clinic") / "clinic.yaml").write_text(MINIMAL))
    yield "a deleted clinic", lambda: shutil.rmtree(project.clinic_dir("new-clinic"))
    logo_clinic = project.clinic_dir("unpublished")
    yield "a logo added", lambda: ((logo_clinic / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'),
        _append(logo_clinic / "clinic.yaml", "branding: {logo: logo.svg}\n"))
    yield "a logo changed", lambda: (logo_clinic / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="3"/>')
    for kind, files in _template_kinds(project.templates_dir).items():
        def change(files=files):
            for path in files:
                if path.suffix == ".po":
                    _change_catalog(path, root)
                elif path.suffix in (".yaml", ".yml"):
                    data = yaml.safe_load(path.read_text(encoding="utf-8"))
                    path.write_text(yaml.safe_dump(_mark_strings(data), allow_unicode=True, sort_keys=False),
                                    encoding="utf-8")
                else:
                    _append(path, "\nA changed template.\n")
        yield f"templates: {kind}", change
    # After the template changes, so that the draft differs from the version in force.
    yield "a new version", lambda: publish(project, "harbourview-family-clinic", "cookies", "2026-11-22", "2026-11-25")
    yield "a partial created for a computed include", lambda: (
        _append(project.templates_dir / "privacy-us.md.j2",
                "{% include 'partials/later-' ~ clinic.jurisdiction.region|lower ~ '.md.j2' ignore missing %}\n"),
        built(project),
        (project.templates_dir / "partials" / "later-co.md.j2").write_text("Created later.\n"))
    yield "a partial deleted", lambda: (project.templates_dir / "partials" / "later-co.md.j2").unlink()
    yield "templates/assets", lambda: _append(project.templates_dir / "assets" / "notices.css", "\n/* changed */\n")
    yield "mkdocs.yml", lambda: _append(project.mkdocs_base, "\ncopyright: Changed\n")
    yield "a file of the output deleted", lambda: (root / "site" / "lux-smiles" / "privacy" / "index.html").unlink()


@pytest.fixture
def examples(make_project):
    project = make_project({
        "clinics/unpublished/clinic.yaml": MINIMAL.replace("Test Clinic", "Unpublished Clinic"),
        "clinics/helped/clinic.yaml": FRENCH_HELP.replace("Test Clinic", "Helped Clinic"),
    }, examples=True)
    shutil.rmtree(project.clinic_dir("lux-aesthetics"))  # three real ones are as many kinds as four
    return project


def test_every_kind_of_input_change_builds_what_a_full_build_builds(examples, tmp_path):
    project = examples
    built(project, workers=2)
    seen = []
    for i, (name, change) in enumerate(_changes(project)):
        change()
        seen.append(name)
        assert_same_as_full(project, tmp_path, f"full-{i}")
    # The build date: forward across a version's effective date, inside a window, and back.
    for i, day in enumerate([date(2026, 11, 21), date(2026, 11, 30), date(2027, 3, 1), date(2026, 1, 1)]):
        assert_same_as_full(project, tmp_path, f"date-{i}", as_of=day)
    kinds = {name.split(": ")[-1].split(":")[0] for name in seen}
    assert {"notice template", "partial", "page template", "words", "catalog"} <= kinds, kinds
