"""The email that announces a new version: its subject, text, and headers, one per subscriber.
"""

from __future__ import annotations

import hashlib
import html
import re
import textwrap
from datetime import datetime, timezone
from datetime import time as clock
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..data.load import LoadedClinic
from ..publishing.diff import diff, rewrite
from ..publishing.versions import Version
from .feeds import changes_url, effective_sentence, long_date, version_url

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]


MESSAGE_ID_DOMAIN = "clinic-notices.invalid"
MAX_SECTIONS = 20  # a long list of sections in an email helps no one; the changes page has them all
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_STATUS = {"added": "new section", "removed": "removed", "changed": "changed"}
def version_key(version: Version) -> str:
    return f"{version.notice}/v{version.number}"
def message_id(slug: str, version: Version, email: str) -> str:
    digest = hashlib.sha256(f"{slug}/{version_key(version)}/{email}".encode("utf-8")).hexdigest()
    return f"<{digest[:32]}@{MESSAGE_ID_DOMAIN}>"
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
