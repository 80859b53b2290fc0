"""Generated SVG artwork for demo products and categories (the UCI data set has no images).

Everything is a pure function of the handle, title and category, so the same product always gets the
same picture and the response can be cached forever by URL and ETag. No Django and no fonts beyond
the viewer's own sans-serif: the machine serving the demo has no internet.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

SIZE = 600


@dataclass(frozen=True)
class Palette:
    background: str
    blob: str
    accent: str
    ink: str


# Soft, warm tones that suit a gift shop; ink colours keep 4.5:1 contrast on their background.
PALETTES: tuple[Palette, ...] = (
    Palette("#f6e7dc", "#efd3c0", "#c8664b", "#5a2a1d"),
    Palette("#e6efe6", "#cfe0cf", "#4f7d5c", "#22392a"),
    Palette("#e7ecf5", "#cfd9ec", "#4c6a9f", "#1f2f4d"),
    Palette("#f5ecd9", "#ead8b3", "#b07d2a", "#4d3510"),
    Palette("#f3e3ea", "#e8c9d6", "#a64d72", "#4a1f33"),
    Palette("#e3f0ef", "#c6e1de", "#2f7f78", "#143a37"),
    Palette("#eee8f5", "#dacfeb", "#6f57a3", "#30244a"),
    Palette("#f4e9e1", "#e5d2c4", "#8a5a44", "#3f271c"),
    Palette("#eaf0dc", "#d5e2b8", "#6b8a2e", "#2d3b12"),
    Palette("#f7e6e1", "#f0cdc3", "#cf5f4f", "#57231b"),
)

# Icon paths are drawn on a 100x100 grid centred on (50, 50), stroked in the palette's accent.
ICONS: dict[str, str] = {
    "candle": (
        '<rect x="38" y="42" width="24" height="44" rx="3"/>'
        '<path d="M50 14c7 9 8 15 0 22c-8-7-7-13 0-22z"/><path d="M50 36v6"/>'
        '<path d="M30 86h40"/>'
    ),
    "gem": '<path d="M28 38l10-14h24l10 14l-22 36z"/><path d="M28 38h44M42 24l8 14l8-14M50 38v36"/>',
    "cup": (
        '<path d="M26 34h40v26a16 16 0 0 1-16 16h-8a16 16 0 0 1-16-16z"/>'
        '<path d="M66 42h6a8 8 0 0 1 0 16h-6"/><path d="M40 16c-4 5 4 8 0 13M52 16c-4 5 4 8 0 13"/>'
    ),
    "bag": '<path d="M24 38h52l-5 44H29z"/><path d="M38 38v-8a12 12 0 0 1 24 0v8"/>',
    "box": (
        '<rect x="26" y="38" width="48" height="42" rx="4"/><path d="M22 28h56v10H22z"/>'
        '<path d="M42 54h16"/>'
    ),
    "house": (
        '<path d="M20 50L50 24l30 26"/><path d="M28 44v36h44V44"/>'
        '<rect x="43" y="58" width="14" height="22"/>'
    ),
    "envelope": '<rect x="20" y="30" width="60" height="42" rx="3"/><path d="M20 32l30 22l30-22"/>',
    "balloon": (
        '<ellipse cx="50" cy="38" rx="18" ry="22"/><path d="M46 60h8l-4 6z"/>'
        '<path d="M50 66c-6 8 6 12 0 22"/>'
    ),
    "blocks": (
        '<rect x="22" y="52" width="26" height="26" rx="2"/>'
        '<rect x="52" y="52" width="26" height="26" rx="2"/>'
        '<rect x="37" y="24" width="26" height="26" rx="2"/>'
    ),
    "leaf": (
        '<path d="M30 76c0-30 16-48 46-52c-2 30-18 48-46 52z"/><path d="M30 76l30-34"/>'
        '<path d="M22 84h20"/>'
    ),
    "flower": (
        '<circle cx="50" cy="24" r="10"/><circle cx="66" cy="40" r="10"/>'
        '<circle cx="50" cy="56" r="10"/><circle cx="34" cy="40" r="10"/>'
        '<circle cx="50" cy="40" r="5"/><path d="M50 66v22M50 80c6-6 12-7 18-5"/>'
    ),
    "bird": (
        '<path d="M20 62c12 2 20-6 24-16c4-10 14-16 24-12l12-2l-8 9c2 18-12 33-32 33'
        'c-10 0-17-5-20-12z"/><path d="M44 60c8 0 14-4 18-10"/><path d="M46 78l-4 10M56 77l-2 11"/>'
    ),
    "drop": (
        '<path d="M50 18c14 18 22 30 22 42a22 22 0 0 1-44 0c0-12 8-24 22-42z"/>'
        '<circle cx="76" cy="26" r="5"/><circle cx="24" cy="30" r="3"/>'
    ),
    "heart": (
        '<path d="M50 82C22 62 16 42 26 30c8-9 19-6 24 4c5-10 16-13 24-4c10 12 4 32-24 52z"/>'
        '<path d="M50 12v14"/>'
    ),
    "star": '<path d="M50 14l10 22l24 3l-18 16l5 24l-21-12l-21 12l5-24l-18-16l24-3z"/>',
    "frame": (
        '<rect x="22" y="22" width="56" height="56" rx="2"/><rect x="31" y="31" width="38" height="38"/>'
        '<path d="M31 62l12-12l10 10l6-6l10 10"/>'
    ),
    "clock": '<circle cx="50" cy="52" r="30"/><path d="M50 34v18l12 8M36 18l-8 6M64 18l8 6"/>',
    "tree": '<path d="M50 14l20 28H58l16 22H26l16-22H30z"/><path d="M50 64v18M40 82h20"/>',
    "egg": (
        '<path d="M50 16c14 0 26 24 26 40a26 26 0 0 1-52 0c0-16 12-40 26-40z"/>'
        '<path d="M27 56l9-6l9 6l9-6l9 6l9-6"/>'
    ),
    "gift": (
        '<rect x="22" y="40" width="56" height="40" rx="2"/><path d="M18 30h64v10H18z"/>'
        '<path d="M50 30v50"/><path d="M50 30c-6-12-20-12-18-2c2 4 10 2 18 2c8 0 16 2 18-2'
        'c2-10-12-10-18 2z"/>'
    ),
}

ICON_KEYWORDS: dict[str, tuple[str, ...]] = {
    "tree": ("christmas", "xmas", "advent", "bauble", "tree", "santa", "reindeer", "snowflake"),
    "egg": ("easter", "egg", "chick"),
    "candle": ("candle", "t-light", "tealight", "light", "lantern", "lamp", "lights"),
    "gem": ("jewellery", "necklace", "earring", "bracelet", "ring", "brooch", "charm", "bead"),
    "cup": (
        "kitchen",
        "dining",
        "mug",
        "cup",
        "teacup",
        "saucer",
        "plate",
        "bowl",
        "cake",
        "cakestand",
        "teapot",
        "cutlery",
        "napkin",
        "spoon",
        "jug",
        "tea",
    ),
    "bag": ("bag", "basket", "tote", "shopper", "purse", "charlotte"),
    "box": ("box", "tin", "jar", "storage", "drawer", "trinket"),
    "envelope": (
        "stationery",
        "card",
        "wrap",
        "paper",
        "notebook",
        "pen",
        "pencil",
        "tissue",
        "sticker",
    ),
    "balloon": ("party", "celebration", "birthday", "balloon", "bunting"),
    "blocks": ("toy", "toys", "kids", "childrens", "game", "doll", "puzzle", "jigsaw", "paint"),
    "leaf": ("garden", "outdoors", "plant", "herb", "leaf"),
    "flower": ("flower", "rose", "daisy", "blossom"),
    "bird": ("bird",),
    "drop": ("bath", "beauty", "soap", "towel", "bottle"),
    "heart": ("heart", "love"),
    "star": ("star",),
    "frame": ("frame", "sign", "picture", "photo", "mirror", "art"),
    "clock": ("clock",),
    "house": ("home", "decor", "house", "hanger", "hook"),
    "gift": ("gift", "gifts", "novelties"),
}

_KEYWORD_PATTERN = re.compile(
    r"\b("
    + "|".join(
        re.escape(keyword)
        for keyword in sorted(
            {k for keywords in ICON_KEYWORDS.values() for k in keywords}, key=len, reverse=True
        )
    )
    + r")(?:e?s)?\b"
)
_ICON_BY_KEYWORD = {k: icon for icon, keywords in ICON_KEYWORDS.items() for k in keywords}


def _digest(handle: str) -> bytes:
    return hashlib.sha256(handle.encode("utf-8")).digest()


def palette_for(handle: str) -> Palette:
    return PALETTES[_digest(handle)[0] % len(PALETTES)]


def icon_for(*, category: str, title: str) -> str:
    """The title's last recognised word wins: in product names the head noun comes last
    ("Hanging Heart T-Light Holder" is a candle holder, "Jumbo Bag Red Retrospot" a bag);
    a name with no known word gets its category's icon, then a gift box."""
    title_matches = _KEYWORD_PATTERN.findall(title.lower())
    if title_matches:
        return _ICON_BY_KEYWORD[title_matches[-1]]
    category_matches = _KEYWORD_PATTERN.findall(category.lower())
    if category_matches:
        return _ICON_BY_KEYWORD[category_matches[0]]
    return "gift"


