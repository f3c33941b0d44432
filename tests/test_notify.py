"""Announcements: a real SMTP server on loopback, the outbox, the sent-log across a kill, the webhook."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from generator.errors import NoticesError
from generator.data.load import LoadedClinic, Project, load_clinics
from generator.announcing.notify import NotifyInterrupted, notify, pending
from generator.announcing.mail import message_id, messages
from generator.publishing.versions import Version, load_versions
from tests.conftest import MINIMAL, REPO
from tests.test_feeds import release

D1, D2, AS_OF = date(2026, 1, 10), date(2026, 3, 1), date(2026, 3, 2)
EFFECTIVE = date(2026, 4, 1)
SENDER = "privacy@example.com"
SUBSCRIBERS = """\
email,name
ann@example.com,Ann
bob@example.org,Bob
not-an-address,Bad
Carol@Example.com,Carol
ann@example.com,Ann again
"""
GOOD = ["ann@example.com", "bob@example.org", "Carol@example.com"]
# The project's own setting (never the clinic's file) that lets a webhook reach the loopback test receiver.
ALLOW_LOOPBACK = '[webhook]\nallow_hosts = ["127.0.0.1"]\nallow_http = ["127.0.0.1"]\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An SMTP handler that keeps what it accepted. With `trap_at`, it holds that message unanswered."""

    def __init__(self) -> None:
        self.accepted: list[tuple[list[str], bytes]] = []
        self.count = 0
        self.trap_at: int | None = None
        self.blocked, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.count += 1
        if self.count == self.trap_at:
            self.blocked.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "421 not accepted"  # never recorded: the client is gone before it hears a 250
        self.accepted.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=policy.default) for _, data in self.accepted]  # type: ignore[misc]

    def recipients(self) -> Counter:
        return Counter(r for rcpts, _ in self.accepted for r in rcpts)


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield recorder, controller.port
    recorder.release.set()
    controller.stop()


def clinic_yaml(*, name: str = "Test Clinic", smtp_port: int | None = None, webhook: str | None = None,
                subscribers: bool = True, user: str | None = None) -> str:
    lines = ["notifications:", f"  sender: {SENDER}"]
    if subscribers:
        lines.append("  subscribers: subscribers.csv")
    if smtp_port:
        lines += ["  smtp:", "    host: 127.0.0.1", f"    port: {smtp_port}", "    starttls: false"]
        if user:
            lines += [f"    user: {user}", "    password_env: NOTICES_TEST_SMTP_PASSWORD"]
    if webhook:
        lines.append(f"  webhook: {webhook}")
    text = MINIMAL.replace("Test Clinic", f"'{name}'") + "site_url: https://notices.example.org/\n"
    return text + "\n".join(lines) + "\n"


def make(make_project, csv: str = SUBSCRIBERS, extra: str = "\n## Parking\n\nWe keep no plates.\n",
         settings: str | None = None, **options) -> tuple[Project, LoadedClinic]:
    """A clinic with privacy v1 (long past), v2 (announced on D2, effective later) and a technical v3."""
    files = {"clinics/t/clinic.yaml": clinic_yaml(**options)}
    if settings is not None:
        files["notices.toml"] = settings
    if csv is not None:
        files["clinics/t/subscribers.csv"] = csv
    project = make_project(files)
    [loaded] = load_clinics(project, ["t"])
    release(project, loaded, "privacy", D1, D1, summary="First version.")
    release(project, loaded, "privacy", D2, EFFECTIVE, extra, summary="We explain parking.")
    return project, loaded


def versions_of(project: Project, loaded: LoadedClinic) -> dict[str, list[Version]]:
    return load_versions(project, loaded.slug, loaded.clinic.notices)


def run(project: Project, loaded: LoadedClinic, as_of: date = AS_OF, **kwargs):
    return notify(project, loaded, versions_of(project, loaded), as_of, **kwargs)


def sent_log(project: Project) -> list[dict]:
    path = project.clinic_dir("t") / "notify" / "sent.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    page = msg.get_body(("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()


# --------------------------------------------------------------------------------------------------


