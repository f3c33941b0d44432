"""Which laws apply to a clinic, from its data: what rules run on and what findings cite.

A finding cites only laws that apply to the clinic (checklist version 2, "Applies means applies").
Facts may be unstated (None, once the model keeps three states): never read as false here. A
condition that rests on an unstated fact is `Unstated`, which the check reports naming the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ..data.model import Clinic
from .base import Applies, Context, Unstated


def stated(clinic: Clinic, dotted: str) -> Optional[bool]:
    """A yes/no fact of the clinic by key path (regimes.ccpa): True, False, or None when not stated."""
    node: object = clinic
    for part in dotted.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return bool(node)


def us(c: Clinic) -> bool:
    return c.jurisdiction.country == "US"


def canadian(c: Clinic) -> bool:
    return c.jurisdiction.country == "CA"


def regime(key: str, law: str, where: Callable[[Clinic], bool] = us, elsewhere: str = "not a US clinic",
           extra: Optional[tuple[str, str, str]] = None, unless_false: bool = False, reason: str = "") -> Applies:
    """Applies when `regimes.<key>` is true; not when it is false (saying so); Unstated when not stated.
    `extra`: a second fact the rule also needs, as (key path, its reason when false, condition words).
    `unless_false`: the rule applies unless the data says no (not stated applies too)."""
    condition = (f"unless the data says no: {law}" if unless_false else law) + (f" and {extra[2]}" if extra else "")

    def applies(ctx: Context) -> Optional[str]:
        c = ctx.clinic
        if not where(c):
            return elsewhere
        facts = [(f"regimes.{key}", reason or f"{law} does not apply (regimes.{key} is false)")]
        if extra:
            facts.append((extra[0], extra[1]))
        for path, why in facts:
            value = stated(c, path)
            if value is None and unless_false and path == f"regimes.{key}":
                continue
            if value is None:
                return Unstated(f"the data does not say whether {path.split('.')[-1].replace('_', ' ')} holds "
                                f"({path}), so whether {condition} applies is not known", path)
            if not value:
                return why
        return None

    applies.condition = condition  # type: ignore[attr-defined]
    return applies


# --------------------------------------------------------------------------------------------------
# Canada: in Quebec, British Columbia and Alberta the provincial law replaces PIPEDA for activity inside
# the province (checklist, Canada). Quebec's P-39.1 adds its own items too (the QC-* rules).


@dataclass(frozen=True)
class CanadianLaw:
    short: str  # as findings cite it
    regulator: str  # vocabulary Regulator: the commissioner who takes complaints
    regulator_name: str  # the words the notice uses for it (templates/en/labels.yaml), for PIPEDA-07
    sections: dict[str, str]  # checklist ID -> the section that asks for the same element


PIPEDA = CanadianLaw("PIPEDA", "opc_canada", "Privacy Commissioner of Canada", {
    "PIPEDA-01": "PIPEDA Sch. 1, 4.8.2(a)", "PIPEDA-02": "PIPEDA Sch. 1, 4.8.2(b)",
    "PIPEDA-03": "PIPEDA Sch. 1, 4.8.2(c)", "PIPEDA-04": "PIPEDA Sch. 1, 4.2",
    "PIPEDA-05": "PIPEDA Sch. 1, 4.3", "PIPEDA-06": "PIPEDA Sch. 1, 4.8.2(e)",
    "PIPEDA-07": "PIPEDA Sch. 1, 4.10", "openness": "PIPEDA Sch. 1, 4.8.1",
    "cookies": "OPC online behavioural advertising guidance (2021), under PIPEDA"})
# Sections read in each Act's table of contents (BC: SBC 2003 c. 63, Bill 38 as passed; Alberta: SA 2003
# c. P-6.5) and the commissioners' guides for organizations: s.4-5 (BC) and s.5-6 (Alberta) accountability
# and policies available on request, consent with implied (BC s.8) or deemed (Alberta s.8) consent and
# withdrawal (s.9 in both), notice of purposes at collection (BC s.10, Alberta s.13), access and
# correction (BC s.23-24, Alberta s.24-25), complaints to the commissioner (BC s.46, Alberta s.36).
PIPA_BC = CanadianLaw("PIPA BC", "oipc_bc", "Information and Privacy Commissioner for British Columbia", {
    "PIPEDA-01": "PIPA BC s.4(3), s.4(5)", "PIPEDA-02": "PIPA BC s.5(c), s.23",
    "PIPEDA-03": "PIPA BC s.5(c)", "PIPEDA-04": "PIPA BC s.10",
    "PIPEDA-05": "PIPA BC s.6-9", "PIPEDA-06": "PIPA BC s.5(c)",
    "PIPEDA-07": "PIPA BC s.5(b), s.46", "openness": "PIPA BC s.5",
    "cookies": "PIPA BC s.6-10 (consent and notice of purposes, for tracking that collects personal information)"})
PIPA_AB = CanadianLaw("PIPA Alberta", "oipc_alberta", "Information and Privacy Commissioner of Alberta", {
    "PIPEDA-01": "PIPA Alberta s.5(3), s.13(1)(b)", "PIPEDA-02": "PIPA Alberta s.6(2), s.24",
    "PIPEDA-03": "PIPA Alberta s.6(2)", "PIPEDA-04": "PIPA Alberta s.13(1)(a)",
    "PIPEDA-05": "PIPA Alberta s.7-9", "PIPEDA-06": "PIPA Alberta s.6(2)",
    "PIPEDA-07": "PIPA Alberta s.6(2), s.36", "openness": "PIPA Alberta s.6",
    "cookies": "PIPA Alberta s.7-8, s.13 (consent and notice of purposes, for tracking that collects personal information)"})
# Quebec: P-39.1 as amended by Law 25 (checklist, Quebec; the QC-* rules are in quebec.py). Read on
# LégisQuébec, versions in force since Sept 22, 2023: s.3.2 (governance policies that provide a process
# for dealing with complaints, published in clear and simple terms), s.8 (at collection: purposes, means,
# rights of access and rectification, withdrawal of consent, third persons or their categories,
# communication outside Québec), s.28.1 (cessation of dissemination and de-indexation), and a table of
# contents (Division V, recourse: examination of disagreements from s.42; Division VII, inquiries from
# s.81); s.3.1 (the person in charge, title and contact information on the website) as quoted by
# commentators. *verify*, as the checklist marks them, not read in the Act's own text: s.8.1 and s.8.2
# (read through the public-sector Act's twin, A-2.1 s.65.0.1, and the Commission's guide), s.27 (access,
# and computerized information in a structured, commonly used format), s.28 (rectification), s.42 ff.
# De-indexation and portability (s.28.1, s.27) have no PIPEDA-0x element: they are QC-06's.
P39_1 = CanadianLaw("P-39.1 (Quebec)", "cai_quebec", "Commission d'accès à l'information du Québec", {
    "PIPEDA-01": "P-39.1 s.3.1", "PIPEDA-02": "P-39.1 s.8, s.27, s.28 (verify)",
    "PIPEDA-03": "P-39.1 s.8, s.8.2", "PIPEDA-04": "P-39.1 s.8",
    "PIPEDA-05": "P-39.1 s.8 (withdrawal of consent)", "PIPEDA-06": "P-39.1 s.8 (third persons or their categories)",
    "PIPEDA-07": "P-39.1 s.3.2, s.42 ff. (verify)", "openness": "P-39.1 s.8.2",
    "cookies": "P-39.1 s.8.1 (technology that identifies, locates or profiles: told, and off by default)"})
PROVINCIAL = {"BC": PIPA_BC, "AB": PIPA_AB, "QC": P39_1}


def canadian_law(c: Clinic) -> CanadianLaw:
    return PROVINCIAL.get(c.jurisdiction.region, PIPEDA)


def federal_assistance(c: Clinic) -> Optional[bool]:
    return stated(c, "regimes.federal_financial_assistance")


def cookie_laws(ctx: Context) -> list[str]:
    """The laws behind a cookie table (checklist, Cookie notice): none mandates one, these make it the
    expected form, and only those that apply to the clinic are cited."""
    c, out = ctx.clinic, []
    if us(c):
        if stated(c, "regimes.ccpa"):
            out.append("CCPA 'sharing' (Cal. Civ. Code §1798.140(ah))")
        if stated(c, "regimes.caloppa"):
            out.append("CalOPPA, Cal. Bus. & Prof. Code §22575(b)(6)")
        if stated(c, "regimes.colorado_privacy_act"):
            out.append("Colorado, 4 CCR 904-3 Rule 6.03")
    elif canadian(c):
        out.append(canadian_law(c).sections["cookies"])
    return out
