"""A page of the SOP document as a PNG picture (Pillow), for the flowchart in the .docx and for docs.

Text is set in Arial or Liberation Sans where the system has them (the widths the layout measured
with); otherwise in Pillow's own font, shrunk where a line would be wider than measured.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from sop_engine.sopdoc.scene import Box, Item, Page, Path, Shape, Text, arrow_head, text_width

_FONTS = {
    False: ("LiberationSans-Regular.ttf", "arial.ttf", "Arial.ttf"),
    True: ("LiberationSans-Bold.ttf", "arialbd.ttf", "Arial Bold.ttf"),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(pixels: int, bold: bool) -> Font:
    for name in _FONTS[bold]:
        try:
            return ImageFont.truetype(name, pixels)
        except OSError:
            continue
    return ImageFont.load_default(pixels)


def page_png(page: Page, dpi: int = 200, crop: float = 0.0) -> bytes:
    """``page`` drawn at ``dpi`` dots per inch, as PNG bytes; ``crop`` points cut off each edge."""
    scale = dpi / 72
    image = Image.new("RGB", (round(page.width * scale), round(page.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    for item in page.items:
        _draw(draw, item, scale)
    if crop:
        edge = round(crop * scale)
        image = image.crop((edge, edge, image.width - edge, image.height - edge))
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _draw(draw: ImageDraw.ImageDraw, item: Item, scale: float) -> None:
    if isinstance(item, Box):
        box = (item.x * scale, item.y * scale, (item.x + item.w) * scale, (item.y + item.h) * scale)
        line = max(1, round(item.width * scale))
        draw.rounded_rectangle(box, radius=item.radius * scale, fill=item.fill, outline="black", width=line)
    elif isinstance(item, Shape):
        draw.polygon(
            [(x * scale, y * scale) for x, y in item.points],
            fill=item.fill,
            outline="black",
            width=max(1, round(item.width * scale)),
        )
    elif isinstance(item, Path):
        _path(draw, item, scale)
    else:
        _text(draw, item, scale)


def _path(draw: ImageDraw.ImageDraw, item: Path, scale: float) -> None:
    points = [(x * scale, y * scale) for x, y in item.points]
    draw.line(points, fill="black", width=max(1, round(item.width * scale)), joint="curve")
    if item.arrow:
        head = arrow_head(item.points[-2], item.points[-1], 5.0)
        draw.polygon([(x * scale, y * scale) for x, y in head], fill="black")


def _text(draw: ImageDraw.ImageDraw, item: Text, scale: float) -> None:
    measured = text_width(item.text, item.size, bold=item.bold) * scale
    pixels = round(item.size * scale)
    font = _font(pixels, item.bold)
    while pixels > 4 and draw.textlength(item.text, font=font) > measured * 1.01:
        pixels -= 1
        font = _font(pixels, item.bold)
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}[item.anchor]
    draw.text((item.x * scale, item.y * scale), item.text, fill="black", font=font, anchor=anchor)
