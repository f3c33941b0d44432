"""The typed data model of a clinic: every fact a notice can state, and nothing else.

Facts are structured: closed vocabularies (the `Literal` types below) wherever a notice lists things,
so that templates in every language word them in our own plain sentences. Free text is kept for what
is truly particular to one clinic (names, addresses, a provider's name). No file access here.

Every field's description becomes the hover text in an editor through the generated JSON Schema.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Optional, Union

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)

# --------------------------------------------------------------------------------------------------
# Scalars


def _no_control_chars(value: str) -> str:
    # Single-line text lands inline in Markdown and HTML; a newline could start a heading or list.
    if re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError("must be a single line of text without control characters")
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


# --------------------------------------------------------------------------------------------------
# Vocabularies. Each value has a label and, where useful, an explanation in templates/<lang>/labels.yaml.

Country = Literal["US", "CA"]
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
).split()
CA_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split()

Practice = Literal[
    "medical_spa", "dental_practice", "skin_care_clinic", "physician_practice", "physiotherapy_clinic",
    "chiropractic_clinic", "optometry_clinic", "mental_health_practice", "multidisciplinary_clinic",
]
Language = Literal["en", "es", "fr"]
PersonalItem = Literal[
    "name", "contact_details", "mailing_address", "phone_or_fax", "email_address", "date_of_birth",
    "age_verification", "government_id", "emergency_contact", "insurance", "insurance_policy_number",
    "payment_card", "communication_preferences",
]
HealthItem = Literal[
    "medical_history", "current_medications", "prescriptions", "past_treatments", "allergies",
    "medical_conditions", "symptoms", "diagnosis", "test_results", "reports_and_treatment",
    "treatment_preferences", "contraindications", "photos", "before_after_photos", "video_recordings",
    "treatment_notes", "dental_records",
]
WebsiteItem = Literal[
    "ip_address", "browser_type", "operating_system", "device_information", "isp_domain",
    "usage_patterns", "preferences", "click_stream", "cookies", "booking_history", "app_usage",
    "email_submitted", "questions_and_feedback",
]
Source = Literal["you", "your_other_providers", "your_insurer", "our_website", "booking_platform"]
Condition = Literal["with_consent", "if_applicable", "sometimes", "when_you_provide_it"]
Purpose = Literal[
    "provide_treatment", "keep_medical_records", "schedule_appointments", "appointment_reminders",
    "aftercare_instructions", "monitor_outcomes", "recommend_treatment", "communicate_about_services",
    "process_procedures", "refer_to_specialists", "respond_to_inquiries", "follow_up_on_visit",
    "process_payments", "insurance_claims", "billing", "legal_compliance", "improve_services",
    "quality_assurance", "administration", "count_visitors", "improve_website", "website_security",
    "service_updates", "contact_about_billing",
]
MarketingPurpose = Literal[
    "promotions", "special_offers", "new_services_and_events", "educational_content",
    "satisfaction_surveys", "partner_offers", "product_news",
]
MarketingBasis = Literal["opt_in", "opt_out"]
OptOutMethod = Literal[
    "unsubscribe_link", "tell_us", "written_request", "update_preferences", "ask_to_be_removed",
]
Recipient = Literal[
    "other_health_care_providers", "specialists", "pharmacists", "laboratories", "health_plans",
    "public_health_authorities", "driver_licensing_authority", "courts", "law_enforcement",
    "government_officials", "health_oversight_agencies", "people_involved_in_your_care",
    "disaster_relief_organizations", "military_authorities", "national_security_officials",
    "protective_services", "business_associates", "vendors", "shipping_companies", "credit_bureaus",
    "collection_agencies", "third_party_examiners", "researchers", "public", "regulators",
]
DisclosurePurpose = Literal[
    "treatment", "payment", "health_care_operations", "billing", "infectious_disease_reports",
    "fitness_to_drive_reports", "court_order", "legal_process", "required_by_law",
    "serious_threat", "public_health", "abuse_or_neglect_reports", "audits_and_inspections",
    "emergency_or_disaster", "military_duties", "national_security", "protection_of_officials",
    "services_to_us", "shipping", "collect_payment", "independent_medical_exam", "clinical_trials",
    "photos_and_testimonials", "investigations", "protect_our_rights",
]
ConsentBasis = Literal["implied", "express", "written", "not_needed"]
ProviderRole = Literal[
    "scheduling", "payment_processing", "email_marketing", "social_media", "practice_management",
    "website_hosting", "data_storage", "analytics", "advertising", "shipping",
]
CookieType = Literal["cookie", "local_storage", "pixel", "web_beacon", "sdk"]
CookieCategory = Literal["strictly_necessary", "preferences", "analytics", "marketing"]
CookieUse = Literal["remember_preferences", "analytics", "personalized_ads", "security", "site_function",
                    "enhance_experience", "store_technical_information"]
CookieLifetime = Literal["session", "persistent"]
BeaconData = Literal["ip_address", "page_url", "time_viewed", "browser_type", "cookie_id"]
CookieOptOut = Literal["browser_settings", "plain_text_email", "site_settings"]
SafeguardItem = Literal[
    "encryption_in_transit", "encryption_at_rest", "access_controls", "passwords",
    "security_assessments", "staff_training", "secure_disposal", "physical_access_limits",
    "physical_safeguards", "technical_safeguards", "administrative_safeguards",
    "card_data_only_for_billing", "web_encryption",
]
StorageLocation = Literal["our_systems", "service_providers"]
Channel = Literal["email", "phone", "in_person", "mail", "fax", "courier", "patient_portal"]
RetentionBasis = Literal["care", "law", "professional_rules", "business_purposes"]
RightId = Literal[
    "access", "copy", "correction", "restriction", "confidential_communications", "accounting",
    "paper_copy", "withdraw_consent", "opt_out_marketing", "delete", "state_law_rights",
]
Fee = Literal["none", "reasonable", "cost_based"]
Addressee = Literal["privacy_contact", "responsible_physician", "your_provider", "office_administrator", "staff"]
CorrectionMethod = Literal["amend_record", "add_note"]
ChangeChannel = Literal["website", "email", "in_office"]
ComplaintStep = Literal["privacy_contact", "your_provider", "office_administrator"]
Regulator = Literal["hhs", "ipc_ontario", "opc_canada"]
CollectionPurpose = Literal["provide_care", "administer_care", "communicate_with_you"]
ContactRole = Literal["privacy_officer", "your_physician", "staff", "office_administrator"]


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


# --------------------------------------------------------------------------------------------------
# Cookies and trackers


class Cookie(Strict):
    name: Text
    provider: Text = Field(description="Who sets it: the clinic's own site, or a third party's name.")
    purpose: CookieUse
    duration: Text = Field(description="How long it lasts, like 'session' or '1 year'.")
    party: Literal["first", "third"]
    type: CookieType = "cookie"
    category: CookieCategory
    pages: list[Literal["all", "booking", "patient_portal", "contact"]] = Field(
        default_factory=lambda: ["all"], description="Where it is set.")
    hosts: list[Text] = Field(
        default_factory=list, description="The hosts its requests go to, like connect.facebook.net (a host covers "
        "its subdomains). Not shown in the notice: `notices scan` matches the site's requests to other sites with them.")


class WebBeacons(Strict):
    on_site: bool = False
    in_email: bool = Field(False, description="HTML email that reports whether it was opened.")
    collects: list[BeaconData] = Field(default_factory=list)


class Cookies(Strict):
    uses: list[CookieUse] = Field(default_factory=list)
    lifetimes: list[CookieLifetime] = Field(default_factory=list)
    items: list[Cookie] = Field(default_factory=list, description="Every cookie or tracker, for the table.")
    web_beacons: WebBeacons = Field(default_factory=WebBeacons)
    linked_to_identity_when_given: bool = Field(False, description="Cookie data can be linked to what a visitor submits.")
    consent_by_using_site: bool = Field(False, description="The clinic treats use of the site as agreement to cookies.")
    opt_out: list[CookieOptOut] = Field(default_factory=list)
    blocking_limits_site: bool = Field(False, description="Blocking cookies can stop parts of the site from working.")
    honors_gpc: Optional[bool] = Field(None, description="Honours Global Privacy Control signals. Leave out if not stated.")
    honors_do_not_track: Optional[bool] = Field(None, description="Responds to Do Not Track. Leave out if not stated.")
    third_parties_track_across_sites: Optional[bool] = Field(
        None, description="Whether other companies may track visitors across other websites through this site. Leave out if not stated.")


# --------------------------------------------------------------------------------------------------
# Safeguards, retention, rights, consent, complaints, and the rest


class Safeguards(Strict):
    measures: list[SafeguardItem] = Field(default_factory=list)
    proportional_to_sensitivity: bool = False
    storage: list[StorageLocation] = Field(default_factory=list)
    secure_channels: list[Channel] = Field(default_factory=list, description="Ways of communicating that have set procedures.")
    providers_must_protect: bool = Field(False, description="Service providers must keep the data secure.")
    no_guarantee: bool = Field(False, description="The clinic says no system is perfectly secure.")
    staff_bound: bool = Field(False, description="Everyone working for the clinic must follow the policy.")


class Retention(Strict):
    basis: list[RetentionBasis] = Field(default_factory=list)
    minimum_years_after_last_treatment: Optional[int] = Field(None, ge=1, le=100)
    secure_destruction: bool = False


class Minors(Strict):
    adults_only: bool = False
    minimum_age: Optional[int] = Field(None, ge=1, le=21, description="Below this age the clinic does not knowingly collect data.")


class Right(Strict):
    right: RightId
    channels: list[Channel] = Field(default_factory=list, description="How to ask. Empty: use the general request channels.")
    in_writing: bool = False
    send_to: Optional[Addressee] = None
    fee: Optional[Fee] = None
    id_required: bool = False
    timely: bool = False
    staff_present_for_originals: bool = Field(False, description="Viewing the original record needs a staff member present.")
    fee_for_viewing_originals: Optional[Fee] = None
    refused_only_for_serious_risk: bool = False
    correction_method: Optional[CorrectionMethod] = None
    discuss_with_provider_first: bool = False
    except_required_by_law: bool = False


class Requests(Strict):
    """General ways to exercise any right."""

    channels: list[Channel] = Field(default_factory=list)
    id_required: bool = False


class Consent(Strict):
    implied_for: list[Literal["care", "sharing_with_care_team"]] = Field(default_factory=list)
    express_for: list[DisclosurePurpose] = Field(default_factory=list, description="What needs the patient's express consent.")
    express_forms: list[Literal["verbal", "written"]] = Field(default_factory=list)
    shares_with_written_consent: bool = Field(False, description="Shares information when the patient gives written consent.")
    other_uses_need_written_authorization: bool = False
    revocable_in_writing: bool = False
    withdrawable: bool = False


class Complaints(Strict):
    steps: list[ComplaintStep] = Field(default_factory=list, description="Who to go to, in order.")
    regulators: list[Regulator] = Field(default_factory=list, description="Regulators the clinic names. Templates add the ones each law requires.")


class Media(Strict):
    photos_with_consent: bool = False
    never_identify_without_consent: bool = False
    promotional_content_featuring_treatments: bool = False
    social_media_is_public: bool = False
    you_control_social_settings: bool = False
    testimonials_need_express_consent: bool = False


class Sale(Strict):
    sells_data: bool = Field(False, description="Sells or trades personal information.")
    states_no_sale: bool = Field(False, description="The clinic says it does not sell or trade it.")


class Collections(Strict):
    credit_bureaus: bool = False
    collection_agencies: bool = False
    sells_receivables: bool = False
    only_as_law_allows_or_you_authorize: bool = False


class LanguageAssistance(Strict):
    """Free language help the clinic offers (Section 1557 taglines, checklist LANG-01)."""

    languages: list[Language] = Field(min_length=1, description="Languages in which help is offered; a tagline is shown in each.")
    phone: Optional[Phone] = Field(None, description="Number to call for help; the clinic's phone if left out.")


class RelatedOrganization(Strict):
    name: Text = Field(description="A related organization, such as a parent company or a sister clinic.")
    shares: list[Literal["personal", "health", "website"]] = Field(
        default_factory=list, description="What kinds of information the clinic shares with it.")


class Changes(Strict):
    channels: list[ChangeChannel] = Field(default_factory=list)


class Smtp(Strict):
    """Where announcement email is sent. The password is read from an environment variable, never a file."""

    host: Text
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    user: Optional[Text] = None
    password_env: Optional[Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$")]] = Field(
        None, description="Name of the environment variable holding the SMTP password, like NOTICES_SMTP_PASSWORD.")


class Notifications(Strict):
    """How changes are announced: site banner, feeds, email to subscribers, an optional webhook."""

    banner_days: int = Field(30, ge=0, le=365, description="Days after a change takes effect that the banner stays.")
    sender: Optional[EmailStr] = Field(None, description="The From address of announcement email.")
    subscribers: Optional[Annotated[str, AfterValidator(_check_csv)]] = Field(
        None, description="A CSV file in the clinic's folder with an `email` column (keep it out of git if it is private).")
    smtp: Optional[Smtp] = Field(None, description="Send by SMTP. Without it, messages are written as .eml files to outbox/<slug>/.")
    webhook: Optional[HttpUrl] = Field(None, description="A URL that receives a JSON POST for each new material version.")


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
            for key in ("hipaa_covered_entity", "ccpa", "caloppa", "colorado_privacy_act", "part2_records"):
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


# Every closed vocabulary, by the key its labels have in templates/<lang>/labels.yaml.
VOCABULARIES: dict[str, object] = {
    "practice": Practice, "language": Language, "personal_item": PersonalItem, "health_item": HealthItem,
    "website_item": WebsiteItem, "source": Source, "condition": Condition, "purpose": Purpose,
    "marketing_purpose": MarketingPurpose, "marketing_partner": Literal["referral_specialists", "partner_care_providers"],
    "opt_out_method": OptOutMethod, "recipient": Recipient, "disclosure_purpose": DisclosurePurpose,
    "consent_basis": ConsentBasis, "provider_role": ProviderRole, "cookie_type": CookieType,
    "cookie_category": CookieCategory, "cookie_use": CookieUse, "cookie_lifetime": CookieLifetime,
    "beacon_data": BeaconData, "cookie_opt_out": CookieOptOut, "safeguard": SafeguardItem,
    "storage": StorageLocation, "channel": Channel, "retention_basis": RetentionBasis, "right": RightId,
    "fee": Fee, "addressee": Addressee, "correction_method": CorrectionMethod, "change_channel": ChangeChannel,
    "complaint_step": ComplaintStep, "regulator": Regulator, "collection_purpose": CollectionPurpose,
    "contact_role": ContactRole, "country": Country,
    "info_kind": Literal["personal", "health", "website"],
}


def vocabulary(name: str) -> tuple[str, ...]:
    return VOCABULARIES[name].__args__  # type: ignore[attr-defined]
