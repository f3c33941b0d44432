"""Announce material changes by email (and an optional webhook), each announcement delivered once.

The sent-log `clinics/<slug>/notify/sent.jsonl` is the memory: one JSON line per delivery, appended and
fsynced right after the delivery succeeds. A run that is killed resumes from it, and a run with nothing
new writes nothing. The one unavoidable gap is a kill between the server accepting a message and the
log line reaching the disk; the deterministic Message-ID lets a receiving server drop that duplicate.

Without SMTP settings, messages become .eml files in outbox/<slug>/, for a person to check and send.
"""

from __future__ import annotations

import csv
import hashlib
import html
import http.client
import json
import os
import re
import smtplib
import ssl
import tempfile
import textwrap
import time
from urllib.parse import urlsplit
from dataclasses import dataclass, field
from datetime import date, datetime, time as clock, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from email_validator import EmailNotValidError, validate_email

from . import outbound
from .diff import diff, rewrite
from .errors import DataErrors, NoticesError, Problem
from .feeds import changes_url, entry_id, effective_sentence, long_date, version_url
from .load import LoadedClinic, Project
from .model import Smtp
from .safepath import unsafe
from .settings import WebhookSettings, load_settings
from .versions import Version, announced

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]

WEBHOOK = "webhook"
MESSAGE_ID_DOMAIN = "clinic-notices.invalid"
WEBHOOK_TRIES = 3
WEBHOOK_FIRST_DELAY = 0.5  # seconds; doubles after each failure
MAX_SECTIONS = 20  # a long list of sections in an email helps no one; the changes page has them all
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_STATUS = {"added": "new section", "removed": "removed", "changed": "changed"}


@dataclass(frozen=True)
class BadAddress:
    line: int
    value: str
    reason: str


@dataclass(frozen=True)
class Delivery:
    version: str  # "privacy/v3"
    recipient: str  # an email address, or "webhook"
    message_id: str
    via: str  # "smtp host:port", the .eml path, or "webhook <host>"


@dataclass(frozen=True)
class Failure:
    version: str
    recipient: str
    reason: str


@dataclass
class NotifyResult:
    """What a run did, for the CLI: counts, and one line per event in the order it happened."""

    slug: str
    pending: list[str] = field(default_factory=list)
    sent: list[Delivery] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (version, recipient) already in the log
    bad_addresses: list[BadAddress] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)  # not logged: tried again on the next run
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (f"{self.slug}: {len(self.pending)} announcement(s) open, {len(self.sent)} sent, "
                f"{len(self.skipped)} already sent, {len(self.bad_addresses)} bad address(es), "
                f"{len(self.failed)} failed")


class NotifyInterrupted(NoticesError):
    """Delivery stopped midway. What was delivered is in the log (and in `result`); run again to go on."""

    def __init__(self, message: str, result: NotifyResult):
        super().__init__(message)
        self.result = result


def version_key(version: Version) -> str:
    return f"{version.notice}/v{version.number}"


def message_id(slug: str, version: Version, email: str) -> str:
    digest = hashlib.sha256(f"{slug}/{version_key(version)}/{email}".encode("utf-8")).hexdigest()
    return f"<{digest[:32]}@{MESSAGE_ID_DOMAIN}>"


# --------------------------------------------------------------------------------------------------
# What to announce


def pending(loaded: LoadedClinic, versions: dict[str, list[Version]], as_of: date) -> list[Version]:
    """Material versions whose announcement window is open on `as_of`, oldest first."""
    days = loaded.clinic.notifications.banner_days
    found = [v for notice in loaded.clinic.notices for v in versions.get(notice, []) if announced(v, as_of, days)]
    return sorted(found, key=lambda v: (v.published, v.notice, v.number))


def _previous(versions: dict[str, list[Version]], version: Version) -> Version | None:
    # The version just before, of either kind: the what-changed page the email links to diffs against it.
    earlier = [v for v in versions.get(version.notice, []) if v.number == version.number - 1]
    return earlier[0] if earlier else None


def _plain(heading: str) -> str:
    # Headings come from our Markdown, where clinic text was backslash- and entity-escaped.
    return html.unescape(_MD_ESCAPE.sub(r"\1", heading)) or "Opening"


