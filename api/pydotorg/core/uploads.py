"""Reading an uploaded file from a multipart request, the same way for every domain.

A handler takes ``data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]``
and calls ``read_upload(data, ...)``; the file is checked (present, not empty, not too large, an
allowed extension and, for images, bytes that look like that image) before anything is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from pydotorg.core.errors import ValidationFailed

# A handler's multipart body: its form fields and files by name (read with ``read_upload``).
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
MAX_UPLOAD = 20 * 1024 * 1024
IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "ico"})
VIDEO_TYPES = frozenset({"mp4", "webm", "ogv", "mov"})
# Files a browser runs as a page (HTML, XML with its stylesheets, scripts, Flash) are never
# stored, whatever field they come in: media are served from the site's own origin. SVG images
# are accepted only without anything scriptable in them (``_scriptable_svg``); every stored file is
# also served with a sandboxing CSP and nosniff (core/storage.py ``media_headers``).
ACTIVE_TYPES = frozenset(
    {
        "html", "htm", "xhtml", "xht", "shtml", "shtm", "mht", "mhtml", "xml", "xsl", "xslt",
        "js", "mjs", "cjs", "swf", "svgz", "php", "phtml", "asp", "aspx", "jsp", "cgi", "hta",
        "vbs", "wsf", "xul", "rdf", "appcache", "manifest", "webmanifest",
    }
)  # fmt: skip
# Anything in an SVG that can run script or load a document: refused rather than cleaned.
_SVG_ACTIVE = re.compile(
    rb"<\s*script|<\s*foreignobject|<\s*iframe|<\s*embed|<\s*object|<\s*handler|<!entity|<\?xml-stylesheet"
    rb"|[\s/\"']on[a-z]+\s*=|javascript:|vbscript:|data:text/html|xlink:href\s*=\s*[\"']?\s*(?!#)[a-z]+:"
    rb"|href\s*=\s*[\"']?\s*(?:javascript|data|vbscript):",
    re.IGNORECASE,
)

# Leading bytes of the raster formats we accept; SVG is XML and checked for an <svg element.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "ico": (b"\x00\x00\x01\x00",),
}


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content: bytes

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""


def _scriptable_svg(content: bytes) -> bool:
    return _SVG_ACTIVE.search(content) is not None


def _looks_like(ext: str, content: bytes) -> bool:
    if ext == "webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    if ext == "svg":
        return b"<svg" in content[:4096].lower()
    magic = _MAGIC.get(ext)
    return magic is None or content.startswith(magic)


async def read_upload(
    data: Mapping[str, Any],
    field: str = "file",
    *,
    allowed: frozenset[str] | None = None,
    image: bool = False,
    max_bytes: int = MAX_UPLOAD,
) -> Upload:
    """The uploaded file in ``field``, or a 400 naming what is wrong with it."""
    upload = data.get(field)
    if not isinstance(upload, UploadFile):
        raise ValidationFailed({field: [f"Upload a file in the multipart field '{field}'."]})
    content = await upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationFailed({field: [f"The file is larger than {max_bytes} bytes."]})
    if not content:
        raise ValidationFailed({field: ["The file is empty."]})
    result = Upload(upload.filename or "upload", content)
    kinds = IMAGE_TYPES if image and allowed is None else allowed
    if kinds is not None and result.extension not in kinds:
        raise ValidationFailed({field: [f"The file must be one of: {', '.join(sorted(kinds))}."]})
    if result.extension in ACTIVE_TYPES:
        raise ValidationFailed(
            {field: [f"{result.extension} files are not accepted: a browser would run them as a page."]}
        )
    if image and not _looks_like(result.extension, content):
        raise ValidationFailed({field: [f"The file is not a valid {result.extension} image."]})
    if result.extension == "svg" and _scriptable_svg(content):
        raise ValidationFailed(
            {field: ["The SVG contains scripts, event handlers or external documents; remove them."]}
        )
    return result


__all__ = ["ACTIVE_TYPES", "IMAGE_TYPES", "MAX_UPLOAD", "VIDEO_TYPES", "Upload", "read_upload"]
