"""Who is told: the clinic's subscribers file, and the log of what each address was sent (never twice).
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import BinaryIO

from email_validator import EmailNotValidError, validate_email

from ..data.load import LoadedClinic, Project
from ..errors import DataErrors, NoticesError, Problem
from ..files import Unreadable, read_regular
from ..safepath import unsafe
from .delivery import BadAddress, Delivery

MAX_SUBSCRIBERS_BYTES = 64_000_000  # over a million addresses

try:  # POSIX: stops two runs for one clinic from sending the same announcement at once.
    import fcntl
except ImportError:  # pragma: no cover - Windows runs unlocked
    fcntl = None  # type: ignore[assignment]


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
        raw = read_regular(path, MAX_SUBSCRIBERS_BYTES)
    except Unreadable as exc:
        if str(exc) == "is missing":
            raise NoticesError(f"{shown}: no such file; create it with an `email` column "
                               "(first line: email), or remove notifications.subscribers") from None
        raise NoticesError(f"{shown}: {exc}; notifications.subscribers must name a CSV file in the "
                           "clinic's folder") from None
    try:
        # utf-8-sig: spreadsheet programs often save CSV with a byte-order mark.
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), strict=True))
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