def changed_sections(previous: Version | None, version: Version) -> list[str]:
    """The sections that differ, as "Heading (changed)"; empty for a first version."""
    if previous is None:
        return []
    return [f"{_plain(s.heading)} ({_STATUS[s.status]})" for s in (rewrite if previous.imported else diff)(previous.markdown, version.markdown)]


# --------------------------------------------------------------------------------------------------
# The message


def subject(loaded: LoadedClinic, version: Version) -> str:
    verb = "changed" if version.effective <= version.published else "changes"
    return f"{loaded.clinic.name}: our {version.title} {verb} on {long_date(version.effective)}"


def messages(loaded: LoadedClinic, version: Version, subscriber_email: str, unsubscribe_url: str | None = None,
             *, previous: Version | None) -> EmailMessage:
    """The announcement of `version` to one subscriber: plain text with an HTML alternative.

    `previous` is the version before it (None for a first version): the email lists what differs.
    Every header and date comes from the version record, so the same input gives the same message.
    """
    clinic = loaded.clinic
    sender = clinic.notifications.sender
    sections = changed_sections(previous, version)
    more = len(sections) - MAX_SECTIONS
    shown = sections[:MAX_SECTIONS] + ([f"and {more} more"] if more > 0 else [])
    new_url, diff_url = version_url(loaded, version), changes_url(loaded, version)
    contact = clinic.contact.email or clinic.contact.phone
    stop = ("To stop these emails, reply to this email with the word \"unsubscribe\""
            + (f", or contact {clinic.name} at {contact}." if contact else f", or contact {clinic.name}."))
    why = f"You receive this email because you asked to hear when {clinic.name} changes its privacy notices."
    intro = f"We have published a new version of our {version.title}. " + \
        effective_sentence(version.effective, version.published)

    first = "This is the first published version of this notice."
    text = [intro, "", f"In short: {version.summary}", "", "What changed:"]
    text += [f"- {s}" for s in shown] if shown else [f"- {first}"]
    text += ["", f"Read the new version: {new_url}", f"See every change, word by word: {diff_url}", "", why, stop]
    if unsubscribe_url:
        text.append(f"Or unsubscribe here: {unsubscribe_url}")

    e = html.escape
    items = "".join(f"<li>{e(s)}</li>" for s in shown) or f"<li>{first}</li>"
    page = [
        f'<!DOCTYPE html>\n<html lang="{e(version.lang)}">\n<head><meta charset="utf-8">'
        f"<title>{e(subject(loaded, version))}</title></head>\n<body>",
        f"<p>{e(intro)}</p>",
        f"<p><strong>In short:</strong> {e(version.summary)}</p>",
        f"<p>What changed:</p>\n<ul>{items}</ul>",
        f'<p><a href="{e(new_url)}">Read the new version</a> · '
        f'<a href="{e(diff_url)}">See every change, word by word</a></p>',
        f"<p><small>{e(why)} {e(stop)}"
        + (f' <a href="{e(unsubscribe_url)}">Unsubscribe</a>.' if unsubscribe_url else "") + "</small></p>",
        "</body>\n</html>",
    ]

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject(loaded, version)
    if sender:
        msg["From"] = Address(display_name=clinic.name, addr_spec=str(sender))
    msg["To"] = Address(addr_spec=subscriber_email)
    msg["Date"] = format_datetime(datetime.combine(version.published, clock(0), tzinfo=timezone.utc))
    msg["Message-ID"] = message_id(loaded.slug, version, subscriber_email.lower())
    targets = ([f"<mailto:{sender}?subject=unsubscribe>"] if sender else []) + \
        ([f"<{unsubscribe_url}>"] if unsubscribe_url else [])
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
    msg.set_content("\n".join(_wrap(line) for line in text) + "\n")
    msg.add_alternative("\n".join(page) + "\n", subtype="html")
    # The email package picks a random boundary; one from the Message-ID keeps the bytes reproducible.
    msg.set_boundary("==" + str(msg["Message-ID"]).strip("<>").split("@")[0] + "==")
    return msg


