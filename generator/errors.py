"""One base error for the core; data errors carry where they are and how to fix them.

The core raises; only the CLI prints. A command that validates collects every problem first and raises
`DataErrors` once, so a user sees all of them in one run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


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
        return f"{text} ({self.hint})" if self.hint else text


class DataErrors(NoticesError):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
