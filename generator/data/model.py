"""The typed data model of a clinic: every fact a notice can state, and nothing else.

Facts are structured: closed vocabularies (the `Literal` types below) wherever a notice lists things,
so that templates in every language word them in our own plain sentences. Free text is kept for what
is truly particular to one clinic (names, addresses, a provider's name). No file access here.

Every field's description becomes the hover text in an editor through the generated JSON Schema.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import (
    AfterValidator,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)

from .fields import Colour, LogoPath, Phone, Strict, Text
from .notifications import Changes, Notifications
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
    CollectionPurpose,
    Condition,
    ConsentBasis,
    ContactRole,
    Country,
    DisclosurePurpose,
    HealthItem,
    Language,
    MarketingBasis,
    MarketingPurpose,
    OptOutMethod,
    PersonalItem,
    Practice,
    ProviderRole,
    Purpose,
    Recipient,
    Source,
    WebsiteItem,
)

# --------------------------------------------------------------------------------------------------
# Scalars























# --------------------------------------------------------------------------------------------------
# Vocabularies. Each value has a label and, where useful, an explanation in templates/<lang>/labels.yaml.




# --------------------------------------------------------------------------------------------------
# Identity and contact


class Address(Strict):
    """A postal address. Leave out what the clinic has not published."""

    street: Text = Field(description="Street and number, like '1130 Eagleridge Blvd'.")
    unit: Optional[Text] = Field(None, description="Suite or unit, if any.")
    city: Text
    region: Text = Field(description="State or province code, like CO or ON.")
    postal_code: Text = Field(description="ZIP or postal code.")


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

    hipaa_covered_entity: bool = Field(False, description="A US provider that bills health plans electronically: it needs a HIPAA Notice of Privacy Practices.")
    part2_records: bool = Field(False, description="Holds substance use disorder records under 42 CFR part 2.")
    fundraising: bool = Field(False, description="Uses patient information to raise funds.")
    facility_directory: bool = Field(False, description="Keeps a directory of patients in the facility.")
    phipa_custodian: bool = Field(False, description="An Ontario health information custodian under PHIPA (regulated health practitioners).")
    ccpa: bool = Field(False, description="Meets the California CCPA thresholds.")
    caloppa: bool = Field(False, description="Collects personal information online from California residents (CalOPPA).")
    colorado_privacy_act: bool = Field(False, description="Meets the Colorado Privacy Act thresholds.")
    # Checklist version 2 (the compliance check, generator/checks). Leave out what is not known: not
    # stated is neither yes nor no, and the check says so instead of guessing.
    federal_financial_assistance: Optional[bool] = Field(None, description="Receives federal financial assistance (Medicare or Medicaid payments count): Section 1557 then requires a notice of free language help (LANG-01) and the HHS Section 504 rule applies. Leave out if not known.")
    sensitive_use_beyond_permitted: Optional[bool] = Field(None, description="Uses or discloses sensitive personal information (health data is) for purposes beyond those the CCPA regulations allow (§7027(m)): the CCPA then asks for a 'Limit the Use of My Sensitive Personal Information' link (CA-17). Leave out if not known.")


# --------------------------------------------------------------------------------------------------
# What is collected


class _Entry(Strict):
    when: Optional[Condition] = Field(None, description="A condition, like with_consent or if_applicable.")
    via: Optional[Text] = Field(None, description="The service it comes through, like 'Jane App'.")


class PersonalEntry(_Entry):
    item: PersonalItem


class HealthEntry(_Entry):
    item: HealthItem


class WebsiteEntry(_Entry):
    item: WebsiteItem


def _entries(entry: type) -> object:
    # A bare name is shorthand for an entry with no condition: `- name` means `- {item: name}`.
    names = entry.model_fields["item"].annotation

    def normalise(items: list) -> list:
        return [entry(item=v) if isinstance(v, str) else v for v in items]

    return Annotated[
        list[Union[names, entry]],  # type: ignore[valid-type]
        AfterValidator(normalise), AfterValidator(_no_duplicates), Field(default_factory=list),
    ]


def _no_duplicates(items: list) -> list:
    seen = [e.item for e in items]
    dupes = sorted({x for x in seen if seen.count(x) > 1})
    if dupes:
        raise ValueError(f"listed twice: {', '.join(dupes)}")
    return items


class InfoGroup(Strict):
    items: _entries(PersonalEntry)  # type: ignore[valid-type]
    sources: list[Source] = Field(default_factory=list, description="Where this information comes from.")


class HealthGroup(Strict):
    items: _entries(HealthEntry)  # type: ignore[valid-type]
    sources: list[Source] = Field(default_factory=list)


class WebsiteGroup(Strict):
    items: _entries(WebsiteEntry)  # type: ignore[valid-type]
    identifies_you: Optional[bool] = Field(None, description="Whether what the site records on its own identifies the visitor. Leave out if not stated.")
    aggregate_only: bool = Field(False, description="Automatic data is only reviewed in aggregate, never per person.")
    email_used_only_for_stated_purpose: bool = Field(False)
    submissions_not_confidential: bool = Field(False, description="Questions, comments and ideas sent through the site are treated as not confidential.")
    visitors_who_become_patients: bool = Field(False, description="Data from a visitor who becomes a patient is then handled as patient information.")
    other_sites_have_own_policies: bool = Field(False, description="Linked sites have their own privacy policies.")


class Collection(Strict):
    personal: InfoGroup = Field(default_factory=InfoGroup)
    health: HealthGroup = Field(default_factory=HealthGroup)
    website: WebsiteGroup = Field(default_factory=WebsiteGroup)
    limited_to: list[CollectionPurpose] = Field(default_factory=list, description="The clinic collects only what these need.")
    full_list_in_patient_forms: bool = Field(False, description="Patient intake forms describe the information in more detail.")


# --------------------------------------------------------------------------------------------------
# Uses and disclosures


class Uses(Strict):
    care: list[Purpose] = Field(default_factory=list, description="Uses for the patient's care.")
    operations: list[Purpose] = Field(default_factory=list, description="Uses for running the clinic.")


class Marketing(Strict):
    """Marketing messages. Leave `uses` empty if the clinic sends none."""

    uses: list[MarketingPurpose] = Field(default_factory=list)
    basis: MarketingBasis = Field("opt_in", description="opt_in: only with consent. opt_out: unless the patient says no.")
    channels: list[Channel] = Field(default_factory=list)
    on_behalf_of: list[Literal["referral_specialists", "partner_care_providers"]] = Field(
        default_factory=list, description="Others whose services the clinic may tell patients about.")
    opt_out: list[OptOutMethod] = Field(default_factory=list)
    opt_out_any_time: bool = False
    service_messages_continue: bool = Field(False, description="Opting out does not stop messages about the patient's own care or bills.")


class Disclosure(Strict):
    why: DisclosurePurpose
    to: Optional[Recipient] = Field(None, description="Who receives it, if the notice says.")
    consent: ConsentBasis = Field(description="implied, express, written, or not_needed (allowed or required by law).")
    examples: list[Recipient] = Field(default_factory=list, description="Examples of such recipients.")


class ServiceProvider(Strict):
    name: Optional[Text] = Field(None, description="The provider's name, like 'Jane App'. Leave out if the notice names none.")
    role: ProviderRole
    with_consent: bool = Field(False, description="Only used for patients who agreed, like marketing email.")
    business_associate: bool = Field(False, description="Bound by a HIPAA business associate agreement.")
    website: Optional[HttpUrl] = None
    receives: list[Literal["personal", "health", "website"]] = Field(
        default_factory=list, description="What kinds of information the clinic discloses to it (CCPA: CA-18).")


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

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @model_validator(mode="after")
    def _regimes_fit_jurisdiction(self) -> "Clinic":
        r, country = self.regimes, self.jurisdiction.country
        if country != "US":
            for key in ("hipaa_covered_entity", "ccpa", "caloppa", "colorado_privacy_act", "part2_records",
                        "federal_financial_assistance", "sensitive_use_beyond_permitted"):
                if getattr(r, key):
                    raise ValueError(f"@regimes.{key}: applies to US clinics only, and this clinic is in {country}")
        if r.phipa_custodian and (country, self.jurisdiction.region) != ("CA", "ON"):
            raise ValueError("@regimes.phipa_custodian: applies to Ontario (CA, ON) clinics only")
        return self

    @property
    def notices(self) -> list[str]:
        """The notices this clinic publishes, in site order. Jurisdiction decides the set."""
        if self.jurisdiction.country == "US":
            return ["privacy", "cookies", "hipaa"]
        return ["privacy", "cookies"]

    def has_right(self, right: str) -> bool:
        return any(r.right == right for r in self.rights)

    def right(self, right: str) -> Optional[Right]:
        return next((r for r in self.rights if r.right == right), None)




