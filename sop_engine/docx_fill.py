"""Word documents filled from office-editable templates, under strict rules.

A template is a .docx with Jinja2 tags (docxtpl). A tag the template uses but the caller does
not provide is refused with its name, never printed blank; a template with broken tags is
refused with the parser's reason. The letters (:mod:`sop_engine.documents`) and the draft LKj
(:mod:`sop_engine.lakip.draft`) compute their values and leave the placing to this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage  # type: ignore[import-untyped]  # docxtpl ships no type information

from sop_engine.errors import InvalidInput, NotFound
from sop_engine.remedies import Field

__all__ = ["Picture", "check_template", "fill", "missing_values", "undefined_name"]


@dataclass(frozen=True)
class Picture:
    """An image placed where its tag stands (e.g. the letterhead's logo), ``width_cm`` wide."""

    path: Path
    width_cm: float


def fill(template: Path, values: Mapping[str, Any], out_path: Path) -> Path:
    """Fill ``template`` with ``values`` into ``out_path``; refuse a tag without a value, by name."""
    document = _open_checked(template, values)
    try:
        document.render(_with_images(document, values), _environment())
    except jinja2.UndefinedError as exc:  # e.g. {{ kasus.kode }}: the name exists, the attribute does not
        raise missing_values(template, [undefined_name(exc)], values) from exc
    out_path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out_path))
    return out_path


def check_template(template: Path, values: Mapping[str, Any]) -> None:
    """Refuse a template that is missing, broken, or uses a tag ``values`` does not provide."""
    _open_checked(template, values)


def undefined_name(exc: jinja2.UndefinedError) -> str:
    """The missing name or attribute of Jinja's (English) message, e.g. 'kode'."""
    text = str(exc.message or exc)
    found = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined", text)
    return next((g for g in found.groups() if g), text) if found else text


def missing_values(template: Path, names: Sequence[str], values: Mapping[str, Any]) -> InvalidInput:
    """The refusal of a template that uses ``names``, which ``values`` does not provide."""
    listed = ", ".join(f"'{n}'" for n in names)
    return InvalidInput(
        f"Templat '{template.name}' memakai nilai {listed} yang tidak disediakan sop-engine; nilai yang tersedia: "
        f"{', '.join(sorted(values))}. Perbaiki atau hapus tag itu di templat.",
        value=names[0],
        template=str(template),
    )


def _with_images(document: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with each :class:`Picture` made an image of ``document``."""
    return {
        key: InlineImage(document, str(value.path), width=Cm(value.width_cm)) if isinstance(value, Picture) else value
        for key, value in values.items()
    }


def _environment() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def _open_checked(template: Path, values: Mapping[str, Any]) -> Any:
    if not template.is_file():
        raise NotFound(
            f"Templat '{template}' tidak ditemukan; buat ulang dengan `python documents/build_templates.py` "
            "atau tunjuk templat lain.",
            value=str(template),
            field=Field.TEMPLATE,
        )
    document = DocxTemplate(str(template))
    try:
        missing = sorted(document.get_undeclared_template_variables(_environment(), dict(values)))
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidInput(
            f"Templat '{template.name}' rusak: {exc.message}. Periksa pasangan {{{{ }}}} dan {{% %}} di dokumen "
            "templat itu.",
            value=str(template),
        ) from exc
    if missing:
        raise missing_values(template, missing, values)
    return document
