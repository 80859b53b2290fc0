"""Check and clean an uploaded picture or short video before anything is stored.

The order matters, each step guarding the next:

1. size: at most `MAX_IMAGE_BYTES` / `MAX_VIDEO_BYTES`, read no further than the limit;
2. sniff the real type from the first bytes (JPEG, PNG, WebP; MP4, WebM). Anything else, SVG in
   particular (it can carry script), is refused whatever the name or declared type says;
3. the declared content type and the file name's extension must agree with the sniffed type;
4. no second file riding along (a polyglot): no bytes after the image's end marker, and no HTML,
   script or archive signature anywhere in the file;
5. images: Pillow reads the header only (no pixels yet) and the dimensions must fit
   `MAX_SIDE` and `MAX_PIXELS` before decoding, so a decompression bomb is refused for what it
   claims, then `verify()`, then a full decode under Pillow's own bomb limit;
6. images are re-encoded from the pixels (JPEG, or PNG with transparency): EXIF, GPS, comments
   and any trailing payload are gone, the orientation is applied first; a thumbnail is made.

Videos cannot be re-encoded here (no codec library): they are accepted only as a well-formed
container (MP4 boxes or the WebM/EBML header) within the size limit, and stay pending for review.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from personalization.engine.ugc_flags import average_hash

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 25 * 1024 * 1024
MAX_SIDE = 6000
MAX_PIXELS = 24_000_000
OUTPUT_MAX_SIDE = 2048
THUMB_SIDE = 480

IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
VIDEO_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
EXTENSIONS = {
    "jpeg": {".jpg", ".jpeg", ".jfif"},
    "png": {".png"},
    "webp": {".webp"},
    "mp4": {".mp4", ".m4v", ".mov"},
    "webm": {".webm"},
}
# Signatures of other formats that make a file a polyglot. Markup is looked for everywhere (a
# tag name is too long to occur by chance in compressed data); the short binary signatures only
# where a second file is put, near the start or the end, or a large photo would now and then
# be refused for four random bytes.
FOREIGN = re.compile(rb"<\s*(script|html|svg|iframe|body|\?php|!doctype)", re.I)
FOREIGN_BINARY = re.compile(rb"PK\x03\x04|%PDF-|MZ\x90\x00")
EDGE_BYTES = 64 * 1024


class MediaRejected(ValueError):
    """The upload is refused; `str()` is a message for the shopper."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class CleanMedia:
    kind: str  # "photo" or "video"
    media_type: str
    extension: str
    data: bytes
    thumbnail: bytes  # JPEG; empty for videos
    width: int | None
    height: int | None
    sha256: str
    phash: str


def sniff(head: bytes) -> str | None:
    """The real format from the first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def _describe(head: bytes) -> str:
    text = head[:512].lstrip().lower()
    if b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text):
        return "SVG images are not accepted (they can carry scripts). Upload a JPEG, PNG or WebP."
    if head.startswith(b"GIF8"):
        return "GIF files are not accepted. Upload a JPEG, PNG or WebP."
    return "This file is not a JPEG, PNG or WebP picture, or an MP4 or WebM video."


def _trailing_bytes(data: bytes, fmt: str) -> int:
    """Bytes after the image's own end: where a second file hides in a polyglot."""
    if fmt == "png":
        end = data.rfind(b"IEND")
        return len(data) - (end + 8) if end >= 0 else len(data)
    if fmt == "jpeg":
        end = data.rfind(b"\xff\xd9")
        return len(data) - (end + 2) if end >= 0 else len(data)
    if fmt == "webp":
        declared = int.from_bytes(data[4:8], "little") + 8
        return len(data) - declared
    return 0


def _check_mp4(data: bytes) -> None:
    offset, boxes = 0, 0
    while offset < len(data):
        if offset + 8 > len(data):
            raise MediaRejected("The video file is cut short.", reason="malformed")
        size = int.from_bytes(data[offset : offset + 4], "big")
        box = data[offset + 4 : offset + 8]
        if size == 1 and offset + 16 <= len(data):
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            size = len(data) - offset
        if size < 8 or offset + size > len(data) or not re.fullmatch(rb"[a-zA-Z0-9 ]{4}", box):
            raise MediaRejected("The video file is damaged.", reason="malformed")
        offset += size
        boxes += 1
    if boxes < 2:
        raise MediaRejected("The video file holds no video.", reason="malformed")


