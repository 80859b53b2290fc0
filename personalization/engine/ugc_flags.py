"""Automatic moderation flags for user-generated content: profanity, spam, personal data in the
text, and near-duplicate pictures by perceptual hash.

Flags never reject on their own: they put a reason next to the item in the moderation queue,
so a merchant decides. Text checks are deliberately simple (word lists and patterns) because a
false flag costs a glance, while a missed one is caught by the human in the loop anyway.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

# A short list of unambiguous English profanity; shops extend it through `extra_words`.
PROFANITY = frozenset(
    {
        "asshole",
        "bastard",
        "bitch",
        "bollocks",
        "bullshit",
        "cunt",
        "dickhead",
        "fuck",
        "fucked",
        "fucking",
        "motherfucker",
        "shit",
        "shitty",
        "slut",
        "twat",
        "wanker",
        "whore",
    }
)
SPAM_PHRASES = (
    "buy now",
    "click here",
    "free money",
    "work from home",
    "earn $",
    "crypto",
    "casino",
    "viagra",
    "promo code",
    "dm me",
    "limited offer",
    "follow me",
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# Seven or more digits, allowing the separators people type (+44 20 7946 0958, (555) 123-4567).
PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{5,}\d(?![\w.])")
URL = re.compile(r"(https?://|www\.)\S+", re.I)
WORD = re.compile(r"[a-z0-9$]+")
# Letters repeated like "!!!!!!" or "soooooo" past this many read as shouting or filler.
REPEAT = re.compile(r"(.)\1{5,}")


LEET = str.maketrans("1034@", "ioeaa")


def _fold(text: str) -> str:
    """Lower case without accents, with common letter swaps undone (sh1t, $hit)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return plain.translate(LEET)


def profanity_words(text: str, extra_words: Iterable[str] = ()) -> list[str]:
    words = PROFANITY | {w.lower() for w in extra_words}
    folded = _fold(text).replace("$", "s")
    return sorted({w for w in WORD.findall(folded) if w in words})


def personal_data(text: str) -> list[str]:
    """Kinds of personal data found: "email", "phone"."""
    kinds = []
    if EMAIL.search(text):
        kinds.append("email")
    without_emails = EMAIL.sub(" ", text)
    for match in PHONE.finditer(without_emails):
        if sum(ch.isdigit() for ch in match.group()) >= 7:
            kinds.append("phone")
            break
    return kinds


def spam_signals(text: str) -> list[str]:
    """Why a text looks like spam; empty when it does not."""
    signals = []
    lowered = text.lower()
    if len(URL.findall(text)) >= 2:
        signals.append("links")
    phrases = [p for p in SPAM_PHRASES if p in lowered]
    if phrases:
        signals.append("phrases:" + ",".join(phrases))
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        signals.append("shouting")
    if REPEAT.search(text):
        signals.append("repetition")
    return signals


def text_flags(text: str, extra_words: Iterable[str] = ()) -> list[str]:
    """All flags for a text, stable and sorted: "profanity", "spam", "personal_data:email"..."""
    flags: list[str] = []
    if profanity_words(text, extra_words):
        flags.append("profanity")
    if spam_signals(text):
        flags.append("spam")
    flags += [f"personal_data:{kind}" for kind in personal_data(text)]
    return sorted(flags)


def average_hash(gray: npt.NDArray[np.floating] | npt.NDArray[np.integer], size: int = 8) -> str:
    """A 64-bit perceptual hash (difference hash) of a grayscale picture, as 16 hex digits.

    The picture is averaged into a size x (size + 1) grid of blocks, and each bit says whether a
    block is brighter than its right neighbour: resizing, re-encoding and small colour changes
    keep the bits, so copies of one photo land within a few bits of each other.
    """
    pixels = np.asarray(gray, dtype=np.float64)
    if pixels.ndim != 2 or min(pixels.shape) < 1:
        raise ValueError("a grayscale picture is a non-empty 2-D array")
    rows = np.array_split(np.arange(pixels.shape[0]), size)
    cols = np.array_split(np.arange(pixels.shape[1]), size + 1)
    grid = np.array(
        [
            [
                pixels[r[0] : r[-1] + 1, c[0] : c[-1] + 1].mean() if len(r) and len(c) else 0.0
                for c in cols
            ]
            for r in rows
        ]
    )
    bits = (grid[:, 1:] > grid[:, :-1]).flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:0{size * size // 4}x}"


def hash_distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


DUPLICATE_DISTANCE = 6
# The hash is indexed as 8 bands of 8 bits. Two hashes within 7 bits of each other differ in at
# most 7 bands, so (pigeonhole) at least one band is equal: looking up the rows that share a band
# finds every near duplicate, none missed. Four 16-bit bands would only guarantee that up to 3 bits.
BAND_BITS = 8
BANDS = 64 // BAND_BITS
assert BANDS > DUPLICATE_DISTANCE


def hash_bands(phash: str) -> list[int]:
    """The 64-bit hash's bands, most significant first: the index keys for duplicate lookup."""
    value = int(phash, 16)
    mask = (1 << BAND_BITS) - 1
    return [(value >> (BAND_BITS * (BANDS - 1 - band))) & mask for band in range(BANDS)]


def band_keys(phash: str) -> list[int]:
    """Each band with its position, as one integer (`band << 8 | value`): the stored index key."""
    return [band << BAND_BITS | value for band, value in enumerate(hash_bands(phash))]


def near_duplicates(
    phash: str, known: Iterable[tuple[int, str]], max_distance: int = DUPLICATE_DISTANCE
) -> list[int]:
    """Ids of the known pictures within `max_distance` bits of `phash`, closest first."""
    close = [(hash_distance(phash, other), item_id) for item_id, other in known if other]
    return [item_id for distance, item_id in sorted(close) if distance <= max_distance]
