"""One HIPAA Notice of Privacy Practices for several practices (affiliated covered entities, 45 CFR
164.520(d)): the notice says which practices it covers. Facts only, like the rest of the model.
"""

from __future__ import annotations

from typing import Optional

from pydantic import Field, HttpUrl

from .fields import Strict, Text


class JointNotice(Strict):
    """The practices one notice covers. Leave out what the notice does not say."""

    practices: list[Text] = Field(min_length=1, description="The legal practices the notice applies to, like 'MI Smiles Dental Cascade PLC'.")
    locations_page: Optional[HttpUrl] = Field(None, description="A page that lists the locations the notice covers.")
    others_have_own_notice: Optional[bool] = Field(
        None, description="Other practices or brands the clinic's website names have their own notice. Leave out if not stated.")
