"""A consent manager for the clinic's own website, made from the cookie notice's data.

`consent_files` gives, for a clinic that lists its cookies (`cookies.items`):

- `embed/consent.js`: vanilla-cookieconsent (vendored, unchanged: templates/assets/vendor/cookieconsent/)
  followed by its configuration and a few lines that apply the law before it runs;
- `embed/consent.css`: the library's style sheet, in the clinic's colour;
- `embed/consent.html`: the snippet to paste into the clinic's website, with install instructions.

What it does, and where each part comes from:

- categories: those of `cookies.items` (vocabulary `cookie_category`), strictly necessary always on and
  read-only; each with its cookie table, in every language of the clinic, in the labels' words;
- mode: opt-in (nothing but the strictly necessary before the visitor agrees) for a clinic in Quebec
  (checklist QC-05: such technology is off by default) or unless the data says the clinic treats use of
  the site as agreement (`cookies.consent_by_using_site`), which is opt-out;
- revision: the number of the cookie notice's latest material version in force, so a material change of
  the notice asks every visitor again (a technical one does not; a draft is revision 0);
- Global Privacy Control: when the browser sends it, the marketing categories (and any category holding
  a cookie for personalized ads) are not offered and their cookies are erased, and the banner says so,
  titled "Opt-Out Request Honored" where the CCPA applies (CA-10, §7025(c)(6)).

Every string of clinic data is HTML-escaped here (the library writes its texts as HTML) and the
configuration is JSON with `</` escaped. The bytes depend only on the input: no dates, no random ids.
Pure, but for reading the vendored files, which it notes as inputs (generator/reads.py).
"""

from __future__ import annotations

import html
import json
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from .. import reads
from ..data.load import LoadedClinic, Project
from ..data.model import Clinic
from ..data.quebec import in_quebec
from ..data.vocab import vocabulary
from ..errors import NoticesError
from ..notices.render import environment
from ..publishing.versions import Version, in_force
from ..site.colours import header_text

if TYPE_CHECKING:
    from ..site.prepared import Prepared

VENDOR = ("assets", "vendor", "cookieconsent")  # under templates/
LIBRARY, STYLES, LICENSE, VERSION = "cookieconsent.umd.js", "cookieconsent.css", "LICENSE", "VERSION"
WORDS = "partials/consent-words.md.j2"
COOKIE_NAME = "cc_cookie"  # the library's own: what a clinic declares for it (see docs/consent.md)
NECESSARY = "strictly_necessary"
FILES = ("embed/consent.css", "embed/consent.html", "embed/consent.js")


def applies(clinic: Clinic) -> bool:
    """A consent manager is made for a clinic that lists its cookies: without the list it has nothing to ask."""
    return bool(clinic.cookies.items)


def opt_in(clinic: Clinic) -> bool:
    """Whether nothing but the strictly necessary may run before the visitor agrees."""
    if in_quebec(clinic):
        return True  # QC-05 (P-39.1 s. 8.1): off by default, whatever else the data says
    return not clinic.cookies.consent_by_using_site


def gpc_categories(clinic: Clinic) -> list[str]:
    """The categories a Global Privacy Control signal turns off: marketing, and any holding a cookie for
    personalized ads (CCPA "sharing"), never the strictly necessary."""
    present = {i.category for i in clinic.cookies.items}
    off = {"marketing"} | {i.category for i in clinic.cookies.items if i.purpose == "personalized_ads"}
    return [c for c in vocabulary("cookie_category") if c in off & present and c != NECESSARY]


def revision(versions: list[Version], as_of: date) -> int:
    """The number of the latest material version of the cookie notice in force (0: none in force)."""
    current = in_force(versions, as_of)
    if current is None:
        return 0
    return max(v.number for v in versions if v.number <= current.number and (v.material or v.number == 1))


