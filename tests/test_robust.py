"""Issue #12: data of a wrong type, hostile text and odd files are reported, never skipped or a traceback.

Every case runs the real command. Each must end in exit 1 with a message naming the file (and, for
clinic data, its line and key) and what to do, and must leave what was already published as it was.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.dom.minidom
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import NoticesError
from generator.publishing.versions import load_versions
from generator.publishing.writing import write_version
from tests.conftest import MINIMAL, tree_bytes

NOTICES = Path(sys.executable).with_name("notices")
COMMON = ["--summary", "A change.", "--approved-by", "Pat Lee", "--allow-findings", "test clinic with known gaps"]


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def refused(project, *args) -> str:
    result = cli(project, *args)
    assert result.exit_code == 1, result.output
    return result.output


def publish(project, slug, as_of="2026-01-10", effective="2026-01-10", *extra):
    result = cli(project, "publish", slug, "privacy", "--as-of", as_of, "--effective", effective, *COMMON, *extra)
    assert result.exit_code == 0, result.output
    return result


# --------------------------------------------------------------------------------------------------
# Item 2: a wrong type is a data error with file, line and key, in every command


WRONG_TYPES = {
    "practice: 5": (MINIMAL.replace("practice: physician_practice", "practice: 5"),
                    "clinics/bad/clinic.yaml:2:1: practice: must be one of the allowed words, not 5"),
    "practice: a mapping": (MINIMAL.replace("practice: physician_practice", "practice: {a: 1}"),
                            "clinics/bad/clinic.yaml:2:1: practice: must be one of the allowed words, not {'a': 1}"),
    "a number among the languages": (MINIMAL + "languages: [en, 5]\n",
                                     "clinics/bad/clinic.yaml:7:17: languages.1: must be one of the allowed words, not 5"),
    "a number among the uses": (MINIMAL + "uses:\n  care: [provide_treatment, 7]\n",
                                "clinics/bad/clinic.yaml:8:29: uses.care.1: must be one of the allowed words, not 7"),
    "a number among the collected items": (MINIMAL + "collection:\n  personal:\n    items: [name, 3]\n",
                                           "clinics/bad/clinic.yaml:9:19: collection.personal.items.1: must be one of "
                                           "the allowed words, not 3"),
    "true as a country": (MINIMAL.replace("country: US", "country: true"),
                          "clinics/bad/clinic.yaml:3:16: jurisdiction.country: must be one of the allowed words, not True"),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_a_wrong_type_is_reported_by_every_command(make_project, case):
    text, expected = WRONG_TYPES[case]
    project = make_project({"clinics/good/clinic.yaml": MINIMAL, "clinics/bad/clinic.yaml": text})
    assert cli(project, "build", "good", "--no-pdf").exit_code == 0
    before = tree_bytes(project.site_dir)
    for args in (["check", "bad"], ["check"], ["build", "bad", "--no-pdf"], ["build", "--no-pdf"], ["status"],
                 ["status", "bad"], ["diff", "bad"], ["notify", "bad"]):
        output = refused(project, *args)
        assert expected in output, (args, output)
    assert tree_bytes(project.site_dir) == before


def test_serve_says_why_a_clinic_is_not_shown(make_project):
    project = make_project({"clinics/good/clinic.yaml": MINIMAL,
                            "clinics/bad/clinic.yaml": WRONG_TYPES["practice: 5"][0]})
    proc = subprocess.Popen([str(NOTICES), "serve", "--port", "0", "--root", str(project.root)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    expected = WRONG_TYPES["practice: 5"][1]
    try:
        deadline = time.monotonic() + 30
        while expected not in "".join(lines) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
    reader.join(5)
    text = "".join(lines)
    assert expected in text, text
    assert "Traceback" not in text


# --------------------------------------------------------------------------------------------------
# Item 6: nesting, odd text, odd files


def nested(kind: str, depth: int) -> str:
    return {"map": "{a: " * depth + "1" + "}" * depth, "seq": "[" * depth + "]" * depth}[kind]


@pytest.mark.parametrize("kind,depth", [("map", 500), ("seq", 500), ("map", 5000), ("seq", 200_000)])
def test_deep_nesting_is_a_data_error(make_project, kind, depth):
    text = MINIMAL + "x: " + nested(kind, depth) + "\n"
    project = make_project({"clinics/good/clinic.yaml": MINIMAL, "clinics/deep/clinic.yaml": text})
    if depth == 500 and kind == "map":
        assert 2400 < len(text.encode()) < 2700  # the 2.5 KB file
    for args in (["check", "deep"], ["build", "deep", "--no-pdf"], ["build", "--no-pdf"]):
        output = refused(project, *args)
        assert "clinics/deep/clinic.yaml:7:" in output and "levels deep" in output, output


def test_deep_nesting_in_a_block_is_a_data_error(make_project):
    block = "".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400 + "v: 1\n"
    project = make_project({"clinics/deep/clinic.yaml": MINIMAL + "x:\n" + "".join("  " + ln + "\n" for ln in block.splitlines())})
    output = refused(project, "check", "deep")
    assert "clinics/deep/clinic.yaml:" in output and "levels deep" in output, output


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x9b"])
def test_a_line_break_in_the_name_is_a_data_error_not_a_broken_email(make_project, char):
    clinic = MINIMAL + "site_url: https://notices.example.org/t/\nnotifications: {sender: privacy@example.com, subscribers: subscribers.csv}\n"
    project = make_project({"clinics/t/clinic.yaml": clinic, "clinics/t/subscribers.csv": "email\nann@example.com\n"})
    publish(project, "t")
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: T LLC\n")
    publish(project, "t", "2026-02-01", "2026-03-01")
    escaped = json.dumps(char)  # YAML's double quotes read JSON's escapes
    path.write_text(path.read_text().replace("name: Test Clinic", f'name: "Test{escaped[1:-1]}Clinic"'), encoding="utf-8")
    for args in (["check", "t"], ["notify", "t", "--as-of", "2026-02-02"]):
        output = refused(project, *args)
        assert "clinics/t/clinic.yaml:1:1: name: must be a single line of text" in output, output
    assert not (project.root / "outbox").exists()


NOTIFY_SETTINGS = {
    "a non-ASCII sender": ("notifications: {sender: pŕivacy@example.com}",
                           "clinics/t/clinic.yaml:9:17: notifications.sender: 'pŕivacy@example.com' cannot be a From address"),
    "a host with an empty label": ("notifications: {sender: p@example.com, smtp: {host: a..b, port: 2525}}",
                                   "clinics/t/clinic.yaml:9:47: notifications.smtp.host: must be a host name"),
    "a non-ASCII SMTP user": ("notifications: {sender: p@example.com, smtp: {host: localhost, user: jösé, password_env: PW}}",
                              "clinics/t/clinic.yaml:9:64: notifications.smtp.user: must be plain ASCII"),
}


@pytest.mark.parametrize("case", sorted(NOTIFY_SETTINGS))
def test_mail_settings_that_cannot_be_sent_are_data_errors(make_project, case, monkeypatch):
    settings, expected = NOTIFY_SETTINGS[case]
    monkeypatch.setenv("PW", "secret")
    clinic = MINIMAL + "site_url: https://notices.example.org/t/\n" + "legal_name: T LLC\n" + settings + "\n"
    project = make_project({"clinics/t/clinic.yaml": clinic})
    for args in (["check", "t"], ["notify", "t"]):
        output = refused(project, *args)
        assert expected in output, output


def test_an_international_sender_domain_is_sent_in_its_ascii_form(make_project):
    clinic = MINIMAL + "site_url: https://notices.example.org/t/\nnotifications: {sender: privacy@bücher.example}\n"
    project = make_project({"clinics/t/clinic.yaml": clinic, "clinics/t/subscribers.csv": "email\nann@example.com\n"})
    from generator.data.load import load_clinics

    [loaded] = load_clinics(project, ["t"])
    assert loaded.clinic.notifications.sender == "privacy@xn--bcher-kva.example"


def _subscribers(make_project) -> tuple:
    clinic = (MINIMAL + "site_url: https://notices.example.org/t/\n"
              "notifications: {sender: privacy@example.com, subscribers: subscribers.csv}\n")
    project = make_project({"clinics/t/clinic.yaml": clinic})
    publish(project, "t")
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: T LLC\n")
    publish(project, "t", "2026-02-01", "2026-03-01")
    return project, project.clinic_dir("t") / "subscribers.csv"


def _run_limited(project, *args: str) -> subprocess.CompletedProcess:
    # Its own process, with a memory limit and a timeout: before the fix, /dev/zero filled the
    # memory and a pipe waited for ever.
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([str(NOTICES), *args, "--root", str(project.root)], capture_output=True, text=True,
                          timeout=60, preexec_fn=limit)


@pytest.mark.parametrize("kind", ["folder", "dev-zero", "fifo"])
def test_a_subscribers_file_that_is_no_file_is_refused(make_project, kind):
    project, csv = _subscribers(make_project)
    if kind == "folder":
        csv.mkdir()
    elif kind == "dev-zero":
        csv.symlink_to("/dev/zero")
    else:
        os.mkfifo(csv)
    result = _run_limited(project, "notify", "t", "--as-of", "2026-02-02")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    # Refused where the clinic file names it (clinic.yaml:line:col: notifications.subscribers: ...).
    reason = {"folder": "is a folder, not a file", "dev-zero": "/dev/zero", "fifo": "not a regular file"}[kind]
    assert "notifications.subscribers: clinics/t/subscribers.csv" in result.stderr, result.stderr
    assert reason in result.stderr, result.stderr
    assert not (project.root / "outbox").exists()


def test_a_version_text_that_is_a_folder_is_reported(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "t")
    text = project.clinic_dir("t") / "versions" / "privacy" / "v1.md"
    text.unlink()
    text.mkdir()
    for args in (["check", "t"], ["build", "t", "--no-pdf"]):
        output = refused(project, *args)
        assert "clinics/t/versions/privacy/v1.md: is a folder, not a file (restore it from git" in output, output


def test_a_version_text_that_is_not_utf8_is_reported_as_such(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "t")
    text = project.clinic_dir("t") / "versions" / "privacy" / "v1.md"
    text.write_bytes(text.read_bytes().replace(b"\n", b"\ncaf\xe9\n", 1))
    output = refused(project, "check", "t")
    assert "clinics/t/versions/privacy/v1.md:2:4: is not UTF-8 text" in output, output
    assert "v1.json" not in output


def _as_non_root(args: list[str]) -> list[str]:
    # root may write to a read-only folder; without CAP_DAC_OVERRIDE it may not.
    if os.geteuid() != 0:
        return args
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: a read-only folder cannot be made")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *args]


@pytest.mark.parametrize("folder", ["site", ".cache"])
def test_a_read_only_output_folder_is_a_message(make_project, folder):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    assert cli(project, "build", "--no-pdf").exit_code == 0
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: T LLC\n")
    before = tree_bytes(project.site_dir)
    target = project.root / folder
    modes = {p: p.stat().st_mode for p in [target, *target.rglob("*")]}
    for p in modes:
        p.chmod(p.stat().st_mode & ~0o222)
    try:
        result = subprocess.run(_as_non_root([str(NOTICES), "build", "--no-pdf", "--root", str(project.root)]),
                                capture_output=True, text=True, timeout=120)
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"error: cannot write {project.root / folder}/" in result.stderr, result.stderr
    assert "Permission denied; make its folder writable" in result.stderr
    if folder == "site":
        assert tree_bytes(project.site_dir) == before


def test_a_second_publish_of_a_notice_at_once_is_refused(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "t")
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: T LLC\n")
    folder = project.clinic_dir("t") / "versions" / "privacy"
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as the first publish holds it
        output = refused(project, "publish", "t", "privacy", "--as-of", "2026-02-01", "--effective", "2026-03-01",
                         *COMMON)
    finally:
        os.close(fd)
    assert "another publish of this notice is running" in output
    assert sorted(p.name for p in folder.iterdir()) == ["v1.json", "v1.md"]
    publish(project, "t", "2026-02-01", "2026-03-01")  # once it is done, this one goes ahead
    assert (folder / "v2.json").is_file()


def test_a_version_file_appearing_while_publishing_is_another_publish(make_project, monkeypatch):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "t")
    [version] = load_versions(project, "t", ["privacy"])["privacy"]
    later = type(version)(**{**version.__dict__, "number": 2})
    (project.clinic_dir("t") / "versions" / "privacy" / "v2.md").write_text("the other run's text")
    monkeypatch.setattr(Path, "exists", lambda self: False)  # the other run wrote it after our check
    with pytest.raises(NoticesError, match="another publish of this notice is running"):
        write_version(project, "t", later)


def test_text_xml_cannot_hold_is_refused_where_it_is_read(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL.replace("name: Test Clinic", 'name: "Test\\uFFFE Clinic"'),
                            "clinics/ok/clinic.yaml": MINIMAL})
    for args in (["check", "t"], ["build", "--no-pdf"]):
        output = refused(project, *args)
        assert "clinics/t/clinic.yaml:1:7: name: the value holds the character U+FFFE, which cannot be published" in output
    assert not project.site_dir.exists()


def test_a_published_record_holding_text_xml_cannot_hold_is_refused(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL})
    publish(project, "t")
    record = project.clinic_dir("t") / "versions" / "privacy" / "v1.json"
    data = json.loads(record.read_text())
    data["summary"] = "A change\ufffe."
    text = (project.clinic_dir("t") / "versions" / "privacy" / "v1.md").read_text()
    from generator.publishing.versions import content_hash

    data["sha256"] = content_hash({k: v for k, v in data.items() if k != "sha256"}, text)  # as if published so
    record.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    output = refused(project, "build", "--no-pdf")
    assert "clinics/t/versions/privacy/v1.json:9:1: holds the character U+FFFE" in output, output
    record.write_text(json.dumps(data, ensure_ascii=True, indent=2))  # written as \ufffe
    output = refused(project, "build", "--no-pdf")
    assert "clinics/t/versions/privacy/v1.json: summary: holds the character U+FFFE" in output, output
    assert not project.site_dir.exists()


def test_publish_refuses_a_summary_xml_cannot_hold(make_project):
    # Feeds are written only with a site_url (their links are absolute).
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + "site_url: https://notices.example.org/t/\n"})
    output = refused(project, "publish", "t", "privacy", "--as-of", "2026-01-10", "--effective", "2026-01-10",
                     "--summary", "A change\ufffe.", "--approved-by", "Pat", "--allow-findings", "test")
    assert "--summary holds the character U+FFFE" in output
    assert not (project.clinic_dir("t") / "versions").exists()
    publish(project, "t")
    assert cli(project, "build", "t", "--no-pdf").exit_code == 0
    xml.dom.minidom.parse(str(project.site_dir / "t" / "feed.xml"))  # well-formed


def test_terminal_escapes_from_a_key_or_value_never_reach_the_terminal(make_project):
    project = make_project({"clinics/t/clinic.yaml": MINIMAL + '"\\e[31mred\\e]0;pwned\\a": 1\nlegal_name: "\\e[2J"\n',
                            "clinics/u/clinic.yaml": MINIMAL + '"\\u202eevil": 2\n'})
    for args in (["check"], ["build", "--no-pdf"]):
        output = refused(project, *args)
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
        assert ("clinics/t/clinic.yaml:7:1: \\u001b[31mred\\u001b]0;pwned\\u0007: the key holds the character "
                "U+001B") in output, output
        assert "clinics/t/clinic.yaml:8:13: legal_name: the value holds the character U+001B" in output, output
        assert "clinics/u/clinic.yaml:7:1: \\u202eevil: unknown key '\\u202eevil'" in output, output