def _image(data: bytes, fmt: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=[fmt.upper()])
            width, height = probe.size  # from the header: nothing is decoded yet
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise MediaRejected(
                    f"The picture is {width}x{height} pixels; the most is {MAX_SIDE} on a side "
                    f"and {MAX_PIXELS // 1_000_000} megapixels.",
                    reason="too_many_pixels",
                )
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=[fmt.upper()])
            image.load()
    except MediaRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaRejected(
            f"The picture has too many pixels: the most is {MAX_SIDE} on a side and "
            f"{MAX_PIXELS // 1_000_000} megapixels.",
            reason="too_many_pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise MediaRejected(
            "The picture is damaged or not what its type says.", reason="malformed"
        ) from None
    if image.size != (width, height):
        raise MediaRejected("The picture is damaged.", reason="malformed")
    return image


def _encode(image: Image.Image, *, max_side: int, fmt: str) -> bytes:
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "png":
        copy.save(out, format="PNG", optimize=True)
    else:
        copy.convert("RGB").save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def clean(data: bytes, *, declared_type: str, filename: str) -> CleanMedia:
    """Check and clean one upload; raises `MediaRejected` with a message for the shopper."""
    if not data:
        raise MediaRejected("The file is empty.", reason="empty")
    if len(data) > MAX_VIDEO_BYTES:
        raise MediaRejected(
            f"The file is larger than {MAX_VIDEO_BYTES // (1024 * 1024)} MB.", reason="too_large"
        )
    fmt = sniff(data[:32])
    if fmt is None:
        raise MediaRejected(_describe(data[:512]), reason="unsupported_type")
    is_video = fmt in VIDEO_TYPES
    real_type = VIDEO_TYPES[fmt] if is_video else IMAGE_TYPES[fmt]
    limit = MAX_VIDEO_BYTES if is_video else MAX_IMAGE_BYTES
    if len(data) > limit:
        raise MediaRejected(
            f"The file is larger than {limit // (1024 * 1024)} MB.", reason="too_large"
        )
    declared = declared_type.split(";")[0].strip().lower()
    # What browsers and phones send for the same formats.
    aliases = {"application/octet-stream", real_type, "image/jpg" if fmt == "jpeg" else ""}
    if fmt == "mp4":
        aliases.add("video/quicktime")
    if declared and declared not in aliases:
        raise MediaRejected(
            f"The file says it is {declared} but its content is {real_type}.",
            reason="type_mismatch",
        )
    extension = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if extension and extension not in EXTENSIONS[fmt]:
        raise MediaRejected(
            f"The file name ends in {extension} but its content is {real_type}.",
            reason="type_mismatch",
        )
    if FOREIGN.search(data) or FOREIGN_BINARY.search(data[:1024] + b"|" + data[-EDGE_BYTES:]):
        raise MediaRejected(
            "The file has another file hidden inside it (HTML, script, archive or program).",
            reason="polyglot",
        )
    if is_video:
        if fmt == "mp4":
            _check_mp4(data)
        elif len(data) < 64:
            raise MediaRejected("The video file is cut short.", reason="malformed")
        return CleanMedia(
            kind="video",
            media_type=real_type,
            extension=fmt,
            data=data,
            thumbnail=b"",
            width=None,
            height=None,
            sha256=hashlib.sha256(data).hexdigest(),
            phash="",
        )
    if _trailing_bytes(data, fmt) > 0:
        raise MediaRejected(
            "The file has data after the end of the picture (a hidden second file).",
            reason="polyglot",
        )
    image = _image(data, fmt)
    image = ImageOps.exif_transpose(image) or image
    keeps_alpha = fmt == "png" and image.mode in ("RGBA", "LA", "PA")
    out_fmt = "png" if keeps_alpha else "jpeg"
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if keeps_alpha else "RGB")
    encoded = _encode(image, max_side=OUTPUT_MAX_SIDE, fmt=out_fmt)
    thumbnail = _encode(image, max_side=THUMB_SIDE, fmt="jpeg")
    gray = np.asarray(image.convert("L").resize((64, 64)), dtype=np.float64)
    final = Image.open(io.BytesIO(encoded))
    return CleanMedia(
        kind="photo",
        media_type=IMAGE_TYPES[out_fmt],
        extension="png" if out_fmt == "png" else "jpg",
        data=encoded,
        thumbnail=thumbnail,
        width=final.width,
        height=final.height,
        sha256=hashlib.sha256(encoded).hexdigest(),
        phash=average_hash(gray),
    )
