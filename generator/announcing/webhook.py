"""The optional webhook: one JSON POST per new version, retried, only over https to a public address.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Callable
from urllib.parse import urlsplit

from ..data.load import LoadedClinic, Project
from ..errors import DataErrors
from ..publishing.versions import Version
from ..settings import WebhookSettings
from . import outbound
from .feeds import changes_url, entry_id, version_url
from .subscribers import clinic_problem

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]


WEBHOOK = "webhook"
WEBHOOK_TRIES = 3
WEBHOOK_FIRST_DELAY = 0.5  # seconds; doubles after each failure
def webhook_refusal(project: Project, loaded: LoadedClinic, settings: WebhookSettings) -> DataErrors | None:
    """Why the clinic's webhook may not be called at all (plain http, a non-public address), as its
    problem at the clinic file's line; None if it may be (see generator/announcing/outbound.py)."""
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
