"""What a clinic collects: personal, health and website information, each item a listed value or the
clinic's own words, with its condition and the service it comes through. Part of the model (model.py)."""

from __future__ import annotations

from typing import Annotated, Optional, Union

from pydantic import AfterValidator, Field, model_validator

from .fields import OwnText, Strict, Text, own_or
from .vocab import CollectionPurpose, Condition, HealthItem, InformationForm, PersonalItem, Service, Source, WebsiteItem


class _Entry(Strict):
    when: Optional[Condition] = Field(None, description="A condition, like with_consent or if_applicable.")
    via: Optional[Text] = Field(None, description="The service it comes through, like 'Jane App'.")
    own: Optional[OwnText] = Field(None, description="The item in the clinic's own words, instead of `item`: one text for each language it lists.")

    @model_validator(mode="after")
    def _item_or_own(self) -> "_Entry":
        if (getattr(self, "item", None) is None) == (self.own is None):
            raise ValueError("give either item (a listed value) or own (the clinic's own words), not both or neither")
        return self


class PersonalEntry(_Entry):
    item: Optional[PersonalItem] = None


class HealthEntry(_Entry):
    item: Optional[HealthItem] = None


class WebsiteEntry(_Entry):
    item: Optional[WebsiteItem] = None


def _entries(entry: type) -> object:
    # A bare name is shorthand for an entry with no condition: `- name` means `- {item: name}`.
    names = entry.model_fields["item"].annotation.__args__[0]  # Optional[the vocabulary]

    def normalise(items: list) -> list:
        return [entry(item=v) if isinstance(v, str) else v for v in items]

    return Annotated[
        list[Union[names, entry]],  # type: ignore[valid-type]
        AfterValidator(normalise), AfterValidator(_no_duplicates), Field(default_factory=list),
    ]


def _no_duplicates(items: list) -> list:
    seen = [e.item or " / ".join(e.own.values()) for e in items]
    dupes = sorted({x for x in seen if seen.count(x) > 1})
    if dupes:
        raise ValueError(f"listed twice: {', '.join(dupes)}")
    return items


class InfoGroup(Strict):
    items: _entries(PersonalEntry)  # type: ignore[valid-type]
    sources: list[own_or(Source)] = Field(default_factory=list, description="Where this information comes from.")  # type: ignore[valid-type]


class HealthGroup(Strict):
    items: _entries(HealthEntry)  # type: ignore[valid-type]
    sources: list[own_or(Source)] = Field(default_factory=list)  # type: ignore[valid-type]
    services: list[own_or(Service)] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Services the clinic offers that change what it collects, like injectables.")


class WebsiteGroup(Strict):
    items: _entries(WebsiteEntry)  # type: ignore[valid-type]
    identifies_you: Optional[bool] = Field(None, description="Whether what the site records on its own identifies the visitor. Leave out if not stated.")
    aggregate_only: Optional[bool] = Field(None, description="Automatic data is only reviewed in aggregate, never per person.")
    email_used_only_for_stated_purpose: Optional[bool] = Field(None)
    submissions_not_confidential: Optional[bool] = Field(None, description="Questions, comments and ideas sent through the site are treated as not confidential.")
    visitors_who_become_patients: Optional[bool] = Field(None, description="Data from a visitor who becomes a patient is then handled as patient information.")
    other_sites_have_own_policies: Optional[bool] = Field(None, description="Linked sites have their own privacy policies.")


class Collection(Strict):
    personal: InfoGroup = Field(default_factory=InfoGroup)
    health: HealthGroup = Field(default_factory=HealthGroup)
    website: WebsiteGroup = Field(default_factory=WebsiteGroup)
    limited_to: list[own_or(CollectionPurpose)] = Field(  # type: ignore[valid-type]
        default_factory=list, description="The clinic collects only what these need.")
    forms: list[InformationForm] = Field(default_factory=list, description="The forms the clinic keeps information in: oral, written, electronic.")
    more_at_collection: Optional[bool] = Field(None, description="In some cases the clinic says more about how it handles information when it collects it. Leave out if not stated.")
    full_list_in_patient_forms: Optional[bool] = Field(None, description="Patient intake forms describe the information in more detail.")
