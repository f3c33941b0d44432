"""`notices notify` from the command line: each new material version announced once, as .eml files."""

from __future__ import annotations

import email
from email import policy

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import MINIMAL


def cli(project, *args):
    result = CliRunner().invoke(main, [*args, "--root", str(project.root)])
    assert "Traceback" not in result.output
    return result


def test_notify_writes_one_message_per_subscriber_once(make_project):
    clinic = MINIMAL + ("site_url: https://notices.example.org/t/\n"
                        "notifications: {sender: privacy@example.com, subscribers: subscribers.csv}\n")
    project = make_project({"clinics/t/clinic.yaml": clinic,
                            "clinics/t/subscribers.csv": "email\nann@example.com\nnot-an-address\nbo@example.org\n"})
    common = ["--summary", "A change.", "--approved-by", "Pat", "--allow-findings", "test"]
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-01-10", "--as-of", "2026-01-10", *common).exit_code == 0
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text() + "legal_name: Test Clinic LLC\n")
    assert cli(project, "publish", "t", "privacy", "--effective", "2026-03-01", "--as-of", "2026-02-01", *common).exit_code == 0

    first = cli(project, "notify", "t", "--as-of", "2026-02-02")
    outbox = sorted((project.root / "outbox" / "t").glob("*.eml"))
    assert len(outbox) == 2, first.output
    assert "not-an-address" in first.output
    message = email.message_from_bytes(outbox[0].read_bytes(), policy=policy.default)
    assert "changes on March 1, 2026" in message["Subject"]
    assert message.get_body(("plain",)).get_content().count("https://notices.example.org/t/privacy/v2/") >= 1

    again = cli(project, "notify", "t", "--as-of", "2026-02-03")
    assert sorted((project.root / "outbox" / "t").glob("*.eml")) == outbox
    assert "0 sent" in again.output or "nothing" in again.output.lower()
