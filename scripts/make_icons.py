"""Draw the PWA icons (PNG) from the same shapes as static/img/icon.svg. Run once when the logo changes."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4  # draw large, then downsample for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    unit = big / 96
    # vertical gradient approximated by bands from #e53935 to #b71c1c
    top, bottom = (0xE5, 0x39, 0x35), (0xB7, 0x1C, 0x1C)
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        [0, 0, big - 1, big - 1], radius=0 if maskable else 22 * unit, fill=255
    )
    gradient = Image.new("RGBA", (big, big))
    gd = ImageDraw.Draw(gradient)
    for y in range(big):
        t = y / big
        gd.line(
            [(0, y), (big, y)],
            fill=(*tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)), 255),
        )
    image.paste(gradient, (0, 0), mask)
    inset = 0.12 if maskable else 0.0  # maskable icons keep the glyph inside the safe zone

    def box(x: float, y: float, w: float, h: float) -> list[float]:
        s = 1 - 2 * inset
        return [
            (inset * 96 + x * s) * unit,
            (inset * 96 + y * s) * unit,
            (inset * 96 + (x + w) * s) * unit,
            (inset * 96 + (y + h) * s) * unit,
        ]

    radius = 4.5 * unit * (1 - 2 * inset)
    d.rounded_rectangle(box(22, 24, 52, 9), radius=radius, fill="white")
    d.rounded_rectangle(box(43.5, 24, 9, 46), radius=radius, fill="white")
    d.rounded_rectangle(box(16, 63, 64, 9), radius=radius, fill="white")
    d.ellipse(box(67, 17, 14, 14), fill=(0xFF, 0xD5, 0x4F, 255))
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192).save(OUT / "icon-192.png")
    draw(512).save(OUT / "icon-512.png")
    draw(512, maskable=True).save(OUT / "icon-512-maskable.png")
    draw(180).save(OUT / "apple-touch-icon.png")
    print("icons written to", OUT)
