"""The identity page of the SOP document (PermenPAN-RB 35/2012): who issued it, its number and dates,
who approved it (position, name, NIP), its name, then dasar hukum, kualifikasi pelaksana,
keterkaitan, peralatan/perlengkapan, peringatan, pencatatan dan pendataan."""

from __future__ import annotations

from sop_engine.definitions import SopHeader
from sop_engine.formatting import format_date, format_nip
from sop_engine.sopdoc.scene import Box, Page, block_height, text_block, wrap

SIZES = (9.0, 8.0, 7.0, 6.0)  # the identity's text, largest first
PAD = 4.0
MARGIN = 34.0


def _numbered(items: tuple[str, ...]) -> str:
    return "\n".join(f"{index}. {item}" for index, item in enumerate(items, 1)) or "-"


def _signature(header: SopHeader) -> str:
    lines = [header.disahkan_oleh]
    if header.penanda_tangan:
        lines += ["", "", header.penanda_tangan]
    if header.nip:
        lines.append(f"NIP. {format_nip(header.nip)}")
    return "\n".join(lines)


def facts(header: SopHeader) -> list[tuple[str, str]]:
    """The rows at the right of the identity block, as (label, value)."""
    revised = format_date(header.tanggal_revisi) if header.tanggal_revisi else "-"
    effective = header.tanggal_efektif or header.tanggal_pengesahan
    return [
        ("Nomor SOP", header.nomor),
        ("Tanggal Pembuatan", format_date(header.tanggal_pembuatan)),
        ("Tanggal Revisi", revised),
        ("Tanggal Pengesahan", format_date(header.tanggal_pengesahan)),
        ("Tanggal Efektif", format_date(effective)),
        ("Disahkan oleh", _signature(header)),
        ("Nama SOP", header.nama),
    ]


def sections(header: SopHeader) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """The three pairs of sections under the identity block, as ((title, text), (title, text))."""
    return [
        (
            ("Dasar Hukum", _numbered(header.dasar_hukum)),
            ("Kualifikasi Pelaksana", _numbered(header.kualifikasi_pelaksana)),
        ),
        (("Keterkaitan", _numbered(header.keterkaitan)), ("Peralatan/Perlengkapan", _numbered(header.peralatan))),
        (("Peringatan", _numbered(header.peringatan)), ("Pencatatan dan Pendataan", _numbered(header.pencatatan))),
    ]


def identity_page(header: SopHeader, size: tuple[float, float]) -> Page:
    """The identity table on a page of its own, its text as large as fits (9 points down to 6)."""
    for text_size in SIZES:
        page, bottom = _identity(header, size, text_size)
        if bottom <= size[1] - MARGIN:
            return page
    return page  # the smallest size; a header this long runs past the bottom margin


def _identity(header: SopHeader, size: tuple[float, float], text: float) -> tuple[Page, float]:
    """The identity table set in ``text`` points, and where it ends."""
    width, height = size
    page = Page(width, height)
    half = (width - 2 * MARGIN) / 2
    label_w = (width - 2 * MARGIN) * 0.15
    y = MARGIN
    rows = [(label, wrap(value, half - label_w - 2 * PAD, text)) for label, value in facts(header)]
    block = sum(block_height(max(len(lines), 1), text) + 2 * PAD for _, lines in rows)
    page.items.append(Box(MARGIN, y, half, block))
    title = wrap(header.instansi.upper(), half - 8 * PAD, 12.0, bold=True)
    title_top = y + (block - block_height(len(title), 12.0)) / 2
    page.items.extend(text_block(title, MARGIN + half / 2, title_top, 12.0, bold=True, anchor="middle"))
    for label, lines in rows:
        h = block_height(max(len(lines), 1), text) + 2 * PAD
        page.items += [Box(MARGIN + half, y, label_w, h), Box(MARGIN + half + label_w, y, half - label_w, h)]
        page.items.extend(text_block([label], MARGIN + half + PAD, y + PAD, text, bold=True))
        page.items.extend(text_block(lines, MARGIN + half + label_w + PAD, y + PAD, text))
        y += h
    for pair in sections(header):
        wrapped = [(title, wrap(body, half - 2 * PAD, text)) for title, body in pair]
        h = max(block_height(len(lines) + 1, text) for _, lines in wrapped) + 2 * PAD
        for index, (section_title, lines) in enumerate(wrapped):
            x = MARGIN + index * half
            page.items.append(Box(x, y, half, h))
            page.items.extend(text_block([section_title], x + PAD, y + PAD, text, bold=True))
            page.items.extend(text_block(lines, x + PAD, y + PAD + text * 1.2, text))
        y += h
    return page, y
