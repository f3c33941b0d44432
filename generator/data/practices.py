"""What a clinic does with information, as the model states it: cookies, safeguards, retention, rights,
requests, consent, complaints, media, sale and collections.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import (
    Field,
)

from .fields import Strict, Text
from .vocab import (
    Addressee,
    BeaconData,
    Channel,
    ComplaintStep,
    CookieCategory,
    CookieLifetime,
    CookieOptOut,
    CookieType,
    CookieUse,
    CorrectionMethod,
    DisclosurePurpose,
    Fee,
    Regulator,
    RetentionBasis,
    RightId,
    SafeguardItem,
    StorageLocation,
)


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
