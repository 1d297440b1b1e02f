"""The API's response models, derived from the views' declarations of the JSON documents.

The routes answer the documents of :mod:`sop_engine.views` as they are (``JSONResponse``);
``/openapi.json`` describes them with pydantic models that :func:`model_of` builds from the same
``TypedDict`` s, so each field is declared once: its name, its type (an
:data:`~sop_engine.views.fields.Instant` becomes a ``date-time`` string, a status StrEnum the list of
its values, a nested document its own model) and its description
(:class:`~sop_engine.views.fields.Doc`). The models forbid extra keys, and a test validates the
API's answers against them.
"""

from __future__ import annotations

import enum
import functools
import operator
import types
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model

from sop_engine.views.fields import Doc, Format

#: The Python type pydantic validates a formatted string field with.
_FORMATS: dict[str, Any] = {"date-time": AwareDatetime, "date": date}

_models: dict[type, type[BaseModel]] = {}


def model_of(shape: type) -> type[BaseModel]:
    """The model of the ``TypedDict`` ``shape``, named like it with ``Out`` for ``Json``
    (``CaseJson`` -> ``CaseOut``); each shape gets one model, however often it is nested."""
    if shape not in _models:
        fields: dict[str, Any] = {
            name: _field(hint) for name, hint in get_type_hints(shape, include_extras=True).items()
        }
        _models[shape] = create_model(
            _name(shape), __config__=ConfigDict(extra="forbid"), __doc__=shape.__doc__, **fields
        )
    return _models[shape]


def _name(shape: type) -> str:
    return shape.__name__.removesuffix("Json") + "Out"


def _field(hint: Any) -> tuple[Any, Any]:
    """A required field: its type and its description (the first :class:`Doc`, if any)."""
    docs = [m.text for m in get_args(hint)[1:] if isinstance(m, Doc)] if get_origin(hint) is Annotated else []
    return _type(hint), Field(description=docs[0] if docs else None)


def _type(hint: Any) -> Any:
    """The type pydantic validates a field of type ``hint`` with."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        formats = [m.name for m in args[1:] if isinstance(m, Format)]
        return _FORMATS[formats[0]] if formats else _type(args[0])
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, (_type(arg) for arg in args))
    if origin is list:
        return list[_type(args[0])]  # type: ignore[misc]  # a type built at run time
    if is_typeddict(hint):
        return model_of(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return Literal[tuple(member.value for member in hint)]
    return hint
