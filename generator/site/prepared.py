"""One clinic, gathered: its data, its verified versions, and every draft rendered (see prepare.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..data.load import LoadedClinic
from ..notices.pages import NoticeState
from ..notices.render import Rendered
from ..publishing.versions import Version


@dataclass(frozen=True)
class Prepared:
    loaded: LoadedClinic
    versions: dict[str, list[Version]]
    drafts: dict[str, Rendered]  # the first language
    states: list[NoticeState]
    translated: dict[str, dict[str, Rendered]] = field(default_factory=dict)  # other languages: lang -> notice ->

    def translations(self, notice: str) -> tuple[tuple[str, str, str], ...]:
        """The notice's other languages as a version freezes them: (lang, title, content)."""
        return tuple((lang, d[notice].title, d[notice].markdown) for lang, d in sorted(self.translated.items()))
