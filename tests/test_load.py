"""Loading: group merge rule, line numbers through the merge, YAML 1.2 booleans."""

from __future__ import annotations

from generator.data.load import load_clinics
from tests.conftest import MINIMAL

GROUP = """\
practice: medical_spa
service_providers:
  - {name: Jane App, role: scheduling}
cookies:
  uses: [analytics]
  honors_gpc: true
"""


def test_clinic_values_override_group_and_mappings_merge(make_project):
    project = make_project({
        "groups/jane.yaml": GROUP,
        "clinics/a/clinic.yaml": "group: jane\n" + MINIMAL + "cookies:\n  uses: [security]\n",
    })
    (a,) = load_clinics(project)
    assert a.clinic.practice == "physician_practice"          # the clinic's scalar wins
    assert a.clinic.cookies.uses == ["security"]               # a list is replaced whole
    assert a.clinic.cookies.honors_gpc is True                 # sibling keys of a mapping are kept
    assert [p.name for p in a.clinic.service_providers] == ["Jane App"]
    assert [f.name for f in a.files] == ["clinic.yaml", "jane.yaml"]


def test_plus_suffix_appends_to_the_group_list(make_project):
    project = make_project({
        "groups/jane.yaml": GROUP,
        "clinics/a/clinic.yaml": "group: jane\n" + MINIMAL + "service_providers+:\n  - {role: payment_processing}\n",
    })
    (a,) = load_clinics(project)
    assert [p.role for p in a.clinic.service_providers] == ["scheduling", "payment_processing"]
    # Locations follow the merge: the appended item points at the clinic file.
    loc = a.locations[("service_providers", 1)]
    assert (loc.file, loc.line) == ("clinics/a/clinic.yaml", 9)
    assert a.locations[("service_providers", 0)].file == "groups/jane.yaml"


def test_plus_suffix_without_group_is_a_plain_key(make_project):
    project = make_project({"clinics/a/clinic.yaml": MINIMAL + "service_providers+:\n  - {role: shipping}\n"})
    (a,) = load_clinics(project)
    assert [p.role for p in a.clinic.service_providers] == ["shipping"]


def test_yaml_1_1_words_stay_text(make_project):
    project = make_project({"clinics/a/clinic.yaml": MINIMAL.replace("country: US, region: CO", "country: CA, region: ON")})
    (a,) = load_clinics(project)
    assert a.clinic.jurisdiction.region == "ON"


def test_bare_names_and_entries_mix_in_item_lists(make_project):
    project = make_project({"clinics/a/clinic.yaml": MINIMAL + "collection:\n  health:\n    items: [allergies, {item: photos, when: with_consent}]\n"})
    (a,) = load_clinics(project)
    items = a.clinic.collection.health.items
    assert [(i.item, i.when) for i in items] == [("allergies", None), ("photos", "with_consent")]


def test_libyaml_and_python_parsers_read_every_file_alike(tmp_path):
    """The fast (libyaml) composer must give the data and every location the pure-Python one gives."""
    from generator.data import yamlsafe
    from tests.conftest import REPO

    if yamlsafe._CLoader is None:
        import pytest
        pytest.skip("PyYAML was built without libyaml")
    tricky = "a: ON\nb: yes\nc: 'x'\nd: [1, 2.5, ~, 2026-01-02]\ne: {f: true}\n\"g\": |\n  two\n  lines\n"
    files = [*REPO.glob("clinics/*/clinic.yaml"), *REPO.glob("groups/*.yaml"), *REPO.glob("tests/fixtures/*.yaml")]
    (tmp_path / "tricky.yaml").write_text(tricky, encoding="utf-8")
    assert len(files) >= 5
    for path in [*files, tmp_path / "tricky.yaml"]:
        results = []
        fast = yamlsafe._CLoader
        for loader in (fast, None):
            yamlsafe._CLoader = loader  # None: the pure-Python parser
            try:
                got, problems = yamlsafe.read_yaml(path, path.name)
            finally:
                yamlsafe._CLoader = fast
            assert not problems, problems
            results.append((got.data, got.locations))
        assert results[0] == results[1], path
    data = yamlsafe.read_yaml(tmp_path / "tricky.yaml", "t")[0].data
    assert data["a"] == "ON" and data["b"] == "yes" and data["e"] == {"f": True}


def test_lines_are_counted_as_an_editor_counts_them(tmp_path):
    """YAML also breaks lines at U+0085, U+2028 and U+2029; an editor shows them inside one line.
    A location must name the line the privacy officer sees (a fuzzed file once got line 83 of 82)."""
    from generator.data import yamlsafe

    path = tmp_path / "c.yaml"
    path.write_text('a: "x\u0085y\u2028z"\nb:\n  c: 1\n  - d\n', encoding="utf-8")
    for loader in (yamlsafe._CLoader, None):
        fast = yamlsafe._CLoader
        yamlsafe._CLoader = loader
        try:
            _, (problem,) = yamlsafe.read_yaml(path, "c.yaml")
        finally:
            yamlsafe._CLoader = fast
        assert (problem.line, problem.column) == (4, 3), problem
    path.write_text('a: "x\u2029y"\nb: {c: 1}\n', encoding="utf-8")
    got, problems = yamlsafe.read_yaml(path, "c.yaml")
    assert not problems and got.data["a"] == "x\u2029y"
    assert (got.locations[("b", "c")].line, got.locations[("b", "c")].column) == (2, 5)
    path.write_text('a: 1\nb: "\u0085"\nc: [\u0085', encoding="utf-8")
    _, (problem,) = yamlsafe.read_yaml(path, "c.yaml")
    assert problem.line <= 3, problem
