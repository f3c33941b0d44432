"""What a clinic does with information, as the model states it: cookies, safeguards, retention, rights,
requests, consent, complaints, media, sale and collections.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import (
    Field,
)

from .fields import Strict, Text, own_or
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
    SafeguardAgainst,
    SafeguardStandard,
    SaleKind,
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
    on_site: Optional[bool] = None
    in_email: Optional[bool] = Field(None, description="HTML email that reports whether it was opened.")
    collects: list[BeaconData] = Field(default_factory=list)
class Cookies(Strict):
    uses: list[own_or(CookieUse)] = Field(default_factory=list)  # type: ignore[valid-type]
    lifetimes: list[CookieLifetime] = Field(default_factory=list)
    items: list[Cookie] = Field(default_factory=list, description="Every cookie or tracker, for the table.")
    web_beacons: WebBeacons = Field(default_factory=WebBeacons)
    linked_to_identity_when_given: Optional[bool] = Field(None, description="Cookie data can be linked to what a visitor submits.")
    consent_by_using_site: Optional[bool] = Field(None, description="The clinic treats use of the site as agreement to cookies.")
    opt_out: list[CookieOptOut] = Field(default_factory=list)
    blocking_limits_site: Optional[bool] = Field(None, description="Blocking cookies can stop parts of the site from working.")
    honors_gpc: Optional[bool] = Field(None, description="Honours Global Privacy Control signals. Leave out if not stated.")
    honors_do_not_track: Optional[bool] = Field(None, description="Responds to Do Not Track. Leave out if not stated.")
    third_parties_track_across_sites: Optional[bool] = Field(
        None, description="Whether other companies may track visitors across other websites through this site. Leave out if not stated.")
class Safeguards(Strict):
    measures: list[own_or(SafeguardItem)] = Field(default_factory=list)  # type: ignore[valid-type]
    against: list[own_or(SafeguardAgainst)] = Field(default_factory=list, description="What the safeguards protect against, like loss, destruction and misuse.")  # type: ignore[valid-type]
    standards: list[SafeguardStandard] = Field(default_factory=list, description="The standards the safeguards are in line with: state, federal.")
    proportional_to_sensitivity: Optional[bool] = None
    storage: list[StorageLocation] = Field(default_factory=list)
    secure_channels: list[Channel] = Field(default_factory=list, description="Ways of communicating that have set procedures.")
    providers_must_protect: Optional[bool] = Field(None, description="Service providers must keep the data secure.")
    no_guarantee: Optional[bool] = Field(None, description="The clinic says no system is perfectly secure.")
    staff_bound: Optional[bool] = Field(None, description="Everyone working for the clinic must follow the policy.")
class Retention(Strict):
    basis: list[RetentionBasis] = Field(default_factory=list)
    minimum_years_after_last_treatment: Optional[int] = Field(None, ge=1, le=100)
    secure_destruction: Optional[bool] = None
class Minors(Strict):
    adults_only: Optional[bool] = None
    minimum_age: Optional[int] = Field(None, ge=1, le=21, description="Below this age the clinic does not knowingly collect data.")
class Right(Strict):
    right: RightId
    days: Optional[int] = Field(None, ge=1, le=30, description="The clinic's own time to answer, in days, if it states one shorter than the law's.")
    channels: list[Channel] = Field(default_factory=list, description="How to ask. Empty: use the general request channels.")
    in_writing: Optional[bool] = None
    send_to: Optional[Addressee] = None
    fee: Optional[Fee] = None
    id_required: Optional[bool] = None
    timely: Optional[bool] = None
    staff_present_for_originals: Optional[bool] = Field(None, description="Viewing the original record needs a staff member present.")
    fee_for_viewing_originals: Optional[Fee] = None
    refused_only_for_serious_risk: Optional[bool] = None
    correction_method: Optional[CorrectionMethod] = None
    discuss_with_provider_first: Optional[bool] = None
    except_required_by_law: Optional[bool] = None
class Requests(Strict):
    """General ways to exercise any right."""

    channels: list[Channel] = Field(default_factory=list)
    id_required: Optional[bool] = Field(None, description="The clinic asks everyone who makes a request to prove who they are.")
    id_in_person: Optional[bool] = Field(None, description="Someone who comes to the office to make a request brings valid ID.")
class Consent(Strict):
    implied_for: list[own_or(Literal["care", "sharing_with_care_team"])] = Field(default_factory=list)  # type: ignore[valid-type]
    express_for: list[own_or(DisclosurePurpose)] = Field(default_factory=list, description="What needs the patient's express consent.")  # type: ignore[valid-type]
    express_forms: list[Literal["verbal", "written"]] = Field(default_factory=list)
    shares_with_written_consent: Optional[bool] = Field(None, description="Shares information when the patient gives written consent.")
    other_uses_need_written_authorization: Optional[bool] = None
    revocable_in_writing: Optional[bool] = None
    withdrawable: Optional[bool] = None
class Complaints(Strict):
    steps: list[own_or(ComplaintStep)] = Field(default_factory=list, description="Who to go to, in order.")  # type: ignore[valid-type]
    regulators: list[Regulator] = Field(default_factory=list, description="Regulators the clinic names. Templates add the ones each law requires.")
class Media(Strict):
    photos_with_consent: Optional[bool] = None
    never_identify_without_consent: Optional[bool] = None
    promotional_content_featuring_treatments: Optional[bool] = None
    social_media_is_public: Optional[bool] = None
    you_control_social_settings: Optional[bool] = None
    testimonials_need_express_consent: Optional[bool] = None
class Sale(Strict):
    sells_data: Optional[bool] = Field(None, description="Sells or trades personal information.")
    states_no_sale: Optional[bool] = Field(None, description="The clinic says it does not sell or trade it (the same as does_not: [sell, trade]).")
    does_not: list[SaleKind] = Field(default_factory=list, description="What the clinic says it does not do with personal information: sell, trade, rent, share_for_marketing.")
class Collections(Strict):
    credit_bureaus: Optional[bool] = None
    collection_agencies: Optional[bool] = None
    sells_receivables: Optional[bool] = None
    only_as_law_allows_or_you_authorize: Optional[bool] = None