def test_pending_is_the_announcement_window_of_material_versions(make_project):
    project, loaded = make(make_project, smtp_port=None)
    release(project, loaded, "privacy", EFFECTIVE, None, "\nTypo.\n", technical=True, summary="Typo.")
    versions = versions_of(project, loaded)
    keys = lambda day: [(v.notice, v.number) for v in pending(loaded, versions, day)]  # noqa: E731
    assert keys(D1) == []  # a first version changes nothing: it is not announced
    assert keys(date(2026, 2, 28)) == []  # v2 not yet published
    assert keys(D2) == [("privacy", 2)]
    assert keys(date(2026, 5, 1)) == [("privacy", 2)]  # effective + banner_days: the last day
    assert keys(date(2026, 5, 2)) == []  # and the technical v3 is never announced


def test_smtp_sends_each_subscriber_one_message(make_project, smtp):
    recorder, port = smtp
    project, loaded = make(make_project, smtp_port=port)
    lines: list[str] = []
    result = run(project, loaded, progress=lines.append)
    assert sorted(recorder.recipients()) == sorted(GOOD) and set(recorder.recipients().values()) == {1}
    assert [(b.line, b.value) for b in result.bad_addresses] == [(4, "not-an-address")]
    assert result.pending == ["privacy/v2"] and len(result.sent) == 3 and result.ok
    assert lines == result.lines and any("not-an-address" in line for line in lines)

    by_to = {str(m["To"]): m for m in recorder.parsed()}
    msg = by_to["ann@example.com"]
    title = versions_of(project, loaded)["privacy"][1].title
    assert msg["Subject"] == f"Test Clinic: our {title} changes on April 1, 2026"
    assert msg["From"].addresses[0].addr_spec == SENDER
    assert msg["Date"] == "Sun, 01 Mar 2026 00:00:00 +0000"
    assert msg["List-Unsubscribe"] == f"<mailto:{SENDER}?subject=unsubscribe>"
    assert msg["Message-ID"] == message_id("t", versions_of(project, loaded)["privacy"][1], "ann@example.com")
    text, page = parts(msg)
    for body in (text, page):
        assert "We explain parking." in body and "Parking (new section)" in body
        assert "https://notices.example.org/privacy/v2/" in body
        assert "https://notices.example.org/privacy/v2/changes/" in body
        assert "unsubscribe" in body and "takes effect on April 1, 2026" in body
    assert [r["email"] for r in sent_log(project)] == GOOD


def test_a_second_run_sends_and_writes_nothing(make_project, smtp):
    recorder, port = smtp
    project, loaded = make(make_project, smtp_port=port)
    run(project, loaded)
    log = project.clinic_dir("t") / "notify" / "sent.jsonl"
    before = (log.read_bytes(), log.stat().st_mtime_ns)
    again = run(project, loaded)
    assert len(recorder.accepted) == 3
    assert again.sent == [] and len(again.skipped) == 3
    assert (log.read_bytes(), log.stat().st_mtime_ns) == before


def test_a_new_subscriber_gets_only_what_they_have_not_had(make_project, smtp):
    recorder, port = smtp
    project, loaded = make(make_project, smtp_port=port)
    run(project, loaded)
    (project.clinic_dir("t") / "subscribers.csv").write_text(SUBSCRIBERS + "dan@example.net,Dan\n")
    result = run(project, loaded)
    assert [d.recipient for d in result.sent] == ["dan@example.net"]
    assert recorder.recipients()["dan@example.net"] == 1 and len(recorder.accepted) == 4


def test_hostile_clinic_name_is_escaped_in_html(make_project, smtp):
    recorder, port = smtp
    hostile = "<script>x</script> & Co"
    project, loaded = make(make_project, smtp_port=port, name=hostile)
    run(project, loaded)
    msg = recorder.parsed()[0]
    assert msg["Subject"].strip().startswith(f"{hostile}: our ")  # the email package may fold before it
    assert msg["From"].addresses[0].display_name == hostile and msg["From"].addresses[0].addr_spec == SENDER
    text, page = parts(msg)
    assert hostile in text
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt; &amp; Co" in page


