"""Quebec's private-sector law (P-39.1, as amended by Law 25; checklist QC-01 … QC-08): what a Quebec
clinic's privacy notice must say besides the federal openness items, and the facts it says them from.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from .fields import Strict, Text

CollectionMeans = Literal["forms", "website", "phone", "in_person", "email", "booking_service"]
VOCABULARIES: dict[str, object] = {"collection_means": CollectionMeans}


class Quebec(Strict):
    """Facts a Quebec privacy notice states (P-39.1 s. 8). Leave out what the clinic has not stated."""

    collection_means: list[CollectionMeans] = Field(min_length=1, description="How the clinic collects personal information.")
    outside_quebec: Optional[bool] = Field(
        None, description="Whether personal information may be communicated outside Quebec (to a provider abroad, for example).")
    outside_quebec_where: list[Text] = Field(default_factory=list, description="Where it may go, like 'Ontario' or 'the United States'.")
    r22_1: Optional[bool] = Field(
        None, description="Whether the clinic's health records fall under the Act respecting health and social "
                          "services information (R-22.1). Leave out while not known: the check warns.")


def in_quebec(clinic: object) -> bool:
    """Whether Quebec's law applies to the clinic: it is in Quebec, or its data has a `quebec` block."""
    j = clinic.jurisdiction  # type: ignore[attr-defined]
    return (j.country, j.region) == ("CA", "QC") or getattr(clinic, "quebec", None) is not None