def title_from_handle(handle: str) -> str:
    """A readable title when only the URL is known ("red-retrospot-mug" -> "Red Retrospot Mug")."""
    return " ".join(word.capitalize() for word in handle.split("-") if word) or "Gift"


def _label_lines(title: str) -> list[str]:
    lines = textwrap.wrap(title.strip(), width=20, break_long_words=True) or ["Gift"]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:17].rstrip() + "…"]
    return lines


def _icon_group(icon: str, *, x: float, y: float, scale: float, colour: str, width: float) -> str:
    return (
        f'<g transform="translate({x:g} {y:g}) scale({scale:g}) translate(-50 -50)" fill="none" '
        f'stroke="{colour}" stroke-width="{width:g}" stroke-linecap="round" '
        f'stroke-linejoin="round">{ICONS[icon]}</g>'
    )


def _blobs(handle: str, colour: str) -> str:
    """Two soft circles whose place and size come from the hash, so no two products look alike."""
    digest = _digest(handle)
    circles = []
    for offset in (1, 4):
        cx = 80 + digest[offset] % 440
        cy = 60 + digest[offset + 1] % 300
        radius = 90 + digest[offset + 2] % 110
        circles.append(f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="{colour}"/>')
    return "".join(circles)


@lru_cache(maxsize=8192)
def product_placeholder_svg(*, handle: str, title: str, category: str) -> str:
    palette = palette_for(handle)
    icon = icon_for(category=category, title=title)
    lines = _label_lines(title)
    first_y = 500 if len(lines) == 1 else 478
    text = "".join(
        f'<tspan x="300" y="{first_y + index * 38}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{_attribute(title)}">'
        f'<rect width="{SIZE}" height="{SIZE}" fill="{palette.background}"/>'
        f"{_blobs(handle, palette.blob)}"
        f'<circle cx="300" cy="250" r="150" fill="#ffffff" opacity=".55"/>'
        f"{_icon_group(icon, x=300, y=250, scale=2.7, colour=palette.accent, width=3)}"
        f'<text font-family="system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"'
        f' font-size="30" font-weight="600" letter-spacing="1" fill="{palette.ink}"'
        f' text-anchor="middle">{text}</text>'
        "</svg>"
    )


@lru_cache(maxsize=512)
def collection_placeholder_svg(*, handle: str, title: str) -> str:
    """Category art: the icon sits in the upper part, where a tile's caption does not cover it."""
    palette = palette_for(handle)
    icon = icon_for(category=title, title=title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{_attribute(title)}">'
        f'<rect width="{SIZE}" height="{SIZE}" fill="{palette.background}"/>'
        f"{_blobs(handle, palette.blob)}"
        f'<circle cx="300" cy="225" r="120" fill="#ffffff" opacity=".55"/>'
        f"{_icon_group(icon, x=300, y=225, scale=2.2, colour=palette.accent, width=3)}"
        "</svg>"
    )


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def svg_etag(svg: str) -> str:
    return '"' + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:32] + '"'
