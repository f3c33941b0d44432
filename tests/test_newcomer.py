"""A newcomer is never stuck (issue 18 item 6), and nothing but `notices import` records a past date
(item 5): `notices vocab`, errors that name the exact missing key, `publish` refusing a past date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.data.vocab_keys import vocab_keys
from tests.conftest import MINIMAL


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


# --------------------------------------------------------------------------------------------------
# notices vocab


def test_vocab_prints_each_value_with_its_words_in_every_language(make_project):
    project = make_project()
    out = cli(project, "vocab", "practice")
    assert out.exit_code == 0
    lines = out.output.splitlines()
    assert lines[0] == "practice (practice):"
    at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["dental_practice"])
    assert lines[at].split(None, 1)[1] == "en: dental practice"
    assert lines[at + 1].strip() == "es: consultorio dental" and lines[at + 2].strip() == "fr: clinique dentaire"
    # Every value of the key, none left out.
    listed = [line.split()[0] for line in lines[1:] if not line.startswith("   " * 3) and ": " in line and line.split()[1] == "en:"]
    assert listed == list(next(k for k in vocab_keys() if k.key == "practice").values)


def test_vocab_by_key_path_with_an_index_or_by_vocabulary_name(make_project):
    project = make_project()
    by_path = json.loads(cli(project, "vocab", "disclosures.0.why", "--format", "json").output)
    assert [item["key"] for item in by_path] == ["disclosures.why"]
    values = {v["value"]: v["words"] for v in by_path[0]["values"]}
    assert set(values["treatment"]) == {"en", "es", "fr"} and all(values["treatment"].values())
    by_name = json.loads(cli(project, "vocab", "recipient", "--format", "json").output)
    assert {item["key"] for item in by_name} == {"disclosures.to", "disclosures.examples"}
    notices = json.loads(cli(project, "vocab", "notices", "--format", "json").output)[0]
    assert [v["value"] for v in notices["values"]] == ["privacy", "combined", "cookies", "hipaa", "chd", "part2"]


def test_vocab_without_key_lists_every_key_that_takes_values(make_project):
    out = cli(make_project(), "vocab").output
    for vk in vocab_keys():
        assert f"{vk.key}: {len(vk.values)} values" in out


@pytest.mark.parametrize("key, words", [
    ("practise", "did you mean 'practice'?"),
    ("regimes.state_rights_on_request", "is not a key of clinic.yaml that takes set values"),
    ("name", "takes the clinic's own text"),
])
def test_vocab_unknown_key_is_a_clear_message(make_project, key, words):
    out = cli(make_project(), "vocab", key)
    assert out.exit_code == 1 and words in out.output and "`notices vocab`" in out.output


# --------------------------------------------------------------------------------------------------
# Errors name the exact missing key


def test_a_partial_address_names_each_missing_key(make_project):
    # City and region are all an address needs (some clinics publish no street); each is named when missing.
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace(
        "contact:\n", "contact:\n  address: {street: 1 Main St}\n")})
    out = cli(project, "check", "t").output
    assert "contact.address.city: is required" in out
    assert "contact.address.region: is required" in out
    assert "contact.address: is required" not in out


# --------------------------------------------------------------------------------------------------
# Nothing but `notices import` records a past date


@pytest.fixture
def project(make_project):
    return make_project({"clinics/t/clinic.yaml": MINIMAL})


def test_publish_refuses_a_past_effective_date_and_points_to_import(project):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    out = cli(project, "publish", "t", "privacy", "--effective", yesterday, "--summary", "First.",
              "--approved-by", "Pat Lee", "--allow-findings", "test")
    assert out.exit_code == 1
    assert "is before today" in out.output and "notices import" in out.output
    assert not (project.clinic_dir("t") / "versions").exists()


def test_as_of_is_for_the_tests_only(project, monkeypatch):
    monkeypatch.delenv("NOTICES_TESTING", raising=False)
    out = cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
              "--summary", "First.", "--approved-by", "Pat Lee", "--allow-findings", "test")
    assert out.exit_code == 1
    assert "--as-of is for the project's own tests" in out.output and "notices import" in out.output
    assert not (project.clinic_dir("t") / "versions").exists()
    # The tests set it (tests/conftest.py), and then it moves "today".
    monkeypatch.setenv("NOTICES_TESTING", "1")
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10",
               "--summary", "First.", "--approved-by", "Pat Lee", "--allow-findings", "test").exit_code == 0
