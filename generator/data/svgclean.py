"""An SVG logo, cleaned to an allow-list before it is published (it is also the site's favicon).

Parsed by defusedxml: no entity declarations (no "billion laughs"), no external entities. Then:

- **Refused**, with the line: what can run code, load something from elsewhere or change the picture
  once shown: `<script>`, `<foreignObject>`, animation (`<animate>`, `<set>`, …), links (`<a>`),
  elements of HTML; event-handler attributes (`onload=`…); a reference that is not to the file
  itself (`href` other than `#id`, except a PNG/JPEG/GIF/WebP `data:` picture in `<image>`; `url(…)`
  other than `url(#id)`; CSS `@import`); any SVG element not on the list below. A clinic must know
  its logo carried any of these, so it is not quietly dropped.
- **Dropped**: what editors add and no browser shows: comments, processing instructions, the
  doctype, `<metadata>`, elements and attributes of other namespaces (Inkscape's, Illustrator's),
  and attributes not on the list (`data-name`…).

What is kept is written out again from the parsed tree, so nothing the parser did not understand
(a stray byte, an unusual encoding) reaches the site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
XHTML = "http://www.w3.org/1999/xhtml"
MATHML = "http://www.w3.org/1998/Math/MathML"

_FILTERS = {
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA",
    "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
}
ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "symbol", "use", "switch", "style", "image",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
} | _FILTERS
DROPPED_ELEMENTS = {"metadata"}
# Why each is refused, shown to the clinic.
REFUSED_ELEMENTS = {
    "script": "it runs code",
    "foreignObject": "it can hold a web page, with scripts and forms",
    "a": "a link inside a logo can lead anywhere, or run code",
    "animate": "animation can change links and content after the check",
    "animateMotion": "animation can change links and content after the check",
    "animateTransform": "animation can change links and content after the check",
    "set": "it can change links and content after the check",
    "discard": "animation can change links and content after the check",
    "handler": "it runs code",
    "listener": "it runs code",
    "feImage": "it loads a picture from elsewhere",
    "iframe": "it embeds another page",
}

_PRESENTATION = """
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering direction display dominant-baseline enable-background
    fill fill-opacity fill-rule filter flood-color flood-opacity font font-family font-size
    font-size-adjust font-stretch font-style font-variant font-weight image-rendering isolation
    letter-spacing lighting-color marker marker-end marker-mid marker-start mask mask-type mix-blend-mode
    opacity overflow paint-order shape-rendering stop-color stop-opacity stroke stroke-dasharray
    stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width
    text-anchor text-decoration text-rendering transform-origin unicode-bidi vector-effect visibility
    word-spacing writing-mode
"""
_GEOMETRY = """
    id class style lang x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength
    transform viewBox preserveAspectRatio version baseProfile dx dy rotate textLength lengthAdjust
    startOffset method spacing side refX refY markerWidth markerHeight markerUnits orient
    patternUnits patternContentUnits patternTransform gradientUnits gradientTransform spreadMethod offset
    clipPathUnits maskUnits maskContentUnits filterUnits primitiveUnits href
    requiredFeatures requiredExtensions systemLanguage media type
"""
_FILTER_ATTRIBUTES = """
    in in2 result stdDeviation mode values operator k1 k2 k3 k4 scale xChannelSelector yChannelSelector
    radius order kernelMatrix divisor bias targetX targetY edgeMode preserveAlpha surfaceScale
    diffuseConstant specularConstant specularExponent kernelUnitLength azimuth elevation pointsAtX pointsAtY
    pointsAtZ limitingConeAngle z baseFrequency numOctaves seed stitchTiles tableValues slope intercept
    amplitude exponent