def test_first_version_says_so_and_messages_are_deterministic(make_project):
    project, loaded = make(make_project)
    v1, v2 = versions_of(project, loaded)["privacy"]
    text, _ = parts(messages(loaded, v1, "ann@example.com", previous=None))
    assert "first published version" in text and "took effect on January 10, 2026" in text
    one = messages(loaded, v2, "ann@example.com", "https://notices.example.org/unsubscribe?u=1", previous=v1)
    two = messages(loaded, v2, "ann@example.com", "https://notices.example.org/unsubscribe?u=1", previous=v1)
    assert one.as_bytes() == two.as_bytes()
    assert "<https://notices.example.org/unsubscribe?u=1>" in one["List-Unsubscribe"]


def test_outbox_holds_one_eml_per_subscriber(make_project):
    project, loaded = make(make_project)  # no smtp settings: write files
    result = run(project, loaded)
    outbox = project.root / "outbox" / "t"
    files = sorted(outbox.iterdir())
    assert len(files) == 3 and all(f.suffix == ".eml" for f in files)
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(str(m["To"]) for m in parsed) == sorted(GOOD)
    for f, m in zip(files, parsed):
        assert m.get_content_type() == "multipart/alternative" and all(parts(m))  # type: ignore[arg-type]
        assert f.stem in str(m["Message-ID"])
    assert sorted(d.via for d in result.sent) == [project.rel(f) for f in files]
    assert run(project, loaded).sent == [] and len(list(outbox.iterdir())) == 3


def test_bad_subscriber_files_say_what_to_fix(make_project):
    project, loaded = make(make_project, csv=None)
    with pytest.raises(NoticesError, match=r"clinics/t/subscribers.csv: no such file; create it with an `email`"):
        run(project, loaded)
    csv = project.clinic_dir("t") / "subscribers.csv"
    csv.write_text("name,address\nAnn,ann@example.com\n")
    with pytest.raises(NoticesError, match=r"clinics/t/subscribers.csv: has no `email` column"):
        run(project, loaded)
    csv.write_text('email,name\n"ann@example.com"x,Ann\n')
    with pytest.raises(NoticesError, match=r"clinics/t/subscribers.csv: is not a valid CSV file"):
        run(project, loaded)
    assert not (project.root / "outbox").exists()


def test_smtp_password_comes_only_from_the_environment(make_project, smtp, monkeypatch):
    recorder, port = smtp
    project, loaded = make(make_project, smtp_port=port, user="mailer")
    monkeypatch.delenv("NOTICES_TEST_SMTP_PASSWORD", raising=False)
    with pytest.raises(NoticesError, match="NOTICES_TEST_SMTP_PASSWORD is not set"):
        run(project, loaded)
    assert recorder.accepted == [] and sent_log(project) == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_smtp_login_uses_the_password_from_the_environment(make_project, monkeypatch):
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False, auth_required=True)
    controller.start()
    try:
        project, loaded = make(make_project, smtp_port=controller.port, user="mailer")
        monkeypatch.setenv("NOTICES_TEST_SMTP_PASSWORD", "s3cret")
        assert len(run(project, loaded).sent) == 3
        assert set(seen) == {(b"mailer", b"s3cret")} and len(recorder.accepted) == 3
    finally:
        controller.stop()


def test_an_unreachable_smtp_server_stops_the_run_and_logs_nothing(make_project):
    project, loaded = make(make_project, smtp_port=free_port())  # nothing listens there
    with pytest.raises(NotifyInterrupted, match="sending to 127.0.0.1:[0-9]+ stopped") as caught:
        run(project, loaded)
    assert caught.value.result.sent == [] and sent_log(project) == []


def test_links_in_email_need_site_url(make_project):
    project, loaded = make(make_project)
    path = project.clinic_dir("t") / "clinic.yaml"
    path.write_text(path.read_text().replace("site_url: https://notices.example.org/\n", ""))
    [loaded] = load_clinics(project, ["t"])
    with pytest.raises(NoticesError, match="site_url is not set"):
        run(project, loaded)
    assert not (project.root / "outbox").exists()


CHILD = """
import sys
from datetime import date
from pathlib import Path
from generator.data.load import Project, load_clinics
from generator.announcing.notify import notify
from generator.publishing.versions import load_versions
project = Project(Path(sys.argv[1]))
[loaded] = load_clinics(project, ["t"])
notify(project, loaded, load_versions(project, "t", loaded.clinic.notices), date.fromisoformat(sys.argv[2]))
"""


