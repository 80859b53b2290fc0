"""Readable keyword rules that derive a shop's categories from product titles.

A merchant can read every rule and correct it: rules are plain words, stored on each category
collection (`Collection.rules`) and overridable with a JSON file. The most specific match wins
("hot water bottle" beats "bottle"); seasonal categories are added on top of the primary one.
No Django here, so the tagger can be tested and reused on its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FALLBACK_CATEGORY = "Gifts & Novelties"


@dataclass(frozen=True)
class CategoryRule:
    title: str
    keywords: tuple[str, ...]
    # Seasonal categories are extra memberships, never a product's primary type.
    seasonal: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words = sorted({k.lower() for k in self.keywords}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        # Whole words, with an optional plural ending: "candle" matches "candles".
        object.__setattr__(self, "pattern", re.compile(rf"\b(?:{alternatives})(?:e?s)?\b"))

    def best_match(self, normalized_title: str) -> str | None:
        matches = self.pattern.findall(normalized_title)
        return max(matches, key=len) if matches else None

    def as_json(self) -> dict[str, object]:
        return {"keywords": list(self.keywords), "seasonal": self.seasonal}


DEFAULT_RULES: tuple[CategoryRule, ...] = (
    CategoryRule(
        "Candles & Lights",
        (
            "candle",
            "t-light",
            "tealight",
            "tea light",
            "lantern",
            "light",
            "lamp",
            "incense",
            "night light",
            "oil burner",
            "lights",
            "candleholder",
            "candlepot",
            "candle pot",
        ),
    ),
    CategoryRule(
        "Jewellery & Accessories",
        (
            "necklace",
            "earrings",
            "bracelet",
            "ring",
            "charm",
            "bead",
            "brooch",
            "pendant",
            "diamante",
            "hair",
            "hairclip",
            "bangle",
            "purse",
            "wallet",
            "handbag",
            "umbrella",
            "scarf",
            "key ring",
            "hair slide",
            "sunglasses",
        ),
    ),
    CategoryRule(
        "Kitchen & Dining",
        (
            "mug",
            "cup",
            "plate",
            "bowl",
            "cake",
            "baking",
            "teapot",
            "tea",
            "coffee",
            "cutlery",
            "napkin",
            "jam",
            "kitchen",
            "pantry",
            "egg cup",
            "apron",
            "oven glove",
            "tray",
            "jug",
            "bottle",
            "tea towel",
            "spoon",
            "dish",
            "lunch box",
            "biscuit",
            "cake stand",
            "recipe",
            "chopping board",
            "coaster",
            "placemat",
            "glass",
            "beaker",
            "straws",
            "milk",
            "breakfast",
            "cake cases",
            "jelly mould",
            "cookie cutter",
            "tea cosy",
            "bread bin",
            "food cover",
        ),
    ),
    CategoryRule(
        "Bags & Storage",
        (
            "bag",
            "basket",
            "storage",
            "box",
            "tin",
            "jar",
            "drawer",
            "cabinet",
            "trinket",
            "crate",
            "hamper",
            "shopper",
            "tote",
            "washbag",
            "holdall",
            "sack",
            "suitcase",
        ),
    ),
    CategoryRule(
        "Home Decor",
        (
            "frame",
            "mirror",
            "clock",
            "cushion",
            "sign",
            "plaque",
            "wall art",
            "hook",
            "hanger",
            "doormat",
            "doorstop",
            "door",
            "knob",
            "vase",
            "ornament",
            "decoration",
            "garland",
            "bunting",
            "wreath",
            "hanging heart",
            "hot water bottle",
            "blanket",
            "throw",
            "tile",
            "wall",
            "cushion cover",
            "photo",
            "chalkboard",
            "quilt",
            "curtain",
            "magnet",
            "shelf",
            "coat rack",
            "letter rack",
            "drawer knob",
            "art flower",
            "flower garland",
        ),
    ),
    CategoryRule(
        "Stationery & Wrap",
        (
            "card",
            "wrap",
            "paper",
            "notebook",
            "pen",
            "pencil",
            "sticker",
            "tape",
            "ribbon",
            "tissue",
            "gift tag",
            "envelope",
            "journal",
            "book",
            "postcard",
            "calendar",
            "stamp",
            "eraser",
            "ruler",
            "writing set",
            "notepad",
            "sharpener",
            "memo",
            "sketchbook",
            "gift wrap",
            "wrapping",
        ),
    ),
    CategoryRule(
        "Party & Celebration",
        (
            "party",
            "birthday",
            "balloon",
            "confetti",
            "party bag",
            "paper cup",
            "paper plate",
            "candy",
            "wedding",
            "celebration",
            "fancy dress",
            "paper chain",
        ),
    ),
    CategoryRule(
        "Toys & Kids",
        (
            "toy",
            "doll",
            "game",
            "jigsaw",
            "puzzle",
            "childrens",
            "childs",
            "kids",
            "spaceboy",
            "soft toy",
            "colouring",
            "crayon",
            "play",
            "skipping rope",
            "tattoo",
            "magic",
            "dolly girl",
            "teddy",
            "dominoes",
            "marbles",
            "bingo",
            "snakes & ladders",
            "spinning top",
            "feltcraft",
            "knitting",
            "sewing",
            "craft",
            "creepy crawlies",
        ),
    ),
    CategoryRule(
        "Garden & Outdoors",
        (
            "garden",
            "plant",
            "pot",
            "watering can",
            "bird",
            "birdhouse",
            "feeder",
            "parasol",
            "picnic",
            "outdoor",
            "seed",
            "herb",
            "gnome",
            "windmill",
            "flower pot",
            "trowel",
            "greenhouse",
            "zinc",
            "hen house",
            "bicycle",
        ),
    ),
    CategoryRule(
        "Bath & Beauty",
        (
            "soap",
            "bath",
            "bathroom",
            "toilet",
            "towel",
            "lip gloss",
            "nail",
            "make up",
            "cosmetic",
            "sponge",
            "toiletry",
            "shower",
            "compact mirror",
            "beauty",
        ),
    ),
    CategoryRule(
        "Christmas",
        (
            "christmas",
            "xmas",
            "advent",
            "santa",
            "reindeer",
            "snowflake",
            "bauble",
            "nativity",
            "snowman",
            "father christmas",
        ),
        seasonal=True,
    ),
    CategoryRule("Easter", ("easter", "chick", "bunny"), seasonal=True),
)


def normalize_title(title: str) -> str:
    """Lower case, punctuation other than '-' and '&' turned to spaces, spaces collapsed."""
    return " ".join(re.sub(r"[^a-z0-9&\-' ]+", " ", title.lower()).split())


def categorize(title: str, rules: tuple[CategoryRule, ...] = DEFAULT_RULES) -> list[str]:
    """Category titles for one product: primary (most specific match) first, then seasonal ones."""
    normalized = normalize_title(title)
    best_title, best_length = FALLBACK_CATEGORY, 0
    seasonal: list[str] = []
    for rule in rules:
        match = rule.best_match(normalized)
        if match is None:
            continue
        if rule.seasonal:
            seasonal.append(rule.title)
        elif len(match) > best_length:
            best_title, best_length = rule.title, len(match)
    return [best_title, *seasonal]


def rules_from_json(path: Path) -> tuple[CategoryRule, ...]:
    """Load merchant-edited rules: {"Category title": {"keywords": [...], "seasonal": false}}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{path}: expected a JSON object of category title -> rule")
    rules = []
    for title, rule in data.items():
        keywords = rule.get("keywords") if isinstance(rule, dict) else None
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise ValueError(f"{path}: category {title!r} needs a non-empty list of keywords")
        rules.append(
            CategoryRule(
                str(title),
                tuple(k.strip() for k in keywords),
                seasonal=bool(rule.get("seasonal", False)),
            )
        )
    return tuple(rules)


def rules_to_json(rules: tuple[CategoryRule, ...]) -> str:
    return json.dumps({r.title: r.as_json() for r in rules}, indent=2)