def consent_files(project: Project, prepared: Prepared, as_of: date) -> dict[str, bytes]:
    """`embed/consent.{js,css,html}`, or nothing for a clinic that lists no cookies."""
    loaded = prepared.loaded
    clinic = loaded.clinic
    if not applies(clinic):
        return {}
    versions = prepared.versions.get("cookies", [])
    current = in_force(versions, as_of)
    config = configuration(project, loaded, revision(versions, as_of), current.number if current else None)
    library, styles, license_text, lib_version = (_vendored(project, name) for name in (LIBRARY, STYLES, LICENSE, VERSION))
    js = "\n".join([
        f"/* Consent manager of {_comment(clinic.name)}, made by clinic-notices from its cookie notice.",
        f" * vanilla-cookieconsent {_comment(lib_version.strip())}, unchanged, then its configuration.",
        *(f" * {_comment(line)}".rstrip() for line in license_text.strip().splitlines()),
        " */",
        library.rstrip(),
        "var CLINIC_NOTICES_CONSENT = " + _json(config) + ";",
        _RUNTIME,
    ])
    primary = clinic.branding.primary_color
    css = styles.rstrip() + "\n" + _CSS.format(primary=primary, text=header_text(primary))
    return {
        "embed/consent.css": css.encode("utf-8"),
        "embed/consent.html": snippet(project, loaded, config, current.number if current else None).encode("utf-8"),
        "embed/consent.js": js.encode("utf-8"),
    }


def _vendored(project: Project, name: str) -> str:
    path = project.templates_dir.joinpath(*VENDOR, name)
    data = path.read_bytes()
    reads.note_file(str(path), data)  # the bytes shipped: an update of the library rebuilds the sites
    return data.decode("utf-8")


def _words(project: Project, clinic: Clinic, lang: str, version: int | None) -> tuple[Any, Any]:
    env = environment(project.templates_dir, lang)
    categories = ", ".join(f"data-category=\"{c}\"" for c in _categories(clinic))
    module = env.get_template(WORDS).make_module(vars={
        "opt_in": opt_in(clinic), "ccpa": clinic.regimes.ccpa, "version": version, "categories": categories,
        "necessary": any(i.category == NECESSARY for i in clinic.cookies.items),
        "others": any(i.category != NECESSARY for i in clinic.cookies.items)})
    return module, env.globals["L"]


def _categories(clinic: Clinic) -> list[str]:
    present = {i.category for i in clinic.cookies.items} | {NECESSARY}
    return [c for c in vocabulary("cookie_category") if c in present]


def _notice_paths(loaded: LoadedClinic) -> dict[str, str]:
    """The cookie notice's address in each language: absolute with a `site_url`, else relative to
    embed/consent.js (resolved in the browser against the script's own address)."""
    clinic = loaded.clinic
    base = _site_base(loaded)
    out = {}
    for lang in clinic.languages:
        rel = "cookies/" if lang == clinic.languages[0] else f"{lang}/cookies/"
        out[lang] = urljoin(base, rel) if base else f"../{rel}"
    return out


