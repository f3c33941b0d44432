"""Where announcements go: .eml files in outbox/<slug>/, or an SMTP server.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from ..data.load import LoadedClinic, Project
from ..data.notifications import Smtp
from ..errors import NoticesError

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]


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
