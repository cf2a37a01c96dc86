"""What the builder does to the API's HTML before it marks it safe (the theme's ``content`` filter).

The API sanitizes every stored fragment with nh3 (pydotorg/core/markup.py), so what arrives is
already free of scripts and styles and serialized by html5ever (lower-case tags, double-quoted
attributes). What nh3 keeps can still be invalid HTML, and python.org's imported content has
some that a browser shows (issue 19); the stored data stays as imported and the builder
repairs it here, on every render:

- ``<code><pre>…</pre></code>`` (the GPG commands of the download-pgp box): a block inside an
  inline element, drawn as shaded stubs above and below the block. It becomes
  ``<pre><code>…</code></pre>``.
- code points HTML forbids: C1 controls (U+0080 to U+009F) are what Windows-1252 bytes became when
  they were decoded as Latin-1 ("Goran \\x8airola" is "Goran Širola"), so they are read as
  Windows-1252; the five bytes Windows-1252 leaves undefined, other controls and noncharacters
  are dropped.
- a comma run into a link ("submit events</a>,<a …>subscribe to the calendars</a>,get …" in the
  events-subscriptions box, whose line breaks were lost on the way): a space after it.
- ``<img>`` without ``alt``: ``alt=""`` (an image with no text given is shown as decoration,
  rather than announced by its URL); ``width``/``height`` given in CSS units ("100px") keep the
  number, the only value HTML allows.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_CODE_PRE = re.compile(r"<code(\s[^>]*)?>(\s*)<pre(\s[^>]*)?>(.*?)</pre>(\s*)</code>", re.DOTALL)
# Controls other than tab, LF, FF and CR, C1 controls, and noncharacters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
# A comma between a link's end and what follows, or right before a link, with no space after it.
_COMMA = re.compile(r"(</a>,)(?=[^\s<])|,(?=<a\s)")
_IMG = re.compile(r"<img(\s[^>]*)?>")
_SIZE = re.compile(r'\s(width|height)="\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*"')


def _code_point(match: re.Match[str]) -> str:
    char = match.group()
    if "\x80" <= char <= "\x9f":
        try:
            return bytes([ord(char)]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    return ""


def _img(match: re.Match[str]) -> str:
    attrs = _SIZE.sub(r' \1="\2"', match.group(1) or "")
    if not re.search(r"\salt=", attrs):
        attrs += ' alt=""'
    return f"<img{attrs}>"


def tidy(html: str) -> str:
    """The API's sanitized ``html`` as valid HTML (see the module's docstring)."""
    if not html:
        return ""
    html = _FORBIDDEN.sub(_code_point, html)
    if "<code" in html:
        html = _CODE_PRE.sub(r"\2<pre\3><code\1>\4</code></pre>\5", html)
    if ",<a" in html or "</a>," in html:
        html = _COMMA.sub(lambda m: (m.group(1) or ",") + " ", html)
    if "<img" in html:
        html = _IMG.sub(_img, html)
    return html


def content(value: object) -> Markup:
    """The theme's ``content`` filter: API HTML (already sanitized by the API), tidied and marked
    safe. The one place the theme marks API HTML safe."""
    return Markup(tidy(str(value or "")))  # noqa: S704  (nh3-sanitized by the API, see above)
