"""Consumer health data outside HIPAA (checklist CHD-01 … CHD-09): Washington's My Health My Data Act
(RCW 19.373), Nevada's SB 370 (NRS 603A) and Connecticut's CTDPA (Conn. Gen. Stat. §42-515 ff.).

These laws reach by where the consumer is, not by the clinic's size: the data says which of these
states' consumers the clinic serves and what health data it collects outside protected health
information (a booking form, treatment interests, what browsing suggests). A clinic with this block
publishes a consumer health data privacy policy of its own (notice kind `chd`).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, field_validator

from .fields import Strict, Text
from .vocab import Channel

ChdState = Literal["WA", "NV", "CT"]
ChdCategory = Literal[
    "booking_details", "treatment_interests", "symptoms_and_concerns", "health_goals", "photos",
    "medications_and_allergies", "skin_type_and_conditions", "body_measurements", "browsing_inferences",
]
ChdPurpose = Literal[
    "book_appointments", "answer_your_questions", "plan_your_treatment", "check_treatment_is_safe",
    "send_reminders", "improve_our_services",
]
ChdSource = Literal["you", "our_website", "booking_service", "your_other_providers"]
ChdThirdParty = Literal["booking_service", "payment_processor", "email_service", "website_hosting",
                        "your_other_providers"]
# Their labels are in templates/<lang>/health-data.yaml, under these keys.
VOCABULARIES: dict[str, object] = {
    "chd_state": ChdState, "chd_category": ChdCategory, "chd_purpose": ChdPurpose,
    "chd_source": ChdSource, "chd_third_party": ChdThirdParty,
}


def _unique(values: list) -> list:
    if len(set(map(str, values))) != len(values):
        raise ValueError("a value is listed twice")
    return values


class ChdItem(Strict):
    category: ChdCategory = Field(description="A category of consumer health data the clinic collects.")
    purposes: list[ChdPurpose] = Field(min_length=1, description="What the clinic collects and uses it for.")
    shared_with: list[ChdThirdParty] = Field(
        default_factory=list, description="The categories of third parties it is shared with; leave empty if it is not shared.")


class ConsumerHealth(Strict):
    """Health data the clinic collects outside HIPAA from consumers of Washington, Nevada or Connecticut."""

    states: list[ChdState] = Field(min_length=1, description="Whose consumers the clinic serves: WA, NV, CT.")
    collects: list[ChdItem] = Field(min_length=1, description="Each category of consumer health data, its purposes and who it is shared with.")
    sources: list[ChdSource] = Field(min_length=1, description="Where the clinic gets this data.")
    affiliates: list[Text] = Field(default_factory=list, description="Each affiliate it is shared with, by name.")
    sells: Optional[bool] = Field(None, description="Whether the clinic sells consumer health data. Leave out if not stated.")
    requests: list[Channel] = Field(min_length=1, description="How a consumer asks to use a right (access, deletion, withdrawal).")
    appeals: list[Channel] = Field(min_length=1, description="How a consumer appeals a refused request.")
    geofencing: Optional[bool] = Field(
        None, description="Whether the clinic sets a geofence around a place where health care is given, to "
                          "track consumers or send them ads. It may not: RCW 19.373.080.")

    _unique_states = field_validator("states", "sources", "requests", "appeals", "affiliates")(_unique)

    @field_validator("collects")
    @classmethod
    def _unique_categories(cls, value: list[ChdItem]) -> list[ChdItem]:
        return _unique([i.category for i in value]) and value

    @field_validator("geofencing")
    @classmethod
    def _no_geofence(cls, value: Optional[bool]) -> Optional[bool]:
        if value:
            raise ValueError("Washington bans a geofence around a place where in-person health care is given "
                             "(RCW 19.373.080); stop it, then write geofencing: false")
        return value

    def shared(self) -> list[str]:
        """The categories shared with anyone, in the order listed."""
        return [i.category for i in self.collects if i.shared_with]

    def third_parties(self) -> list[str]:
        seen: list[str] = []
        for i in self.collects:
            seen += [t for t in i.shared_with if t not in seen]
        return seen