def configuration(project: Project, loaded: LoadedClinic, rev: int, version: int | None) -> dict[str, Any]:
    """What the runtime below hands the library, in every language of the clinic; data HTML-escaped."""
    clinic = loaded.clinic
    e = html.escape
    cats = _categories(clinic)
    translations, words = {}, {}
    for lang in clinic.languages:
        w, labels = _words(project, clinic, lang, version)
        name, provider, purpose, duration, party, kind, _category, where = _columns(str(w.table_header), lang)
        sections = [{"description": e(w.preferences_intro)}]
        for c in cats:
            items = [i for i in clinic.cookies.items if i.category == c]
            section: dict[str, Any] = {
                "title": e(_sentence_case(labels["cookie_category"][c])),
                "description": e(labels["cookie_category_text"][c]),
                "linkedCategory": c,
            }
            if items:
                section["cookieTable"] = {
                    "headers": {"name": e(name), "provider": e(provider), "purpose": e(purpose),
                                "duration": e(duration), "party": e(party), "type": e(kind), "pages": e(where)},
                    "body": [{"name": e(i.name), "provider": e(i.provider), "purpose": e(labels["cookie_use"][i.purpose]),
                              "duration": e(i.duration), "party": e(labels["cookie_party"][i.party]),
                              "type": e(labels["cookie_type"][i.type]),
                              "pages": e(", ".join(labels["cookie_page"][p] for p in i.pages))} for i in items],
                }
            sections.append(section)
        translations[lang] = {
            "consentModal": {
                "title": e(w.title), "description": f"<p>{e(w.description)}</p>{{{{revisionMessage}}}}",
                "revisionMessage": f"<p><strong>{e(w.revision)}</strong></p>",
                "acceptAllBtn": e(w.accept_all), "acceptNecessaryBtn": e(w.reject_all),
                "showPreferencesBtn": e(w.choose),
            },
            "preferencesModal": {
                "title": e(w.preferences_title), "acceptAllBtn": e(w.accept_all),
                "acceptNecessaryBtn": e(w.reject_all), "savePreferencesBtn": e(w.save),
                "closeIconLabel": e(w.close), "sections": sections,
            },
        }
        words[lang] = {"notice": e(labels["notice_title"]["cookies"]), "gpcTitle": e(w.gpc_title),
                       "gpcText": e(w.gpc_text), "gpcOff": e(w.gpc_off)}
    storage = {c: sorted(i.name for i in clinic.cookies.items if i.category == c and i.type == "local_storage")
               for c in cats}
    return {
        "mode": "opt-in" if opt_in(clinic) else "opt-out",
        "revision": rev,
        "cookieName": COOKIE_NAME,
        "languages": list(clinic.languages),
        "categories": [{"id": c, "readOnly": c == NECESSARY, "enabled": c == NECESSARY or not opt_in(clinic),
                        "cookies": sorted(i.name for i in clinic.cookies.items if i.category == c and i.type == "cookie"),
                        "storage": storage[c]} for c in cats],
        "gpcOff": gpc_categories(clinic),
        "notice": _notice_paths(loaded),
        "translations": translations,
        "words": words,
    }


def snippet(project: Project, loaded: LoadedClinic, config: dict[str, Any], version: int | None) -> str:
    """embed/consent.html: install instructions (a comment, in the clinic's first language), the script
    line for the head of every page, and the footer link that opens the choices again."""
    clinic = loaded.clinic
    w, _ = _words(project, clinic, clinic.languages[0], version)
    base = _site_base(loaded)
    src = urljoin(base, "embed/consent.js") if base else "consent.js"
    lines = [_comment(str(s)) for s in (w.install_about, w.install_head, w.install_gate, w.install_link)]
    return "\n".join([
        "<!--", *(f"  {line}" for line in lines), "-->",
        f'<script defer src="{html.escape(src, quote=True)}"></script>',
        f'<a href="#" data-cc="show-preferencesModal">{html.escape(str(w.settings_link), quote=False)}</a>',
    ]) + "\n"


def _columns(header: str, lang: str) -> list[str]:
    """The cookie notice's table header, a Markdown row, as its eight column names (a translation may
    leave text after the last `|`: Markdown ignores it, and so does this)."""
    cells = [cell.strip() for cell in header.strip().split("|")]
    cells = cells[1:] if cells and not cells[0] else cells
    if len(cells) < 8:
        raise NoticesError(f"templates/locale ({lang}): the cookie table's header has {len(cells)} columns, "
                           "not 8 (translate every cell between the | signs)")
    return cells[:8]


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _comment(text: str) -> str:
    # Inside an HTML or JS comment: nothing may close it early, nor end a script holding it inline.
    return text.replace("--", "- -").replace("*/", "* /").replace("<", "&lt;").replace(">", "&gt;")


def _json(value: Any) -> str:
    # Inside a script: `</` could end it in an inline copy, and ensure_ascii keeps U+2028/2029 escaped.
    return json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")


