"""A second office in the database of ``ctx``: KPU Kabupaten Sampang (fictional people), in WITA for the tests.

The same usernames as the demo office, so that every test of separation also shows that a name
means a person of one office only.
"""

from __future__ import annotations

import dataclasses

from sop_engine import offices, people
from sop_engine.context import Context
from sop_engine.demo import DEMO_PEOPLE
from sop_engine.offices import NewOffice

#: The second office's kode satker and name.
OTHER = "3527"
OTHER_NAME = "KPU Kabupaten Sampang"
#: A provincial office over both.
PROVINCE = "3500"


def add_other_office(ctx: Context, parent: str | None = None, zone: str = "WITA") -> Context:
    """Office :data:`OTHER` with the demo people (same usernames, other e-mail addresses); its context."""
    offices.add_office(ctx, NewOffice(OTHER, OTHER_NAME, zone, address="Jl. Fiktif 2, Sampang", parent=parent))
    other = ctx.for_office(OTHER)
    for person in DEMO_PEOPLE:
        email = person.email.replace("bangkalan", "sampang") if person.email else None
        people.add_person(other, dataclasses.replace(person, email=email))
    return other


def add_province(ctx: Context) -> Context:
    """Office :data:`PROVINCE` with one pengawas (``pengawas``), parent of the demo office row; its context."""
    offices.add_office(ctx, NewOffice(PROVINCE, "KPU Provinsi Jawa Timur", "WIB"))
    province = ctx.for_office(PROVINCE)
    people.add_person(province, people.NewPerson("pengawas", "Sri Lestari, S.Sos.", ("pengawas",)))
    return province
