"""Project-level settings: `notices.toml` at the project's root, next to clinics/ (optional).

What a clinic's data may reach is decided by whoever runs the project, never by the clinic's own file:
a clinic file is untrusted text, and its `notifications.webhook` must not be able to aim the notifier
at this machine or the private network. This file is reviewed with the project, the same for every
run (a developer's, CI's), and its absence means the strict defaults.

```toml
[webhook]
# Hosts a clinic's webhook may reach although they are loopback, link-local or private addresses
# (a receiver on this machine or the private network). Every other host must resolve to public
# addresses only.
allow_hosts = ["hooks.internal.example.org"]
# Hosts a webhook may call over plain http (a test receiver). Every other host needs https.
allow_http = []

[verify]
# Commits whose changes to published versions were reviewed and accepted (full commit ids): such a change
# is a note in `notices verify`, not a problem, and the file as that commit left it is the one checked
# from then on. For history written before the rule existed; never for a new change.
reviewed_rewrites = ["440833c49ec0ad1260cf7db4738abb7fa5c0402a"]
```
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import NoticesError
from .project import Project

FILE = "notices.toml"
_KNOWN = {"webhook": {"allow_hosts", "allow_http"}, "verify": {"reviewed_rewrites"}}


@dataclass(frozen=True)
class WebhookSettings:
    allow_hosts: frozenset[str] = frozenset()  # lower-case host names or addresses, as URLs write them
    allow_http: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Settings:
    webhook: WebhookSettings = WebhookSettings()
    reviewed_rewrites: frozenset[str] = frozenset()  # full commit ids, lower case


def settings_path(project: Project) -> Path:
    return project.root / FILE


def load_settings(project: Project) -> Settings:
    """The project's settings; the defaults when there is no notices.toml. Raises NoticesError for a
    file that is not valid, naming the line or key."""
    import tomllib

    path = settings_path(project)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except UnicodeDecodeError:
        raise NoticesError(f"{FILE}: is not UTF-8 text; save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        at = f":{where.group(1)}:{where.group(2)}" if where else ""
        raise NoticesError(f"{FILE}{at}: is not valid TOML: {re.sub(r' [(]at line.*', '', str(exc))}") from None
    for section, value in data.items():
        if section not in _KNOWN:
            raise NoticesError(f"{FILE}: [{section}]: unknown section ({_did_you_mean(section, _KNOWN)})")
        if not isinstance(value, dict):
            raise NoticesError(f"{FILE}: {section}: must be a table, written [{section}]")
        for key in value:
            if key not in _KNOWN[section]:
                raise NoticesError(f"{FILE}: {section}.{key}: unknown key ({_did_you_mean(key, _KNOWN[section])})")
    hook = data.get("webhook", {})
    return Settings(WebhookSettings(_hosts(hook, "allow_hosts"), _hosts(hook, "allow_http")),
                    _commits(data.get("verify", {})))


def _commits(table: dict) -> frozenset[str]:
    value = table.get("reviewed_rewrites", [])
    if not isinstance(value, list) or not all(isinstance(v, str) and re.fullmatch(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}", v)
                                              for v in value):
        raise NoticesError(f"{FILE}: verify.reviewed_rewrites: must be a list of full commit ids (40 or 64 hex "
                           'digits, from `git log --format=%H`), like ["440833c49ec0ad1260cf7db4738abb7fa5c0402a"]')
    return frozenset(v.lower() for v in value)


def _hosts(table: dict, key: str) -> frozenset[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise NoticesError(f'{FILE}: webhook.{key}: must be a list of host names, like ["hooks.example.org"]')
    hosts = set()
    for host in value:
        host = host.strip().lower()
        if "/" in host or host.startswith("[") or re.fullmatch(r"[^:]+:\d+", host):
            raise NoticesError(f"{FILE}: webhook.{key}: {host!r} is not a host name; write the host alone, without "
                               "scheme or port, like hooks.example.org or 127.0.0.1 (an IPv6 address without brackets)")
        hosts.add(host)
    return frozenset(hosts)


def _did_you_mean(name: str, known: object) -> str:
    names = sorted(known)  # type: ignore[call-overload]
    close = difflib.get_close_matches(name, names, n=1)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(names)}"
