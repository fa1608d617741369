r"""Route paths in declarative files: Kong 3's syntax, its migration, and kongdao's stored form.

Kong 3.0 changed how a route path says it is a regular expression. Up to Kong 2.8 the router
decided from the characters: a path made only of ``[a-zA-Z0-9.\-_~/%]`` was a prefix, anything
else a regex. From Kong 3.0 a regex path starts with ``~`` (``~/users/\d+$``); every other path
is a prefix, whatever its characters. Declarative files say which convention they follow with
``_format_version``: ``"1.1"`` and ``"2.1"`` files use the old one and Kong 3 migrates them on
the fly (``kong/db/declarative/migrations/route_path.lua`` and
``kong/db/migrations/migrate_path_280_300.lua``, Kong 3.9.3), which :func:`migrate_path`
reproduces:

* a path the old router took literally is normalised (:func:`normalize`: percent-escapes of
  characters that need none are decoded, dot segments removed, ``//`` merged);
* any other path becomes ``"~" + path``, with its percent-escapes decoded the way Kong does
  (:func:`normalize_regex`: reserved characters stay escaped, regex metacharacters come back
  escaped with a backslash).

A ``"3.0"`` path is then checked as Kong 3's ``typedefs.router_path`` checks it
(:func:`router_path_error`).

kongdao stores routes as Kong 2.8 does (its ``routes`` entity is Kong 2.8's), so a checked
``3.0`` path is stored in the 2.8 form that the 2.8 router reads the same way
(:func:`to_stored_path`): ``~<regex>`` becomes ``<regex>``; a prefix path keeps its
characters, except that the few the 2.8 router would read as a regex are escaped with a
backslash (``/v1/a+b`` becomes the regex ``/v1/a\+b``, which matches the same requests). An
export goes the other way with :func:`migrate_path` (:func:`to_format_path`). The one loss:
a regex made only of prefix characters (``~/users``) is stored, and exported, as the prefix
path ``/users``; both match the same requests (Kong anchors regex paths at the start).

Lua strings are bytes, Python strings are characters. Percent-escapes are decoded as bytes and
the result read as UTF-8; an escape whose byte would not form valid UTF-8 is left encoded (Kong
would write the raw byte into the path).
"""

from __future__ import annotations

import re
from typing import Final

from kongdao.schema.pcre import compile_pcre

__all__ = [
    "is_plain",
    "migrate_path",
    "normalize",
    "normalize_regex",
    "router_path_error",
    "to_format_path",
    "to_stored_path",
]

# What Kong's router (2.8) and its 3.0 migration take as a plain path: ngx.re.find(path,
# [[[a-zA-Z0-9\.\-_~/%]*$]], "ajo"), anchored at the start; PCRE's `$` also matches before a
# final newline, as Python's does.
_PLAIN: Final = re.compile(r"[a-zA-Z0-9.\-_~/%]*$")
# Characters that mean themselves in a PCRE pattern (outside classes), besides letters and digits.
_LITERAL: Final = frozenset("-_~/%")

# RFC 3986 reserved characters: kong.tools.uri never decodes their escapes.
_RESERVED: Final = frozenset(b"!*'();:@&=+$,/?%#[]")
# migrate_path_280_300.lua: escapes of these stay encoded (upper-cased) in a migrated regex ...
_REGEX_RESERVED: Final = frozenset(b"!#$%&'()*+,/:;=?@[]")
# ... and these come back as escaped regex metacharacters.
_REGEX_META: Final[dict[int, str]] = {
    0x2E: r"\.",
    0x5E: r"\^",
    0x2D: r"\-",
    0x7B: r"\{",
    0x7D: r"\}",
    0x5C: "\\\\",
    0x7C: r"\|",
}
_ESCAPE: Final = re.compile(r"%([0-9A-Fa-f]{2})")
# A decoded byte, waiting to be read as UTF-8 with its neighbours (a private-use character).
_BYTE_MARK: Final = "\ue000"
_MARKED_RUN: Final = re.compile("(?:\ue000[0-9A-F]{2})+")

# typedefs.path's RFC 3986 check (Lua's %w is ASCII) and its percent-encoding check.
_RFC3986: Final = re.compile(r"/[A-Za-z0-9.\-_~/%:@!$&'()*+,;=]*\Z")
_GOOD_ESCAPE: Final = re.compile(r"%[0-9A-Fa-f]{2}")


def _decode(text: str, replace: dict[int, str | None]) -> str:
    """Decode ``%XX`` escapes as ``replace`` says.

    ``replace[byte]`` is the text to use, ``None`` keeps the escape (upper-cased), a byte missing
    from ``replace`` is decoded. Decoded bytes are read as UTF-8; a byte that is not part of
    valid UTF-8 stays escaped.
    """

    def substitute(match: re.Match[str]) -> str:
        byte = int(match.group(1), 16)
        if byte in replace:
            value = replace[byte]
            return match.group(0).upper() if value is None else value
        if guarded:
            return chr(byte) if byte < 0x80 else match.group(0).upper()
        return _BYTE_MARK + match.group(1).upper()

    # (a path holding the marker itself only gets its ASCII escapes decoded)
    guarded = _BYTE_MARK in text
    marked = _ESCAPE.sub(substitute, text)
    if _BYTE_MARK not in marked:
        return marked
    # decode runs of marked bytes together: a multi-byte UTF-8 character spans several escapes
    return _MARKED_RUN.sub(_decode_run, marked)


