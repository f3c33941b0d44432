"""One base error for the core; data errors carry where they are and how to fix them.

The core raises; only the CLI prints. A command that validates collects every problem first and raises
`DataErrors` once, so a user sees all of them in one run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


def printable(text: str) -> str:
    """Text safe to show on a terminal: every character that is not printable (an escape sequence, a
    bidirectional override, a line separator) written as a \\uXXXX escape. Newlines and tabs are
    kept. The escapes are JSON's, so JSON text stays valid JSON with the same meaning."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else _escape(c) for c in text)


def _escape(c: str) -> str:
    code = ord(c)
    if code > 0xFFFF:  # as JSON writes it: a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


class NoticesError(Exception):
    """Anything the user can fix. The message is complete: what is wrong and how to fix it."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: Optional[int]
    column: Optional[int]
    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.key + ': ' if self.key else ''}{self.message}"
        # Keys and values come from clinic files: untrusted text, shown to a person on a terminal.
        return printable(f"{text} ({self.hint})" if self.hint else text).replace("\n", "\\n").replace("\t", "\\t")


class DataErrors(NoticesError):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