def test_a_killed_run_resumes_without_duplicates(make_project, smtp):
    recorder, port = smtp
    everyone = [f"s{i}@example.com" for i in range(1, 7)]
    project, loaded = make(make_project, smtp_port=port, csv="email\n" + "\n".join(everyone) + "\n")
    recorder.trap_at = 4  # the 4th message is held unanswered while the sender is killed
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(project.root), AS_OF.isoformat()], cwd=REPO, env=env)
    try:
        assert recorder.blocked.wait(60), "the child never reached the 4th message"
        assert len(sent_log(project)) == 3  # each delivery was logged before the next began
        child.send_signal(signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    recorder.trap_at = None
    recorder.release.set()

    result = run(project, loaded)
    assert [d.recipient for d in result.sent] == everyone[3:] and len(result.skipped) == 3
    assert recorder.recipients() == Counter({address: 1 for address in everyone})
    keys = [(r["version"], r["email"]) for r in sent_log(project)]
    assert len(keys) == len(set(keys)) == 6


def test_a_cut_off_log_line_is_not_counted_and_is_repaired(make_project, smtp):
    recorder, port = smtp
    project, loaded = make(make_project, smtp_port=port)
    log = project.clinic_dir("t") / "notify" / "sent.jsonl"
    log.parent.mkdir(parents=True)
    log.write_text('{"email": "ann@example.com", "message_id": "x", "version": "privacy/v2"}\n{"email": "bob@ex')
    result = run(project, loaded)
    assert [d.recipient for d in result.sent] == ["bob@example.org", "Carol@example.com"]
    assert [r["email"] for r in sent_log(project)] == ["ann@example.com", "bob@example.org", "Carol@example.com"]


# --------------------------------------------------------------------------------------------------
# Webhook


class Hook:
    """A loopback HTTP server that records POSTs and answers with `status`."""

    def __init__(self, status: int = 204):
        self.status = status
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.bodies.append({"type": self.headers["Content-Type"], "json": json.loads(body)})
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")  # loopback only, whatever proxy the machine has
    server = Hook()
    yield server
    server.close()


def test_webhook_receives_the_json_once(make_project, hook):
    project, loaded = make(make_project, webhook=hook.url, subscribers=False, settings=ALLOW_LOOPBACK)
    first = run(project, loaded)
    assert [d.recipient for d in first.sent] == ["webhook"]
    second = run(project, loaded)
    assert second.sent == [] and second.skipped == [("privacy/v2", "webhook")]
    assert len(hook.bodies) == 1 and hook.bodies[0]["type"] == "application/json"
    payload = hook.bodies[0]["json"]
    title = versions_of(project, loaded)["privacy"][1].title
    assert payload | {"title": title} == {
        "id": "tag:clinic-notices.invalid,2026-03-01:t/privacy/v2", "clinic": "t", "clinic_name": "Test Clinic",
        "notice": "privacy", "version": 2, "title": title, "summary": "We explain parking.",
        "effective": "2026-04-01", "published": "2026-03-01",
        "url": "https://notices.example.org/privacy/v2/",
        "changes_url": "https://notices.example.org/privacy/v2/changes/",
    }
    assert sent_log(project) == [{"version": "privacy/v2", "email": "webhook", "message_id": payload["id"]}]


def test_failing_webhook_is_retried_reported_and_tried_again_next_run(make_project, hook):
    hook.status = 500
    project, loaded = make(make_project, webhook=hook.url, settings=ALLOW_LOOPBACK)  # emails go to the outbox meanwhile
    sleeps: list[float] = []
    result = run(project, loaded, sleep=sleeps.append)
    assert len(hook.bodies) == 3 and sleeps == [0.5, 1.0]
    assert [(f.version, f.recipient, f.reason) for f in result.failed] == [("privacy/v2", "webhook", "HTTP 500")]
    assert not result.ok and any("webhook privacy/v2: failed after 3 tries" in line for line in result.lines)
    assert "webhook" not in [r["email"] for r in sent_log(project)] and len(result.sent) == 3

    again = run(project, loaded, sleep=sleeps.append)
    assert len(hook.bodies) == 6 and again.sent == [] and len(again.failed) == 1
    hook.status = 200
    last = run(project, loaded, sleep=sleeps.append)
    assert [d.recipient for d in last.sent] == ["webhook"] and len(hook.bodies) == 7 and last.ok
