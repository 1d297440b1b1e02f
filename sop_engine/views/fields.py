"""What the JSON documents' declarations say about a field beyond its Python type.

A document is a ``TypedDict`` whose fields may be annotated with :class:`Doc` (what the field
means, in Indonesian, for ``/openapi.json``) and typed :data:`Instant` or :data:`Day` (strings on
the wire with a format). The web API reads these to derive its response models
(:func:`sop_engine.web.api_models.model_of`); nothing else needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated


@dataclass(frozen=True)
class Doc:
    """The description of a field in ``/openapi.json``."""

    text: str


@dataclass(frozen=True)
class Format:
    """The JSON Schema ``format`` of a string field."""

    name: str


#: An instant, ISO 8601 with the office's offset ("2021-01-11T08:00:00+07:00"; see ``formatting.iso_local``).
Instant = Annotated[str, Format("date-time")]
#: A calendar date, ISO 8601 ("2021-01-20").
Day = Annotated[str, Format("date")]