def _wrap(line: str) -> str:
    # Short lines keep the plain part readable as sent (no quoted-printable soft breaks mid-word).
    indent = "  " if line.startswith("- ") else ""
    return textwrap.fill(line, 72, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


# --------------------------------------------------------------------------------------------------
# Subscribers


def clinic_problem(project: Project, loaded: LoadedClinic, key: tuple[str, ...], message: str,
                   hint: str) -> Problem:
    """A problem with one key of the clinic's data, at its line (in the clinic's file or its group's)."""
    loc = loaded.locations.get(key)
    return Problem(loc.file if loc else project.rel(project.clinic_dir(loaded.slug) / "clinic.yaml"),
                   loc.line if loc else None, loc.column if loc else None, ".".join(key), message, hint)


def read_subscribers(project: Project, loaded: LoadedClinic) -> tuple[list[str], list[BadAddress]]:
    """Valid addresses (normalised, each once) and the bad ones with their line. No subscribers file: none."""
    name = loaded.clinic.notifications.subscribers
    if not name:
        return [], []
    path = project.clinic_dir(loaded.slug) / name
    shown = project.rel(path)
    outside = unsafe(project.clinic_dir(loaded.slug), path)
    if outside:
        raise DataErrors([clinic_problem(project, loaded, ("notifications", "subscribers"), f"{shown} {outside}",
                                         "put the subscribers file itself in the clinic's folder")])
    try:
        # utf-8-sig: spreadsheet programs often save CSV with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, strict=True))
    except FileNotFoundError:
        raise NoticesError(f"{shown}: no such file; create it with an `email` column "
                           "(first line: email), or remove notifications.subscribers") from None
    except UnicodeDecodeError:
        raise NoticesError(f"{shown}: is not UTF-8 text; save it as \"CSV UTF-8\"") from None
    except csv.Error as exc:
        raise NoticesError(f"{shown}: is not a valid CSV file ({exc}); check its quotes and commas") from None
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "email" not in header:
        raise NoticesError(f"{shown}: has no `email` column; its first line must name the columns, like: email,name")
    column = header.index("email")
    good: list[str] = []
    seen: set[str] = set()
    bad: list[BadAddress] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = row[column].strip() if column < len(row) else ""
        try:
            # SMTPUTF8 is not assumed of the relay, so an address must have an ASCII form.
            address = validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email
        except EmailNotValidError as exc:
            bad.append(BadAddress(number, value, str(exc) if value else "the email cell is empty"))
            continue
        if address and address.lower() not in seen:
            seen.add(address.lower())
            good.append(address)
    return good, bad


# --------------------------------------------------------------------------------------------------
# The sent-log


class SentLog:
    """Append-only record of deliveries; a key is (version, lower-cased recipient)."""

    def __init__(self, project: Project, slug: str):
        self.path = project.clinic_dir(slug) / "notify" / "sent.jsonl"
        self.shown = project.rel(self.path)
        self._fh: BinaryIO | None = None

    def read(self) -> set[tuple[str, str]]:
        if not self.path.is_file():
            return set()
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        # A last line without its newline was cut off mid-write: the delivery it records is unconfirmed.
        complete = lines[:-1]
        done: set[tuple[str, str]] = set()
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                done.add((record["version"], record["email"].lower()))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise NoticesError(f"{self.shown}:{number}: is not a sent-log record; restore the file from a "
                                   "backup (deleting the line would send that announcement again)") from None
        return done

    def open(self) -> None:
        """Lock the log for this run and drop a cut-off last line, before the first append."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "ab")
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                raise NoticesError(f"{self.shown}: another `notices notify` run for this clinic is under way; "
                                   "wait for it to finish") from None
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            os.truncate(self.path, data.rfind(b"\n") + 1)
        self._fh = fh

    def append(self, delivery: Delivery) -> None:
        record = {"version": delivery.version, "email": delivery.recipient, "message_id": delivery.message_id}
        line = (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fh = self._fh
        assert fh is not None, "open() the log first"
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# --------------------------------------------------------------------------------------------------
# Transports


class _Outbox:
    def __init__(self, project: Project, slug: str):
        self.project = project
        self.folder = project.root / "outbox" / slug
        self.where = project.rel(self.folder)

    def send(self, msg: EmailMessage, to: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / (str(msg["Message-ID"]).strip("<>").split("@")[0] + ".eml")
        # Temp file + rename: a killed run leaves a whole message or none, never half of one.
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(msg.as_bytes(policy=policy.SMTP))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return self.project.rel(path)

    def close(self) -> None:
        pass


class _Smtp:
    def __init__(self, settings: Smtp, sender: str, password: str | None):
        self.settings, self.sender, self.password = settings, sender, password
        self.where = f"{settings.host}:{settings.port}"
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn = smtplib.SMTP(s.host, s.port, timeout=30)
        if s.starttls:
            conn.starttls(context=ssl.create_default_context())
        if s.user:
            try:
                conn.login(s.user, self.password or "")
            except smtplib.SMTPAuthenticationError:
                conn.close()
                raise NoticesError(f"the SMTP server {self.where} refused the login of {s.user}: "
                                   f"check the password in ${s.password_env}") from None
        return conn

    def send(self, msg: EmailMessage, to: str) -> str:
        if self._conn is None:
            self._conn = self._connect()
        self._conn.send_message(msg, from_addr=self.sender, to_addrs=[to])
        return f"smtp {self.where}"

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (smtplib.SMTPException, OSError):
                self._conn.close()
            self._conn = None


def _transport(project: Project, loaded: LoadedClinic) -> _Outbox | _Smtp:
    n = loaded.clinic.notifications
    if n.smtp is None:
        return _Outbox(project, loaded.slug)
    where = project.rel(project.clinic_dir(loaded.slug) / "clinic.yaml")
    if not n.sender:
        raise NoticesError(f"{where}: notifications.sender is not set; SMTP needs a From address, "
                           "like privacy@example.com")
    password = None
    if n.smtp.user:
        if not n.smtp.password_env:
            raise NoticesError(f"{where}: notifications.smtp.user is set but password_env is not; name the "
                               "environment variable that holds the password, like NOTICES_SMTP_PASSWORD")
        password = os.environ.get(n.smtp.password_env)
        if password is None:
            raise NoticesError(f"the environment variable {n.smtp.password_env} is not set; it must hold the SMTP "
                               f"password for {n.smtp.user} (notifications.smtp.password_env)")
    return _Smtp(n.smtp, str(n.sender), password)


# --------------------------------------------------------------------------------------------------
# Webhook


def webhook_refusal(project: Project, loaded: LoadedClinic, settings: WebhookSettings) -> DataErrors | None:
    """Why the clinic's webhook may not be called at all (plain http, a non-public address), as its
    problem at the clinic file's line; None if it may be (see generator/outbound.py)."""
    hook = loaded.clinic.notifications.webhook
    if hook is None:
        return None
    try:
        outbound.check_host(outbound.target(str(hook), settings), settings)
    except outbound.Refused as exc:
        return DataErrors([clinic_problem(project, loaded, ("notifications", "webhook"), str(exc), exc.hint)])
    return None


def webhook_payload(loaded: LoadedClinic, version: Version) -> bytes:
    data = {
        "id": entry_id(loaded.slug, version),  # stable: lets the receiver drop a repeat
        "clinic": loaded.slug, "clinic_name": loaded.clinic.name, "notice": version.notice,
        "version": version.number, "title": version.title, "summary": version.summary,
        "effective": version.effective.isoformat(), "published": version.published.isoformat(),
        "url": version_url(loaded, version), "changes_url": changes_url(loaded, version),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def post_webhook(url: str, body: bytes, *, tries: int = WEBHOOK_TRIES,
                 sleep: Callable[[float], None] = time.sleep, timeout: float = 10,
                 settings: WebhookSettings = WebhookSettings()) -> str | None:
    """POST with exponential backoff. None when delivered, else why the last try failed.

    Only to public https addresses, unless `settings` (the project's notices.toml) allow a host; a
    refused address is not tried again. A redirect is not followed (a redirected POST loses its
    payload, and its target is unchecked): it is reported."""
    headers = {"Content-Type": "application/json", "User-Agent": "clinic-notices"}
    reason = "not tried"
    for attempt in range(tries):
        if attempt:
            sleep(WEBHOOK_FIRST_DELAY * 2 ** (attempt - 1))
        try:
            status, location = outbound.post(url, body, headers, settings, timeout)
        except outbound.Refused as exc:
            return f"refused: {exc}"
        except (OSError, http.client.HTTPException) as exc:
            reason = str(exc) or type(exc).__name__
            continue
        if 200 <= status < 300:
            return None
        reason = f"HTTP {status}"
        if 300 <= status < 400:
            where = urlsplit(location or "")
            return (f"{reason}: redirected{' to ' + where.scheme + '://' + where.netloc if where.netloc else ''}, "
                    "not followed; set notifications.webhook to the address the receiver answers at")
    return reason


# --------------------------------------------------------------------------------------------------
# The run


def _plan(versions: list[Version], subscribers: list[str], hook: bool,
          done: set[tuple[str, str]]) -> Iterator[tuple[Version, str, bool]]:
    """(version, recipient, already sent) for every announcement this run is responsible for."""
    for v in versions:
        for address in subscribers + ([WEBHOOK] if hook else []):
            yield v, address, (version_key(v), address.lower()) in done


def notify(project: Project, loaded: LoadedClinic, versions: dict[str, list[Version]], as_of: date, *,
           progress: Callable[[str], None] | None = None,
           sleep: Callable[[float], None] = time.sleep, webhook_tries: int = WEBHOOK_TRIES) -> NotifyResult:
    """Deliver every open announcement not yet in the sent-log. Raises NoticesError for what needs fixing."""
    result = NotifyResult(loaded.slug)
    say = progress or (lambda line: None)

    def report(line: str) -> None:
        result.lines.append(line)
        say(line)

    subscribers, result.bad_addresses = read_subscribers(project, loaded)
    for bad in result.bad_addresses:
        report(f"{loaded.clinic.notifications.subscribers} line {bad.line}: {bad.value!r} skipped: {bad.reason}")
    open_versions = pending(loaded, versions, as_of)
    result.pending = [version_key(v) for v in open_versions]
    hook = loaded.clinic.notifications.webhook
    log = SentLog(project, loaded.slug)
    if not any(not sent for _, _, sent in _plan(open_versions, subscribers, bool(hook), log.read())):
        result.skipped = [(version_key(v), a) for v, a, _ in _plan(open_versions, subscribers, bool(hook), set())]
        return result  # nothing new: not a byte written, no connection made

    if loaded.clinic.site_url is None:
        where = project.rel(project.clinic_dir(loaded.slug) / "clinic.yaml")
        raise NoticesError(f"{where}: site_url is not set; announcements link to the new version, so set "
                           "site_url to where the site is published, like https://notices.example.com/")
    hook_settings = load_settings(project).webhook if hook else WebhookSettings()
    refused = webhook_refusal(project, loaded, hook_settings)
    if refused:
        raise refused
    transport = _transport(project, loaded)
    log.open()
    try:
        done = log.read()  # again, under the lock: another run may have finished since
        for v, address, sent in _plan(open_versions, subscribers, bool(hook), done):
            key = version_key(v)
            if sent:
                result.skipped.append((key, address))
                continue
            if address == WEBHOOK:
                assert hook is not None  # _plan lists the webhook only when there is one
                failure = post_webhook(str(hook), webhook_payload(loaded, v), tries=webhook_tries, sleep=sleep,
                                       settings=hook_settings)
                if failure:
                    result.failed.append(Failure(key, WEBHOOK, failure))
                    tried = "" if failure.startswith(("refused", "HTTP 3")) else f" after {webhook_tries} tries"
                    report(f"webhook {key}: failed{tried} ({failure}); the next run tries again")
                    continue
                # Only the host: webhook URLs often carry a secret token, and these lines reach CI logs.
                delivery = Delivery(key, WEBHOOK, entry_id(loaded.slug, v), f"webhook {hook.host}")
            else:
                msg = messages(loaded, v, address, previous=_previous(versions, v))
                try:
                    via = transport.send(msg, address)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    result.failed.append(Failure(key, address, str(exc)))
                    report(f"{key} to {address}: refused by the server ({exc}); the next run tries again")
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    raise NotifyInterrupted(
                        f"sending to {transport.where} stopped: {exc}; the {len(result.sent)} announcement(s) "
                        "delivered in this run "
                        f"are in {log.shown}, so running again sends only the rest", result) from exc
                delivery = Delivery(key, address, str(msg["Message-ID"]), via)
            log.append(delivery)
            result.sent.append(delivery)
            report(f"{key} to {address}: {delivery.via}")
    finally:
        transport.close()
        log.close()
    return result