def _decode_run(match: re.Match[str]) -> str:
    raw = bytes(int(hex_, 16) for hex_ in match.group(0).split(_BYTE_MARK)[1:])
    text = raw.decode("utf-8", errors="surrogateescape")
    return "".join(f"%{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in text)


_NORMALIZE_DECODE: Final[dict[int, str | None]] = dict.fromkeys(_RESERVED)
_REGEX_DECODE: Final[dict[int, str | None]] = {
    **dict.fromkeys(_REGEX_RESERVED),
    **_REGEX_META,
}


def normalize(uri: str, merge_slashes: bool = True) -> str:
    """Kong 3's ``kong.tools.uri.normalize``: the canonical form of a path.

    Percent-escapes of characters that are not RFC 3986 reserved are decoded (reserved ones are
    upper-cased), ``.`` and ``..`` segments are removed, and with ``merge_slashes`` runs of
    ``/`` become one.

    Args:
        uri: The path.
        merge_slashes: Whether ``//`` becomes ``/`` (Kong's route paths: yes).

    Returns:
        The normalised path (``"/a/b"`` for ``"/a/./x/../b"``).
    """
    if uri in ("", "/"):
        return uri
    if "%" in uri:
        uri = _decode(uri, _NORMALIZE_DECODE)
    if "." not in uri and (not merge_slashes or "//" not in uri):
        return uri

    output: list[str] = []
    while uri:
        if uri == "/.":
            uri = "/"
        elif uri == "/..":
            uri = "/"
            if output:
                output.pop()
        elif uri in (".", ".."):
            uri = ""
        elif uri.startswith("../"):
            uri = uri[3:]
        elif uri.startswith(("./", "/./")):
            uri = uri[2:]
        elif uri.startswith("/../"):
            uri = uri[3:]
            if output:
                output.pop()
        elif merge_slashes and uri.startswith("//"):
            uri = uri[1:]
        else:
            slash = uri.find("/", 1)
            if slash == -1:
                output.append(uri)
                uri = ""
            else:
                output.append(uri[:slash])
                uri = uri[slash:]
    return "".join(output)


def normalize_regex(regex: str) -> str:
    r"""Kong 3's ``normalize_regex``: decode the percent-escapes of a regex path being migrated.

    Reserved characters stay escaped (upper-cased); ``. ^ - { } \ |`` come back as escaped
    regex metacharacters; everything else is decoded.
    """
    if "%" not in regex:
        return regex
    return _decode(regex, _REGEX_DECODE)


def is_plain(path: str) -> bool:
    """Whether Kong 2.8's router (and Kong 3's migration) takes ``path`` literally."""
    return _PLAIN.match(path) is not None


def migrate_path(path: str) -> str:
    """Kong 3's ``migrate_path``: a ``"1.1"``/``"2.1"`` (Kong 2.8) route path in ``"3.0"`` form.

    A plain path is normalised (:func:`normalize`); any other path is a regex and becomes
    ``"~" + normalize_regex(path)``.
    """
    if is_plain(path):
        return normalize(path, True)
    return "~" + normalize_regex(path)


def _percent_error(path: str) -> str | None:
    # typedefs.path's custom validator reaches its percent-encoding check only when the path
    # passes the RFC 3986 check; Kong 3's router_path ignores the RFC 3986 failure itself.
    if _RFC3986.match(path) is None:
        return None
    raw = _GOOD_ESCAPE.sub("___", path)
    percent = raw.find("%")
    if percent == -1:
        return None
    return f"invalid url-encoded value: '{raw[percent : percent + 3]}'"


def router_path_error(path: str) -> str | None:
    """Check a ``"3.0"`` route path as Kong 3's ``typedefs.router_path`` does.

    Returns:
        ``None`` when valid, else Kong's message: ``must not have empty segments``,
        ``should start with: / (fixed path) or ~/ (regex path)``, ``invalid url-encoded value:
        '%zz'``, ``non-normalized path, consider use '/a' instead``, or ``invalid regex: '<regex>'
        (PCRE returned: <why>)``.
    """
    if "//" in path:
        return "must not have empty segments"
    if not path.startswith(("/", "~/")):
        return "should start with: / (fixed path) or ~/ (regex path)"
    percent = _percent_error(path)
    if percent is not None:
        return percent
    if not path.startswith("~"):
        normalized = normalize(path, True)
        if normalized != path:
            return f"non-normalized path, consider use '{normalized}' instead"
        return None
    regex = path[1:]
    try:
        compile_pcre(regex)
    except re.error as exc:
        return f"invalid regex: '{regex}' (PCRE returned: {exc})"
    return None


def to_stored_path(path: str) -> str:
    r"""A valid ``"3.0"`` route path in the Kong 2.8 form kongdao stores.

    ``~<regex>`` becomes ``<regex>``. A prefix path the 2.8 router would also take literally is
    kept; any other one becomes the regex that matches it literally (``/a.b+`` becomes
    ``/a\.b\+``), so that it matches the same requests.
    """
    if path.startswith("~"):
        return path[1:]
    if is_plain(path):
        return path
    # the whole path becomes a regex: escape its regex syntax, "." included
    return "".join(
        "\\" + char if char.isascii() and not char.isalnum() and char not in _LITERAL else char
        for char in path
    )


def to_format_path(path: str) -> str:
    """A stored (Kong 2.8 form) route path in ``"3.0"`` form, for exports: :func:`migrate_path`."""
    return migrate_path(path)
