r"""Lua patterns as Python regular expressions.

Kong's schemas write ``match``, ``not_match``, ``match_all``, ``match_none`` and ``match_any`` as
Lua patterns, which are not regular expressions: ``%d`` instead of ``\d``, ``-`` as a lazy
``*``, ``%.`` instead of ``\.``, and ``.-_`` inside a set is a *range*. :func:`lua_pattern`
translates a Lua pattern into a compiled :mod:`re` pattern that accepts the same strings, so that
schemas can be ported from Kong as written.

What is translated:

* ``.`` (any character, newlines included: the regex is compiled with :data:`re.DOTALL`);
* the classes ``%a %c %d %g %l %p %s %u %w %x`` (``%g`` as in LuaJIT 2.1, ``%z`` as in Lua
  5.1), their upper-case complements, and ``%`` followed by any other character as that
  character;
* sets ``[...]`` and ``[^...]`` with ranges, classes and escapes, exactly as Lua delimits them
  (``[]]`` holds a ``]``; ``[%w.-_~]`` holds the *range* ``.``-``_``);
* the quantifiers ``*``, ``+``, ``?`` and the lazy ``-``, which apply to the single-character
  item before them only (elsewhere they are literal characters, as in Lua);
* ``^`` anchors only as the first character of the pattern, ``$`` only as the last (``\Z``);
  elsewhere both are literal;
* captures ``(...)``, position captures ``()`` (an empty group here) and back-references
  ``%1``-``%9``.

``%b`` and ``%f`` have no regex equivalent and raise :class:`ValueError`, as do malformed
patterns (with Lua's message).

Differences from Lua, all deliberate:

* Lua matches bytes, kongdao matches characters. On ASCII subjects the results are identical.
  The classes are ASCII-only in both (Lua's use the C locale), but ``.``, ``%A`` or ``[^%w]``
  consume a whole non-ASCII character where Lua consumes one of its UTF-8 bytes, so patterns
  that count characters (``^..?$``) accept different non-ASCII strings, and a pattern that
  spells byte values, like ``[\128-\244]``, means the *code points* 128 to 244 here. Kong's
  typedefs that rely on byte ranges (tags, ``utf8_name``) are written as Python code in
  :mod:`kongdao.schema.typedefs` instead.
* A malformed pattern raises when it is translated; Lua raises only when a match reaches the
  bad item (``string.find("x", "a(")`` returns nil instead of failing).
* A position capture ``()`` captures an empty string instead of a position. Only the groups
  differ; what matches does not.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["lua_pattern", "translate"]

_MAX_CODE_POINT: Final = 0x10FFFF

Ranges = tuple[tuple[int, int], ...]

_CLASSES: Final[dict[str, Ranges]] = {
    "a": ((0x41, 0x5A), (0x61, 0x7A)),
    "c": ((0x00, 0x1F), (0x7F, 0x7F)),
    "d": ((0x30, 0x39),),
    "g": ((0x21, 0x7E),),
    "l": ((0x61, 0x7A),),
    "p": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "s": ((0x09, 0x0D), (0x20, 0x20)),
    "u": ((0x41, 0x5A),),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "x": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
    "z": ((0x00, 0x00),),
}

_QUANTIFIERS: Final[dict[str, str]] = {"*": "*", "+": "+", "-": "*?", "?": "?"}


def _normalise(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: Sequence[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    start = 0
    for lo, hi in _normalise(ranges):
        if lo > start:
            out.append((start, lo - 1))
        start = hi + 1
    if start <= _MAX_CODE_POINT:
        out.append((start, _MAX_CODE_POINT))
    return tuple(out)


def _class_ranges(letter: str) -> Ranges:
    """The ranges of ``%<letter>``: a class, its complement, or the letter itself."""
    base = _CLASSES.get(letter.lower())
    if base is None:
        return ((ord(letter), ord(letter)),)
    return _complement(base) if letter.isupper() else base


def _code_point(cp: int) -> str:
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    items = _normalise(ranges)
    if not items:
        # A set that can match nothing; still a single item, so it can be quantified.
        return f"[^\\x00-{_code_point(_MAX_CODE_POINT)}]"
    parts = [
        _code_point(lo) if lo == hi else f"{_code_point(lo)}-{_code_point(hi)}" for lo, hi in items
    ]
    return "[" + "".join(parts) + "]"


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.n = len(pattern)
        # One entry per capture, in opening order: whether it is closed yet.
        self.captures: list[bool] = []

    def run(self) -> str:
        p, n = self.p, self.n
        out: list[str] = []
        i = 0
        if p.startswith("^"):
            out.append(r"\A")
            i = 1
        while i < n:
            c = p[i]
            if c == "(":
                if p.startswith("()", i):
                    self.captures.append(True)
                    out.append("()")
                    i += 2
                else:
                    self.captures.append(False)
                    out.append("(")
                    i += 1
            elif c == ")":
                self._close_capture()
                out.append(")")
                i += 1
            elif c == "$" and i == n - 1:
                out.append(r"\Z")
                i += 1
            elif c == "%" and i + 1 < n and p[i + 1] in "bf":
                raise ValueError(
                    f"Lua pattern item '%{p[i + 1]}' has no regular-expression equivalent"
                )
            elif c == "%" and i + 1 < n and "0" <= p[i + 1] <= "9":
                out.append(self._back_reference(int(p[i + 1])))
                i += 2
            else:
                item, i = self._single(i)
                if i < n and p[i] in _QUANTIFIERS:
                    item += _QUANTIFIERS[p[i]]
                    i += 1
                out.append(item)
        if not all(self.captures):
            raise ValueError("unfinished capture")
        return "".join(out)

    def _close_capture(self) -> None:
        for level in range(len(self.captures) - 1, -1, -1):
            if not self.captures[level]:
                self.captures[level] = True
                return
        raise ValueError("invalid pattern capture")

    def _back_reference(self, level: int) -> str:
        if level < 1 or level > len(self.captures) or not self.captures[level - 1]:
            raise ValueError(f"invalid capture index %{level}")
        # Grouped so that a digit after it is not read as part of the group number.
        return f"(?:\\{level})"

    def _single(self, i: int) -> tuple[str, int]:
        """Translate the single-character item at ``i``; return it and the index after it."""
        p = self.p
        c = p[i]
        if c == ".":
            return ".", i + 1
        if c == "%":
            if i + 1 >= self.n:
                raise ValueError("malformed pattern (ends with '%')")
            letter = p[i + 1]
            if letter.lower() in _CLASSES:
                return _char_class(_class_ranges(letter)), i + 2
            return re.escape(letter), i + 2
        if c == "[":
            return self._set(i)
        return re.escape(c), i + 1

    def _set(self, start: int) -> tuple[str, int]:
        """Translate the set opening at ``start``, delimited the way Lua's ``classEnd`` does."""
        p, n = self.p, self.n
        negate = start + 1 < n and p[start + 1] == "^"
        first = start + 2 if negate else start + 1
        # Find the closing bracket: the first character is never the end, '%x' is skipped.
        j = first
        while True:
            if j >= n:
                raise ValueError("malformed pattern (missing ']')")
            ch = p[j]
            j += 1
            if ch == "%" and j < n:
                j += 1
            if j < n and p[j] == "]":
                break
        end = j
        ranges: list[tuple[int, int]] = []
        k = first
        while k < end:
            ch = p[k]
            if ch == "%":
                ranges.extend(_class_ranges(p[k + 1]))
                k += 2
            elif k + 2 < end and p[k + 1] == "-":
                # The range's upper bound is taken literally, even if it is '%'.
                ranges.append((ord(ch), ord(p[k + 2])))
                k += 3
            else:
                ranges.append((ord(ch), ord(ch)))
                k += 1
        if negate:
            return _char_class(_complement(ranges)), end + 1
        return _char_class(ranges), end + 1


