"""Announce material changes by email (and an optional webhook), each announcement delivered once.

The sent-log `clinics/<slug>/notify/sent.jsonl` is the memory: one JSON line per delivery, appended and
fsynced right after the delivery succeeds. A run that is killed resumes from it, and a run with nothing
new writes nothing. The one unavoidable gap is a kill between the server accepting a message and the
log line reaching the disk; the deterministic Message-ID lets a receiving server drop that duplicate.

Without SMTP settings, messages become .eml files in outbox/<slug>/, for a person to check and send.
"""

from __future__ import annotations

import smtplib
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator

from ..data.load import LoadedClinic, Project
from ..errors import NoticesError
from ..publishing.versions import Version, announced
from ..settings import WebhookSettings, load_settings
from .delivery import BadAddress, Delivery, Failure, _transport
from .feeds import entry_id
from .mail import _previous, messages, version_key
from .subscribers import SentLog, read_subscribers
from .webhook import (
    WEBHOOK,
    WEBHOOK_TRIES,
    post_webhook,
    webhook_payload,
    webhook_refusal,
)

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]









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






# --------------------------------------------------------------------------------------------------
# What to announce


def pending(loaded: LoadedClinic, versions: dict[str, list[Version]], as_of: date) -> list[Version]:
    """Material versions whose announcement window is open on `as_of`, oldest first."""
    days = loaded.clinic.notifications.banner_days
    found = [v for notice in loaded.clinic.notices for v in versions.get(notice, []) if announced(v, as_of, days)]
    return sorted(found, key=lambda v: (v.published, v.notice, v.number))








# --------------------------------------------------------------------------------------------------
# The message








# --------------------------------------------------------------------------------------------------
# Subscribers






# --------------------------------------------------------------------------------------------------
# The sent-log




# --------------------------------------------------------------------------------------------------
# Transports








# --------------------------------------------------------------------------------------------------
# Webhook








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
