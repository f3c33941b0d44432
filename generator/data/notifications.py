"""How changes are announced: the banner's days, the sender, the subscribers file, SMTP and the webhook.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Optional

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
)

from .fields import Strict, Text, _check_csv
from .vocab import (
    ChangeChannel,
)


class Changes(Strict):
    channels: list[ChangeChannel] = Field(default_factory=list)
def _check_host(value: str) -> str:
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if not _HOST.match(value):
        raise ValueError("must be a host name, like smtp.example.org (letters, digits, dashes and dots, "
                         "no empty part), or an IP address")
    return value
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")
def _check_ascii(value: str) -> str:
    # smtplib sends the login as ASCII.
    if not value.isascii():
        raise ValueError("must be plain ASCII (the SMTP login is sent as ASCII)")
    return value
def _check_sender(value: str) -> str:
    # The From header and the SMTP envelope need an ASCII address: SMTPUTF8 is not assumed of the relay.
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).ascii_email or value
    except EmailNotValidError as exc:
        raise ValueError(f"{value!r} cannot be a From address ({exc}); write it like privacy@example.com, "
                         "with an ASCII part before the @") from None
class Smtp(Strict):
    """Where announcement email is sent. The password is read from an environment variable, never a file."""

    host: Annotated[Text, AfterValidator(_check_host)]
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    user: Optional[Annotated[Text, AfterValidator(_check_ascii)]] = None
    password_env: Optional[Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")]] = Field(
        None, description="Name of the environment variable holding the SMTP password, like NOTICES_SMTP_PASSWORD.")
class Notifications(Strict):
    """How changes are announced: site banner, feeds, email to subscribers, an optional webhook."""

    banner_days: int = Field(30, ge=0, le=365, description="Days after a change takes effect that the banner stays.")
    sender: Optional[Annotated[EmailStr, AfterValidator(_check_sender)]] = Field(
        None, description="The From address of announcement email.")
    subscribers: Optional[Annotated[str, AfterValidator(_check_csv)]] = Field(
        None, description="A CSV file in the clinic's folder with an `email` column (keep it out of git if it is private).")
    smtp: Optional[Smtp] = Field(None, description="Send by SMTP. Without it, messages are written as .eml files to outbox/<slug>/.")
    webhook: Optional[HttpUrl] = Field(None, description="A URL that receives a JSON POST for each new material version.")