def _site_base(loaded: LoadedClinic) -> str | None:
    url = loaded.clinic.site_url
    if not url:
        return None
    parts = urlsplit(str(url))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


# The library's colour variables, set to the clinic's validated #rrggbb and its readable text colour.
_CSS = """\
#cc-main{{--cc-btn-primary-bg:{primary};--cc-btn-primary-border-color:{primary};--cc-btn-primary-color:{text};\
--cc-btn-primary-hover-bg:{primary};--cc-btn-primary-hover-border-color:{primary};--cc-btn-primary-hover-color:{text};\
--cc-toggle-on-bg:{primary};--cc-link-color:{primary}}}
#cc-main .cn-gpc{{margin-top:.6em}}
"""

# Runs after the library, on the clinic's page. Everything it needs is in CLINIC_NOTICES_CONSENT; it
# loads the style sheet from beside itself, so the snippet is one line and no other host is asked.
_RUNTIME = r"""(function () {
  "use strict";
  var C = CLINIC_NOTICES_CONSENT;
  var me = document.currentScript;
  var base = (me && me.src) || location.href;
  var sheet = document.createElement("link");
  sheet.rel = "stylesheet";
  sheet.href = new URL("consent.css", base).href;
  document.head.appendChild(sheet);
  // Global Privacy Control (https://privacycg.github.io/gpc-spec/): the browser's signal, read afresh
  // on every page, so that turning it on takes effect at once, whatever was chosen before.
  var gpc = navigator.globalPrivacyControl === true;
  var off = gpc ? C.gpcOff : [];
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  var categories = {};
  C.categories.forEach(function (c) {
    if (off.indexOf(c.id) >= 0) return;  // not offered: nothing can turn it on while the signal is sent
    categories[c.id] = {enabled: c.enabled, readOnly: c.readOnly,
                        autoClear: {cookies: c.cookies.map(function (n) { return {name: n}; })}};
  });
  var translations = {};
  Object.keys(C.translations).forEach(function (lang) {
    var t = JSON.parse(JSON.stringify(C.translations[lang]));
    var w = C.words[lang];
    t.consentModal.footer = '<a href="' + esc(new URL(C.notice[lang], base).href) + '">' + w.notice + "</a>";
    t.preferencesModal.sections.forEach(function (s) {
      if (s.linkedCategory && off.indexOf(s.linkedCategory) >= 0) {
        delete s.linkedCategory;
        s.description += " <strong>" + w.gpcOff + "</strong>";
      }
    });
    if (gpc) {
      var note = "<strong>" + w.gpcTitle + "</strong> " + w.gpcText;
      t.preferencesModal.sections.splice(1, 0, {title: w.gpcTitle, description: w.gpcText});
      t.consentModal.description += '<p class="cn-gpc">' + note + "</p>";
    }
    translations[lang] = t;
  });
  // The library clears the cookies of a rejected category; its local-storage keys are cleared here.
  function clearRefused() {
    C.categories.forEach(function (c) {
      var refused = off.indexOf(c.id) >= 0 || !CookieConsent.acceptedCategory(c.id);
      if (!refused || c.readOnly) return;
      c.storage.forEach(function (k) { try { localStorage.removeItem(k); } catch (e) {} });
      if (off.indexOf(c.id) >= 0 && c.cookies.length) CookieConsent.eraseCookies(c.cookies);
    });
  }
  CookieConsent.run({
    mode: C.mode,
    revision: C.revision,
    // A crawler, and `notices scan`, sees what a visitor sees before choosing.
    hideFromBots: false,
    manageScriptTags: true,
    autoClearCookies: true,
    cookie: {name: C.cookieName},
    categories: categories,
    language: {default: C.languages[0], autoDetect: "document", translations: translations},
    onConsent: clearRefused,
    onChange: clearRefused
  });
  if (gpc) clearRefused();
})();
"""