"""
ATTRIBUTES = set((_PRESENTATION + _GEOMETRY + _FILTER_ATTRIBUTES).split())
_XML_ATTRIBUTES = {"space", "lang"}

_LOCAL_REF = re.compile(r"^\s*#[A-Za-z_][\w.:-]*\s*$")
_DATA_PICTURE = re.compile(r"^\s*data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_CSS_FORBIDDEN = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|image-set\s*\(|"
                            r"\bsrc\s*\(|\\", re.I)


@dataclass(frozen=True)
class SvgProblem:
    line: int
    column: int
    message: str
    hint: str


def clean_svg(data: bytes) -> tuple[bytes | None, list[SvgProblem]]:
    """The cleaned SVG (UTF-8) and no problems, or None and every problem found, each with its line."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    cleaner = _Cleaner()
    # A doctype is allowed (old exports carry one) and dropped; entities and external ones are not.
    parser = DefusedXMLParser(target=cleaner, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    cleaner.expat = parser.parser
    try:
        parser.feed(data)
        out = parser.close()
    except ParseError as exc:
        line, column = exc.position
        return None, [SvgProblem(line, column + 1, f"is not valid SVG: {_parse_message(exc)}",
                                 "open it in a drawing program and export it again as plain SVG")]
    except DefusedXmlException:
        expat = parser.parser
        return None, [SvgProblem(expat.CurrentLineNumber, expat.CurrentColumnNumber + 1,
                                 "declares XML entities, which a logo may not (they can expand without end "
                                 "or read other files)",
                                 "export the logo again as plain SVG, without a DOCTYPE of its own")]
    if cleaner.problems:
        return None, cleaner.problems
    if out is None:
        return None, [SvgProblem(1, 1, "holds no <svg> element", "export the logo again as plain SVG")]
    return out, []


def _parse_message(exc: Exception) -> str:
    return re.sub(r":\s*line \d+, column \d+$", "", str(exc))


class _Cleaner:
    """An ElementTree parser target that writes the allowed part out as it is parsed."""

    def __init__(self) -> None:
        self.expat = None  # set once the parser exists: where each event is, for messages
        self.out: list[str] = []
        self.stack: list[str] = []
        self.starts: list[tuple[int, int]] = []  # where each open element starts (text is seen later)
        self.css: list[str] = []  # the text of the <style> element being read
        self.skipping = 0  # depth inside a dropped element
        self.problems: list[SvgProblem] = []
        self.xlink = False
        self.seen_root = False

    def _where(self) -> tuple[int, int]:
        return (self.expat.CurrentLineNumber, self.expat.CurrentColumnNumber + 1) if self.expat else (1, 1)

    def _refuse(self, message: str, hint: str, at: tuple[int, int] | None = None) -> None:
        line, column = at or self._where()
        self.problems.append(SvgProblem(line, column, message, hint))

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.skipping:
            self.skipping += 1
            return
        ns, local = _split(tag)
        if not self.seen_root:
            self.seen_root = True
            if (ns, local) != (SVG, "svg"):
                self._refuse(f"starts with <{local}>, not <svg>" if ns in ("", SVG) else
                             f"is not an SVG picture (its first element is <{local}> of {ns or 'no namespace'})",
                             "a logo file's first element is <svg xmlns=\"http://www.w3.org/2000/svg\">")
                self.skipping = 1
                return
        if ns in (XHTML, MATHML):
            self._refuse(f"<{local}> of HTML or MathML is not allowed in a logo", "remove it")
            self.skipping = 1
            return
        if ns != SVG or local in DROPPED_ELEMENTS:  # an editor's own data, or metadata: never shown
            self.skipping = 1
            return
        if local in REFUSED_ELEMENTS:
            self._refuse(f"<{local}> is not allowed in a logo: {REFUSED_ELEMENTS[local]}", "remove it")
            self.skipping = 1
            return
        if local not in ELEMENTS:
            self._refuse(f"<{local}> is not allowed in a logo",
                         "use only shapes, paths, text, groups, gradients, patterns, masks and filters")
            self.skipping = 1
            return
        parts = [local]
        if not self.stack:
            parts.append(f'xmlns="{SVG}"')
        for name, value in attrib.items():
            kept = self._attribute(local, name, value)
            if kept:
                parts.append(f'{kept}="{_escape_attribute(value)}"')
        self.out.append("<" + " ".join(parts) + ">")
        self.stack.append(local)
        self.starts.append(self._where())

    def _attribute(self, element: str, name: str, value: str) -> str | None:
        """The attribute's name as written out, or None to drop it; refusals are recorded."""
        ns, local = _split(name)
        if local.lower().startswith("on") and ns in ("", SVG, XHTML, XLINK):
            self._refuse(f"<{element} {local}=…>: event handlers are not allowed in a logo: they run code",
                         f"remove the {local} attribute")
            return None
        if ns == XLINK and local == "href" or ns == "" and local == "href":
            if not (_LOCAL_REF.match(value) or element == "image" and _DATA_PICTURE.match(value)):
                self._refuse(f"<{element} href={_short(value)!r}>: a logo may refer only to its own parts "
                             "(href=\"#id\")" + (" or to a picture inside it (data:image/png;base64,…)"
                                                  if element == "image" else ""),
                             "put what it refers to inside the logo file, or remove it")
                return None
            if ns == XLINK:
                self.xlink = True
                return "xlink:href"
            return "href"
        if ns == XML:
            return f"xml:{local}" if local in _XML_ATTRIBUTES else None
        if ns != "" or local not in ATTRIBUTES:
            return None
        self._check_css(value, f"<{element} {local}=…>")
        return local

    def _check_css(self, text: str, where: str, at: tuple[int, int] | None = None) -> None:
        bad = _CSS_FORBIDDEN.search(text)
        if bad:
            self._refuse(f"{where}: {bad.group(0).strip()!r} is not allowed in a logo's style",
                         "write plain colours and sizes, without imports, escapes or scripts", at)
            return
        for match in _URL.finditer(text):
            if not _LOCAL_REF.match(match.group(2)):
                self._refuse(f"{where}: url({_short(match.group(2))}) refers to something outside the logo",
                             "a logo may use only its own parts: url(#id)", at)

    def end(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        if self.stack[-1] == "style":
            self._check_css("".join(self.css), "<style>", self.starts[-1])
            self.css = []
        self.out.append(f"</{self.stack.pop()}>")
        self.starts.pop()

    def data(self, text: str) -> None:
        if self.skipping or not self.stack:
            return
        if self.stack[-1] == "style":  # checked whole at its end: the parser may hand it over in pieces
            self.css.append(text)
        self.out.append(_escape_text(text))

    def close(self) -> bytes | None:
        if not self.out:
            return None
        if self.xlink:
            self.out[0] = self.out[0].replace(f'xmlns="{SVG}"', f'xmlns="{SVG}" xmlns:xlink="{XLINK}"', 1)
        return ("".join(self.out) + "\n").encode("utf-8")


def _split(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "…"


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))