def translate(pattern: str) -> str:
    """Translate a Lua pattern into the source of an equivalent Python regular expression.

    The result is meant to be compiled with :data:`re.DOTALL` and used with
    :meth:`re.Pattern.search`, like Lua's ``string.match`` and ``string.find``.

    Args:
        pattern: a Lua pattern.

    Returns:
        The regular expression.

    Raises:
        ValueError: the pattern uses ``%b`` or ``%f``, or is malformed.
    """
    return _Translator(pattern).run()


@functools.lru_cache(maxsize=1024)
def lua_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a Lua pattern into an equivalent Python regular expression.

    Search the result (``.search``) to get Lua's ``string.match`` semantics: the pattern is
    anchored only if it starts with ``^`` / ends with ``$``.

    Args:
        pattern: a Lua pattern, e.g. ``"^[%w%.%-%_~]+$"``.

    Returns:
        The compiled regular expression (with :data:`re.DOTALL`).

    Raises:
        ValueError: the pattern uses ``%b`` or ``%f``, or is malformed.
    """
    regex = translate(pattern)
    try:
        return re.compile(regex, re.DOTALL)
    except re.error as exc:  # pragma: no cover - translate() only emits valid regexes
        raise ValueError(f"cannot translate Lua pattern {pattern!r}: {exc}") from exc
