"""The field types the whole model shares: single-line text, phone numbers, colours, file names, strict models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)


def _no_control_chars(value: str) -> str:
    # Single-line text lands inline in Markdown and HTML, and in email headers; a newline could start a
    # heading or a list, or a header. Unicode's own line breaks (NEL, LS, PS) count as newlines there.
    if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", value):
        raise ValueError("must be a single line of text without control characters or line breaks")
    return value
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_no_control_chars),
]
def _check_phone(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number ({exc}); write it like (719) 924-8448 or +1 416 555 0100")
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number; write it like (719) 924-8448 or +1 416 555 0100")
    return value
Phone = Annotated[Text, AfterValidator(_check_phone)]
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
def _check_colour(value: str) -> str:
    if not _HEX.match(value):
        raise ValueError("must be a colour written as # and six hex digits, like #1b5e7a")
    return value.lower()
Colour = Annotated[str, AfterValidator(_check_colour)]
def _check_logo(value: str) -> str:
    if value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/") or ":" in value:
        raise ValueError("must be a file name inside the clinic's folder, like logo.svg")
    if not re.search(r"\.(svg|png|jpe?g|webp)$", value, re.I):
        raise ValueError("must be an .svg, .png, .jpg or .webp file")
    return value
LogoPath = Annotated[str, AfterValidator(_check_logo)]
def _check_csv(value: str) -> str:
    if value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/") or not value.endswith(".csv"):
        raise ValueError("must be a .csv file name inside the clinic's folder, like subscribers.csv")
    return value
class Strict(BaseModel):
    # strict: YAML already gives real booleans, numbers and dates; "yes" must not quietly become True.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True)


class Own(Strict):
    """An item in the clinic's own words, where no vocabulary value says what its notice says:
    `{own: {en: "…", fr: "…"}}`, one single-line text for each language the clinic lists."""

    own: dict[Literal["en", "es", "fr"], Text] = Field(min_length=1, description="The item's words, one text for each language the clinic lists.")

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.own.items())))


def own_or(values: Any) -> Any:
    """A vocabulary type that also takes an item in the clinic's own words."""
    return Union[values, Own]


OwnText = dict[Literal["en", "es", "fr"], Text]


def own_words(value: object, path: str = "") -> list[tuple[str, dict]]:
    """Every text in the clinic's own words, with its key path: Own items, entries' `own`, own examples."""
    found: list[tuple[str, dict]] = []
    if isinstance(value, Own):
        return [(path, value.own)]
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found += own_words(item, f"{path}.{i}")
        return found
    if hasattr(type(value), "model_fields"):
        for name in type(value).model_fields:
            item = getattr(value, name)
            key = f"{path}.{name}" if path else name
            if name in ("own", "treatment_example") and isinstance(item, dict):
                found.append((key, item))
            else:
                found += own_words(item, key)
    return found
