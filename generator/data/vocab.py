"""The vocabularies: every value a list in clinic.yaml may hold, as the data model's types.

Each value is worded in every shipped language (templates/<lang>/labels.yaml), so that a template can
state the fact in the patient's language; `VOCABULARIES` lists them for `notices new` and the checks.
"""

from __future__ import annotations

from typing import Literal

from . import notice_kinds

Country = Literal["US", "CA"]
US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP"
).split()
CA_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT".split()
Practice = Literal[
    "medical_spa", "dental_practice", "skin_care_clinic", "physician_practice", "physiotherapy_clinic",
    "chiropractic_clinic", "optometry_clinic", "mental_health_practice", "multidisciplinary_clinic",
    "dermatology_practice",
]
Language = Literal["en", "es", "fr"]
PersonalItem = Literal[
    "name", "contact_details", "mailing_address", "phone_or_fax", "email_address", "date_of_birth",
    "age_verification", "government_id", "emergency_contact", "insurance", "insurance_policy_number",
    "payment_card", "communication_preferences", "health_card_number", "payment_information",
    "phone_number",  # realclinics
]
HealthItem = Literal[
    "medical_history", "current_medications", "prescriptions", "past_treatments", "allergies",
    "medical_conditions", "symptoms", "diagnosis", "test_results", "reports_and_treatment",
    "treatment_preferences", "contraindications", "photos", "before_after_photos", "video_recordings",
    "treatment_notes", "dental_records", "consent_forms",
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
    "service_updates", "contact_about_billing", "telehealth",
]
MarketingPurpose = Literal[
    "promotions", "special_offers", "new_services_and_events", "educational_content",
    "satisfaction_surveys", "partner_offers", "product_news",
]
MarketingBasis = Literal["opt_in", "opt_out"]
OptOutMethod = Literal[
    "unsubscribe_link", "tell_us", "written_request", "update_preferences", "ask_to_be_removed",
    "reply_stop",  # realclinics
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
    "messaging",  # realclinics: LeadAR (MD Aesthetics), RingCentral (Clover Family Clinic)
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
Channel = Literal["email", "phone", "in_person", "mail", "fax", "courier", "patient_portal",
                  "text_message"]  # realclinics: text_message
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
Regulator = Literal["hhs", "ipc_ontario", "opc_canada", "oipc_bc", "oipc_alberta", "cai_quebec"]
CollectionPurpose = Literal["provide_care", "administer_care", "communicate_with_you"]
SaleKind = Literal["sell", "trade", "rent", "share_for_marketing"]
InformationForm = Literal["oral", "written", "electronic"]
Service = Literal["injectables", "hormone_therapy", "weight_loss_medicines"]
SafeguardAgainst = Literal["loss", "theft", "destruction", "misuse", "unauthorized_access"]
SafeguardStandard = Literal["state", "federal"]
ContactRole = Literal["privacy_officer", "your_physician", "staff", "office_administrator"]
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
    "contact_role": ContactRole, "country": Country, "sale_kind": SaleKind,
    "information_form": InformationForm, "service": Service, "safeguard_against": SafeguardAgainst,
    "safeguard_standard": SafeguardStandard,
    "info_kind": Literal["personal", "health", "website"],
    "notice_kind": Literal[notice_kinds.KEYS],  # type: ignore[valid-type]  # clinic.yaml's `notices`
}
def vocabulary(name: str) -> tuple[str, ...]:
    return VOCABULARIES[name].__args__  # type: ignore[attr-defined]
