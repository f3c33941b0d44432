"""A clinic that is itself a Part 2 program (42 CFR 2.11: it holds itself out as providing substance use
disorder diagnosis, treatment or referral for treatment, and is federally assisted) owes its patients
the notice of 42 CFR 2.22, combined with its HIPAA notice or on its own, as it chooses (checklist P2-*).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from .fields import Strict, Text


class Part2Program(Strict):
    """The clinic is a Part 2 program. Leave the whole block out if it is not."""

    notice: Literal["combined", "separate"] = Field(
        description="combined: the Part 2 notice is part of the Notice of Privacy Practices; separate: a notice of its own.")
    program_name: Optional[Text] = Field(None, description="The program's name in the notice's header, if not the clinic's name.")
