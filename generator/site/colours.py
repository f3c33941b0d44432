"""Brand colours that stay readable: WCAG 2.1 contrast, and safe fallbacks when a colour fails it."""

from __future__ import annotations

WHITE, BLACK = "#ffffff", "#000000"
DEFAULT_LINK = "#1b5e7a"
AA_TEXT = 4.5


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def header_text(primary: str) -> str:
    """White or black text on the brand colour, whichever reads better."""
    return WHITE if contrast(primary, WHITE) >= contrast(primary, BLACK) else BLACK


def link_colour(primary: str) -> str:
    """The brand colour for links on the white page, unless it is too pale to read."""
    return primary if contrast(primary, WHITE) >= AA_TEXT else DEFAULT_LINK
