"""The typed data model of a clinic: every fact a notice can state, and nothing else.

Facts are structured: closed vocabularies (the `Literal` types below) wherever a notice lists things,
so that templates in every language word them in our own plain sentences. Free text is kept for what
is truly particular to one clinic (names, addresses, a provider's name). No file access here.

Every field's description becomes the hover text in an editor through the generated JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import (
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)

from . import notice_kinds
from .collection import Collection  # what is collected: its own module
from .consumer_health import ConsumerHealth  # newnotices: CHD-*
from .joint import JointNotice  # realclinics: one NPP for several practices
from .fields import Colour, LogoPath, OwnText, Phone, Strict, Text, own_or, own_words
from .notifications import Changes, Notifications
from .part2 import Part2Program  # newnotices: P2-*
from .quebec import Quebec  # newnotices: QC-*
from .practices import (
    Collections,
    Complaints,
    Consent,
    Cookies,
    Media,
    Minors,
    Requests,
    Retention,
    Right,
    Safeguards,
    Sale,
)
from .vocab import (
    CA_PROVINCES,
    US_STATES,
    Channel,
    ConsentBasis,
    ContactRole,
    Country,
    DisclosurePurpose,
    Language,
    MarketingBasis,
    MarketingPurpose,
    OptOutMethod,
    Practice,
    ProviderRole,
    Purpose,
    Recipient,
)

NoticeKindName = Literal[notice_kinds.KEYS]  # type: ignore[valid-type]  # generator/data/notice_kinds.py

# --------------------------------------------------------------------------------------------------
# Identity and contact


class Address(Strict):
    """A postal address. Leave out what the clinic has not published."""

    street: Optional[Text] = Field(None, description="Street and number, like '1130 Eagleridge Blvd'. Leave out if not published.")
    unit: Optional[Text] = Field(None, description="Suite or unit, if any.")
    city: Text
    region: Text = Field(description="State or province code, like CO or ON.")
    postal_code: Optional[Text] = Field(None, description="ZIP or postal code, if published.")

    @property
    def line(self) -> str:
        """The address on one line, with only the parts the clinic published."""
        head = ", ".join(p for p in (self.street, self.unit, self.city) if p)
        return f"{head}, {self.region}" + (f" {self.postal_code}" if self.postal_code else "")


class Contact(Strict):
    """How the public reaches the clinic."""

    address: Optional[Address] = None
    phone: Optional[Phone] = None
    fax: Optional[Phone] = None
    email: Optional[EmailStr] = None


class PrivacyContact(Strict):
    """The person or office accountable for privacy, who answers questions and takes complaints."""

    role: ContactRole = Field(description="Who it is, as a role.")
    title: Optional[Text] = Field(None, description="Their title if it is not simply the role, like 'Privacy Officer'.")
    name: Optional[Text] = Field(None, description="Their name, if the clinic publishes it.")
    phone: Optional[Phone] = Field(None, description="If different from the clinic's phone.")
    email: Optional[EmailStr] = Field(None, description="If different from the clinic's email.")
    address: Optional[Address] = Field(None, description="If different from the clinic's address.")
    also: list[ContactRole] = Field(default_factory=list, description="Others patients may ask, like your_physician or staff.")


class Branding(Strict):
    primary_color: Colour = Field("#1b5e7a", description="Main colour of the site, as #rrggbb.")
    logo: Optional[LogoPath] = Field(None, description="A logo file in the clinic's folder, like logo.svg.")


class Jurisdiction(Strict):
    country: Country = Field(description="US or CA.")
    region: Text = Field(description="Two-letter state or province code, like CO, NY or ON.")

    @model_validator(mode="after")
    def _region_in_country(self) -> "Jurisdiction":
        valid = US_STATES if self.country == "US" else CA_PROVINCES
        if self.region not in valid:
            raise ValueError(f"region {self.region!r} is not a code of {self.country}; use one of {', '.join(valid)}")
        return self


class Regimes(Strict):
    """Which privacy laws the clinic says apply to it. They decide which notices it gets and what they must say."""

    hipaa_covered_entity: Optional[bool] = Field(None, description="A US provider that bills health plans electronically: it needs a HIPAA Notice of Privacy Practices.")
    part2_records: Optional[bool] = Field(None, description="Holds substance use disorder records under 42 CFR part 2.")
    fundraising: Optional[bool] = Field(None, description="Uses patient information to raise funds.")
    facility_directory: Optional[bool] = Field(None, description="Keeps a directory of patients in the facility.")
    phipa_custodian: Optional[bool] = Field(None, description="An Ontario health information custodian under PHIPA (regulated health practitioners).")
    ccpa: Optional[bool] = Field(None, description="Meets the California CCPA thresholds.")
    caloppa: Optional[bool] = Field(None, description="Collects personal information online from California residents (CalOPPA).")
    colorado_privacy_act: Optional[bool] = Field(None, description="Meets the Colorado Privacy Act thresholds.")
    pipeda: Optional[bool] = Field(None, description="The clinic says it follows Canada's PIPEDA. Leave out if its notice does not name it.")
    # Checklist version 2 (the compliance check, generator/checks). Leave out what is not known: not
    # stated is neither yes nor no, and the check says so instead of guessing.
    federal_financial_assistance: Optional[bool] = Field(None, description="Receives federal financial assistance (Medicare or Medicaid payments count): Section 1557 then requires a notice of free language help (LANG-01) and the HHS Section 504 rule applies. Leave out if not known.")
    sensitive_use_beyond_permitted: Optional[bool] = Field(None, description="Uses or discloses sensitive personal information (health data is) for purposes beyond those the CCPA regulations allow (§7027(m)): the CCPA then asks for a 'Limit the Use of My Sensitive Personal Information' link (CA-17). Leave out if not known.")


# --------------------------------------------------------------------------------------------------
# Uses and disclosures


class Uses(Strict):
    care: list[own_or(Purpose)] = Field(default_factory=list, description="Uses for the patient's care.")  # type: ignore[valid-type]
    operations: list[own_or(Purpose)] = Field(default_factory=list, description="Uses for running the clinic.")  # type: ignore[valid-type]
    treatment_example: Optional[OwnText] = Field(
        None, description="The clinic's own example of sharing for treatment, one text for each language it lists, "
        "like {en: 'We may share information with an oral surgeon, to decide whether surgery is needed.'}")


class Marketing(Strict):
    """Marketing messages. Leave `uses` empty if the clinic sends none."""

    uses: list[own_or(MarketingPurpose)] = Field(default_factory=list)  # type: ignore[valid-type]
    basis: Optional[MarketingBasis] = Field(None, description="opt_in: only with consent. opt_out: unless the patient says no. Leave out if not stated.")
    channels: list[Channel] = Field(default_factory=list)
    on_behalf_of: list[Literal["referral_specialists", "partner_care_providers"]] = Field(
        default_factory=list, description="Others whose services the clinic may tell patients about.")
    opt_out: list[own_or(OptOutMethod)] = Field(default_factory=list)  # type: ignore[valid-type]
    opt_out_any_time: Optional[bool] = None
    service_messages_continue: Optional[bool] = Field(None, description="Opting out does not stop messages about the patient's own care or bills.")


class Disclosure(Strict):
    why: Optional[DisclosurePurpose] = Field(None, description="Why it is shared. Or `own` instead, in the clinic's own words.")
    own: Optional[OwnText] = Field(None, description="Why it is shared, in the clinic's own words, instead of `why`: one text for each language it lists.")
    to: Optional[Recipient] = Field(None, description="Who receives it, if the notice says.")
    consent: Optional[ConsentBasis] = Field(None, description="implied, express, written, or not_needed (allowed or required by law). Leave out if the notice does not say.")
    examples: list[own_or(Recipient)] = Field(default_factory=list, description="Examples of such recipients.")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _why_or_own(self) -> "Disclosure":
        if (self.why is None) == (self.own is None):
            raise ValueError("give either why (a listed purpose) or own (the clinic's own words), not both or neither")
        return self


class ServiceProvider(Strict):
    name: Optional[Text] = Field(None, description="The provider's name, like 'Jane App'. Leave out if the notice names none.")
    role: Optional[ProviderRole] = Field(None, description="What it does for the clinic. Or `own` instead, in the clinic's own words.")
    own: Optional[OwnText] = Field(None, description="What it does, in the clinic's own words, instead of `role`: one text for each language it lists.")
    with_consent: Optional[bool] = Field(None, description="Only used for patients who agreed, like marketing email.")
    business_associate: Optional[bool] = Field(None, description="Bound by a HIPAA business associate agreement.")
    website: Optional[HttpUrl] = None
    receives: list[Literal["personal", "health", "website"]] = Field(
        default_factory=list, description="What kinds of information the clinic discloses to it (CCPA: CA-18).")

    @model_validator(mode="after")
    def _role_or_own(self) -> "ServiceProvider":
        if (self.role is None) == (self.own is None):
            raise ValueError("give either role (a listed role) or own (the clinic's own words), not both or neither")
        return self


# --------------------------------------------------------------------------------------------------
# Cookies and trackers








# --------------------------------------------------------------------------------------------------
# Safeguards, retention, rights, consent, complaints, and the rest






















class LanguageAssistance(Strict):
    """Free language help the clinic offers (Section 1557 taglines, checklist LANG-01)."""

    languages: list[Language] = Field(min_length=1, description="Languages in which help is offered; a tagline is shown in each.")
    phone: Optional[Phone] = Field(None, description="Number to call for help; the clinic's phone if left out.")


class RelatedOrganization(Strict):
    name: Text = Field(description="A related organization, such as a parent company or a sister clinic.")
    shares: list[Literal["personal", "health", "website"]] = Field(
        default_factory=list, description="What kinds of information the clinic shares with it.")
















# --------------------------------------------------------------------------------------------------


class Clinic(Strict):
    """One clinic: the facts its privacy notices state."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, strict=True,
                              json_schema_extra={"additionalProperties": False})

    schema_: Optional[str] = Field(None, alias="$schema", description="Path of the JSON Schema, for editors.")
    group: Optional[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]] = Field(
        None, description="A group file in groups/ whose values this clinic shares.")
    name: Text = Field(description="The name patients know.")
    chosen_notices: Optional[list[NoticeKindName]] = Field(
        None, alias="notices", description="The notices the clinic publishes, like [privacy, cookies, hipaa], or "
        "[combined, cookies] for one page holding the website policy and the Notice of Privacy Practices. Leave "
        "out for the usual set: the privacy policy, a cookie notice if the data lists cookies or trackers, and "
        "in the US the Notice of Privacy Practices.")
    legal_name: Optional[Text] = None
    practice: Practice
    site_url: Optional[HttpUrl] = Field(None, description="Where this notices site is published, for canonical links.")
    clinic_website: Optional[HttpUrl] = Field(None, description="The clinic's main website.")
    languages: list[Language] = Field(default_factory=lambda: ["en"], min_length=1)
    branding: Branding = Field(default_factory=Branding)
    jurisdiction: Jurisdiction
    regimes: Regimes = Field(default_factory=Regimes)
    contact: Contact = Field(default_factory=Contact)
    privacy_contact: Optional[PrivacyContact] = None
    collection: Collection = Field(default_factory=Collection)
    uses: Uses = Field(default_factory=Uses)
    marketing: Marketing = Field(default_factory=Marketing)
    disclosures: list[Disclosure] = Field(default_factory=list)
    service_providers: list[ServiceProvider] = Field(default_factory=list)
    language_assistance: Optional[LanguageAssistance] = None
    related_organizations: list[RelatedOrganization] = Field(
        default_factory=list, description="Related organizations information is shared with (PIPEDA 4.8.2(e)).")
    cookies: Cookies = Field(default_factory=Cookies)
    safeguards: Safeguards = Field(default_factory=Safeguards)
    retention: Retention = Field(default_factory=Retention)
    minors: Minors = Field(default_factory=Minors)
    requests: Requests = Field(default_factory=Requests)
    rights: list[Right] = Field(default_factory=list)
    consent: Consent = Field(default_factory=Consent)
    complaints: Complaints = Field(default_factory=Complaints)
    media: Media = Field(default_factory=Media)
    sale: Sale = Field(default_factory=Sale)
    collections: Collections = Field(default_factory=Collections)
    changes: Changes = Field(default_factory=Changes)
    notifications: Notifications = Field(default_factory=Notifications)
    # newnotices (checklist v2): consumer health data, a Part 2 program's notice, Quebec.
    consumer_health: Optional[ConsumerHealth] = Field(None, description="Health data collected outside HIPAA from WA, NV or CT consumers: a consumer health data privacy policy.")
    part2_program: Optional[Part2Program] = Field(None, description="The clinic is itself a 42 CFR Part 2 program: the notice of 42 CFR 2.22.")
    quebec: Optional[Quebec] = Field(None, description="What a Quebec privacy notice states (P-39.1).")
    joint_notice: Optional[JointNotice] = Field(None, description="One HIPAA notice for several practices: the practices it covers.")

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @model_validator(mode="after")
    def _own_words_in_every_language(self) -> "Clinic":
        # The clinic's own words stand in for our sentences' values: each needs every language the notices are in.
        want = set(self.languages)
        for path, words in own_words(self):
            have = set(words)
            if have != want:
                missing, extra = sorted(want - have), sorted(have - want)
                what = (f"has no text for {', '.join(missing)}" if missing else "") + \
                       ("; " if missing and extra else "") + (f"has text for {', '.join(extra)}, which the clinic does not list" if extra else "")
                raise ValueError(f"@{path}: the clinic's own words {what} (languages: {', '.join(self.languages)})")
        return self

    @model_validator(mode="after")
    def _regimes_fit_jurisdiction(self) -> "Clinic":
        r, country = self.regimes, self.jurisdiction.country
        if country != "US":
            for key in ("hipaa_covered_entity", "ccpa", "caloppa", "colorado_privacy_act", "part2_records",
                        "federal_financial_assistance", "sensitive_use_beyond_permitted"):
                if getattr(r, key):
                    raise ValueError(f"@regimes.{key}: applies to US clinics only, and this clinic is in {country}")
        if country != "US" and (self.consumer_health or self.part2_program):  # newnotices
            raise ValueError(f"@{'consumer_health' if self.consumer_health else 'part2_program'}: applies to US clinics only, and this clinic is in {country}")
        if self.part2_program and not r.part2_records:  # newnotices
            raise ValueError("@regimes.part2_records: a Part 2 program holds Part 2 records; write part2_records: true")
        if country != "US" and self.joint_notice:  # realclinics
            raise ValueError(f"@joint_notice: a HIPAA notice for several practices is for US clinics only, and this clinic is in {country}")
        if self.quebec and country != "CA":  # newnotices
            raise ValueError(f"@quebec: applies to Canadian clinics only, and this clinic is in {country}")
        if r.phipa_custodian and (country, self.jurisdiction.region) != ("CA", "ON"):
            raise ValueError("@regimes.phipa_custodian: applies to Ontario (CA, ON) clinics only")
        return self

    @model_validator(mode="after")
    def _notices_fit(self) -> "Clinic":
        if self.chosen_notices is not None:
            for index, message in notice_kinds.choice_problems(self.chosen_notices, country=self.jurisdiction.country,
                                                               regimes=self.regimes, facts=notice_kinds.facts_of(self))[:1]:
                raise ValueError(f"@notices{'' if index is None else f'.{index}'}: {message}")
        return self

    @property
    def notices(self) -> list[str]:
        """The notices this clinic publishes, in site order: those it lists under `notices`, else the
        usual set for its country and data (generator/data/notice_kinds.py)."""
        if self.chosen_notices is not None:
            return notice_kinds.in_site_order(self.chosen_notices)
        return notice_kinds.default_notices(self.jurisdiction.country, notice_kinds.facts_of(self))

    @property
    def uses_cookies(self) -> bool:
        return "uses_cookies" in notice_kinds.facts_of(self)

    def publishes(self, notice: str) -> bool:
        """Whether one of its notices is, or holds, `notice` (a combined notice holds privacy and hipaa)."""
        return notice in self.holders() or notice_kinds.publishes(self.notices, notice)

    def holders(self) -> dict[str, str]:
        return notice_kinds.clinic_holders(self)

    def has_right(self, right: str) -> bool:
        return any(r.right == right for r in self.rights)

    def right(self, right: str) -> Optional[Right]:
        return next((r for r in self.rights if r.right == right), None)
