"""A clinic's webhook reaches only public https addresses; the project's notices.toml, never the
clinic's own file, may allow a host (a test receiver on loopback). Receivers are real loopback servers;
no test sends anything to any other address."""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import DataErrors
from tests.test_notify import AS_OF, Hook, make, run, sent_log

TOKEN = "s3cret-token"


@pytest.fixture
def hook():
    server = Hook()
    yield server
    server.close()


@pytest.fixture
def listener():
    """A bare TCP socket on loopback that accepts nothing by itself: whether anyone connected shows."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.5)
    yield sock
    sock.close()


def connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


def settings(allow_hosts=(), allow_http=()) -> str:
    quote = lambda hosts: "[" + ", ".join(f'"{h}"' for h in hosts) + "]"  # noqa: E731
    return f"[webhook]\nallow_hosts = {quote(allow_hosts)}\nallow_http = {quote(allow_http)}\n"


def refused(project, loaded, toml: str | None = None) -> str:
    """The problem that stops the run (with the project's notices.toml set to `toml`, if given)."""
    if toml is not None:
        (project.root / "notices.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        run(project, loaded)
    [problem] = caught.value.problems
    assert not (project.clinic_dir("t") / "notify").exists()  # nothing sent, nothing logged
    return str(problem)


def refusal(make_project, webhook: str, toml: str | None = None) -> str:
    project, loaded = make(make_project, webhook=webhook, subscribers=False, settings=toml)
    return refused(project, loaded)


def test_plain_http_is_refused_unless_the_project_allows_it_for_the_host(make_project, hook):
    project, loaded = make(make_project, webhook=hook.url + f"?token={TOKEN}", subscribers=False)
    message = refused(project, loaded)
    # Where (the clinic file, line and key), what, and how to fix it; the URL's secret stays out of it.
    assert message.startswith("clinics/t/clinic.yaml:10:3: notifications.webhook: http://127.0.0.1 uses plain http; "
                              "a webhook must use https"), message
    assert "notices.toml under [webhook] allow_http" in message
    assert TOKEN not in message and "/hook" not in message
    assert hook.bodies == []

    # Allowing the host's private address is not enough: plain http is a setting of its own.
    assert "uses plain http" in refused(project, loaded, settings(allow_hosts=["127.0.0.1"]))
    assert hook.bodies == []


def test_a_host_that_resolves_to_loopback_is_refused(make_project, hook):
    # "localhost" is a name: only resolving it shows where it leads.
    url = hook.url.replace("127.0.0.1", "localhost")
    project, loaded = make(make_project, webhook=url, subscribers=False)
    message = refused(project, loaded, settings(allow_http=["localhost"]))
    assert "notifications.webhook: http://localhost resolves to" in message, message
    assert "which is a loopback address; a webhook may reach only public addresses" in message
    assert "list 'localhost' in notices.toml under [webhook] allow_hosts" in message
    assert hook.bodies == []

    # With the project's setting for that host, it is called.
    (project.root / "notices.toml").write_text(settings(allow_hosts=["localhost"], allow_http=["localhost"]))
    assert [d.recipient for d in run(project, loaded).sent] == ["webhook"] and len(hook.bodies) == 1


@pytest.mark.parametrize("host, kind", [("127.0.0.1", "a loopback address"), ("[::1]", "a loopback address"),
                                        ("127.1.2.3", "a loopback address"), ("[::ffff:7f00:1]", "a loopback address")])
def test_an_address_that_is_not_public_is_refused_before_any_connection(make_project, listener, host, kind):
    port = listener.getsockname()[1]
    message = refusal(make_project, f"https://{host}:{port}/hook")
    assert f"notifications.webhook: https://{host} is {kind}" in message, message
    assert not connected(listener)


def test_the_check_is_made_again_at_every_call(listener):
    # post_webhook on its own (as a later caller might use it): the address is checked where it connects.
    from generator.announcing.webhook import post_webhook

    port = listener.getsockname()[1]
    reason = post_webhook(f"https://localhost:{port}/hook", b"{}", tries=3, sleep=lambda s: None)
    assert reason is not None and reason.startswith("refused: https://localhost resolves to"), reason
    assert "loopback" in reason
    assert not connected(listener)
    assert post_webhook(f"http://localhost:{port}/hook", b"{}", tries=1).startswith("refused: http://localhost uses plain http")
    assert not connected(listener)


def test_a_redirect_is_not_followed(make_project, hook):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{hook.server.server_address[1]}/inside?token={TOKEN}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    outer = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=outer.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{outer.server_address[1]}/hook"
        project, loaded = make(make_project, webhook=url, subscribers=False,
                               settings=settings(allow_hosts=["127.0.0.1"], allow_http=["127.0.0.1"]))
        result = run(project, loaded, sleep=lambda s: None)
    finally:
        outer.shutdown()
        outer.server_close()
    [failure] = result.failed
    assert failure.reason.startswith("HTTP 307: redirected to http://localhost:"), failure.reason
    assert "not followed" in failure.reason and TOKEN not in failure.reason
    assert hook.bodies == []  # the address it pointed to heard nothing
    assert sent_log(project) == []


def test_a_refused_webhook_is_a_clear_message_from_the_command(make_project, hook):
    project, _ = make(make_project, webhook=hook.url, subscribers=False)
    result = CliRunner().invoke(main, ["notify", "t", "--as-of", AS_OF.isoformat(), "--root", str(project.root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "clinics/t/clinic.yaml:10:3: notifications.webhook: http://127.0.0.1 uses plain http" in result.output
    assert "1 problem found" in result.output
    assert hook.bodies == []


@pytest.mark.parametrize("text, expected", [
    ("[webhook]\nallow_hosts = [127.0.0.1]\n", "notices.toml:2:"),
    ("[webhok]\n", "notices.toml: [webhok]: unknown section (did you mean 'webhook'?)"),
    ("[webhook]\nallow_host = []\n", "notices.toml: webhook.allow_host: unknown key (did you mean 'allow_hosts'?)"),
    ('[webhook]\nallow_hosts = "127.0.0.1"\n', "notices.toml: webhook.allow_hosts: must be a list of host names"),
    ('[webhook]\nallow_http = ["http://127.0.0.1:8000"]\n', "'http://127.0.0.1:8000' is not a host name"),
])
def test_a_bad_notices_toml_is_a_clear_message(make_project, hook, text, expected):
    project, _ = make(make_project, webhook=hook.url, subscribers=False, settings=text)
    result = CliRunner().invoke(main, ["notify", "t", "--as-of", AS_OF.isoformat(), "--root", str(project.root)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output, result.output
    assert hook.bodies == []


@pytest.mark.parametrize("address", [
    "127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1", "fc00::1",
    "::ffff:10.0.0.1", "100.64.0.1", "0.0.0.0", "::", "2002:0a00:0001::", "224.0.0.1", "192.0.2.1", "240.0.0.1",
])
def test_addresses_that_are_not_public(address):
    from generator.announcing.outbound import not_public

    assert not_public(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "1.1.1.1"])
def test_public_addresses(address):
    from generator.announcing.outbound import not_public

    assert not_public(ipaddress.ip_address(address)) is None
