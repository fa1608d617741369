"""Lua patterns translated into Python regular expressions (kongdao.schema.lua).

The expected results of the tables were checked against LuaJIT 2.1 (``string.find``), the Lua
Kong runs on.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kongdao.schema.lua import lua_pattern, translate

# (pattern, subject, the text string.find matches or None)
MATCHES: list[tuple[str, str, str | None]] = [
    # literals and anchors
    ("abc", "xxabcxx", "abc"),
    ("^abc", "xxabc", None),
    ("^abc", "abcxx", "abc"),
    ("abc$", "abcxx", None),
    ("abc$", "xxabc", "abc"),
    ("abc$", "xxabc\n", None),
    ("^$", "", ""),
    ("^$", "a", None),
    ("a^b", "a^b", "a^b"),
    ("a$b", "a$b", "a$b"),
    ("$", "abc", ""),
    ("^^", "^a", "^"),
    ("$$", "a$", "$"),
    # any character, newlines included
    ("a.c", "a\nc", "a\nc"),
    ("^.$", "\n", "\n"),
    # character classes
    ("%a+", "12abC34", "abC"),
    ("%A+", "ab12!?cd", "12!?"),
    ("%d+", "ab123cd", "123"),
    ("%D+", "12ab34", "ab"),
    ("%l+", "ABcdEF", "cd"),
    ("%u+", "abCDef", "CD"),
    ("%s+", "a \t\r\n\v\fb", " \t\r\n\v\f"),
    ("%S+", "  ab  ", "ab"),
    ("%w+", "--a1B2--", "a1B2"),
    ("%W+", "ab-_.cd", "-_."),
    ("%x+", "xyz0fAFg", "0fAF"),
    ("%X+", "0fxyz1", "xyz"),
    ("%p+", "ab!-/:@[`{~cd", "!-/:@[`{~"),
    ("%P+", "!!ab1!!", "ab1"),
    ("%c+", "a\x01\x1f\x7fb", "\x01\x1f\x7f"),
    ("%C+", "\x01ab\x02", "ab"),
    ("%g+", "  a!~  ", "a!~"),
    ("%z", "a\x00b", "\x00"),
    # %-escapes of non-alphanumerics, and of letters that are not classes
    ("%.", "abc.def", "."),
    ("%%", "100%", "%"),
    ("%-", "a-b", "-"),
    ("%[%]", "x[]y", "[]"),
    ("%q", "pqr", "q"),
    # sets, ranges and complements
    ("[abc]+", "xxbcaxx", "bca"),
    ("[^abc]+", "abxyzab", "xyz"),
    ("[a-c]+", "zzabcdzz", "abc"),
    ("[%d.]+", "v1.2.3-rc", "1.2.3"),
    ("[%w%.%-%_~]+", "a.b-c_d~e/f", "a.b-c_d~e"),
    ("^[%w.-_~]+$", "a/b:c", "a/b:c"),  # .-_ is the range 0x2E-0x5F, which holds / and :
    ("^[%w%.%-_~]+$", "a/b", None),
    ("[]]", "a]b", "]"),
    ("[^]]+", "ab]c", "ab"),
    ("[a-]+", "a-a-b", "a-a-"),
    ("[-a]+", "-a-b", "-a-"),
    ("[%a-z]+", "A-z0", "A-z"),  # a class cannot start a range
    ("[z-a]", "abz", None),  # an empty range matches nothing
    ("[^z-a]", "q", "q"),
    ("[%]]", "]", "]"),
    ("[a%]]+", "a]a", "a]a"),
    ("[^%s]+", "  ab  ", "ab"),
    ("[^%a%d]+", "ab-_12", "-_"),
    ("[%A]+", "ab12cd", "12"),
    ("[\\]+", "a\\\\b", "\\\\"),
    ("[.]", "abc", None),
    ("[.]", "a.c", "."),
    # quantifiers
    ("ab*", "abbbc", "abbb"),
    ("ab+", "ac", None),
    ("ab?c", "ac", "ac"),
    ("ab?c", "abc", "abc"),
    ("a.-b", "axxbxxb", "axxb"),
    ("a.*b", "axxbxxb", "axxbxxb"),
    ("a-", "aaa", ""),
    ("^a-$", "aaa", "aaa"),
    ("a**", "aa**", "aa*"),  # the second * is a literal, quantified by nothing
    ("*a", "x*a", "*a"),
    ("+", "a+b", "+"),
    ("-", "a-b", "-"),
    ("?", "a?", "?"),
    ("^*", "*x", "*"),
    ("%d+%.?%d*", "v10.25x", "10.25"),
    ("[^*]*%*?[^*]*", "*.example.*", "*.example."),
    # captures do not change what matches
    ("(a+)(b+)", "xaabbx", "aabb"),
    ("()ab", "xab", "ab"),
    ("(a)%1", "aab", "aa"),
    ("(a)%1", "ab", None),
    ("(%d)%1%1", "1222", "222"),
    ("(a)%10", "aa0", "aa0"),  # %1 then a literal 0, not a capture 10
    ("(a)*", "a*", "a*"),  # a quantifier after ')' is a literal
    # Kong's own patterns
    ("^%u+$", "GET", "GET"),
    ("^%u+$", " GET", None),
    ("^%*%.", "*.example.com", "*."),
    ("%.%*$", "example.*", ".*"),
    ("^[^*]*$", "example.com", "example.com"),
    ("^%d+[%.%d]*%-?.*$", "1.2.3-rc.1", "1.2.3-rc.1"),
    ("%.%.", "1..1", ".."),
    ("^[Hh][Oo][Ss][Tt]$", "HoSt", "HoSt"),
    ("^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?):(%d+)$", "1.2.3.4:80", "1.2.3.4:80"),
    ("^([%w][%w%+%-%.]*)%:", "git+ssh://x", "git+ssh:"),
    (":([^:%]]*)$", "[::1]:8080", ":8080"),
    ("%%%x%x", "/a%2fb", "%2f"),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), MATCHES)
def test_matches_like_lua(pattern: str, subject: str, expected: str | None) -> None:
    m = lua_pattern(pattern).search(subject)
    assert (None if m is None else m.group(0)) == expected


# (pattern, the regular expression it becomes)
TRANSLATIONS: list[tuple[str, str]] = [
    ("abc", "abc"),
    ("^a$", r"\Aa\Z"),
    ("%.", r"\."),
    ("%d", r"[\x30-\x39]"),
    ("a-", "a*?"),
    ("a+b*c?", "a+b*c?"),
    ("[%w.-_~]", r"[\x2e-\x5f\x61-\x7a\x7e]"),
    ("(a)%1", r"(a)(?:\1)"),
    ("()", "()"),
    ("a^$b", r"a\^\$b"),
]


@pytest.mark.parametrize(("pattern", "regex"), TRANSLATIONS)
def test_translation(pattern: str, regex: str) -> None:
    assert translate(pattern) == regex


def test_compiled_with_dotall_and_cached() -> None:
    compiled = lua_pattern("a.b")
    assert compiled.flags & re.DOTALL
    assert lua_pattern("a.b") is compiled


ERRORS: list[tuple[str, str]] = [
    ("%b()", "has no regular-expression equivalent"),
    ("%f[%w]", "has no regular-expression equivalent"),
    ("abc%", "malformed pattern (ends with '%')"),
    ("[abc", "malformed pattern (missing ']')"),
    ("[]", "malformed pattern (missing ']')"),
    ("[a%]", "malformed pattern (missing ']')"),
    ("a)", "invalid pattern capture"),
    ("(a", "unfinished capture"),
    ("%1", "invalid capture index %1"),
    ("(a%1)", "invalid capture index %1"),
    ("(a)%2", "invalid capture index %2"),
    ("(a)%0", "invalid capture index %0"),
]


@pytest.mark.parametrize(("pattern", "message"), ERRORS)
def test_rejects(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        lua_pattern(pattern)


def test_non_ascii_is_never_in_a_class() -> None:
    assert lua_pattern("^%a+$").search("héllo") is None
    assert lua_pattern("^%A$").search("é") is not None
    assert lua_pattern("^[^%w]$").search("孔") is not None
    assert lua_pattern("^.$").search("🦍") is not None


_ALNUM = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x24F), max_size=20)


@given(_ALNUM)
def test_escaped_literal_always_matches_itself(text: str) -> None:
    # %-escaping every non-alphanumeric character makes any text a literal pattern.
    pattern = "".join(c if c.isascii() and c.isalnum() else "%" + c for c in text)
    m = lua_pattern("^" + pattern + "$").search(text)
    assert m is not None
    assert m.group(0) == text


@given(_ALNUM)
def test_classes_are_ascii(text: str) -> None:
    for letter, test in [
        ("a", lambda c: c.isascii() and c.isalpha()),
        ("d", lambda c: "0" <= c <= "9"),
        ("w", lambda c: c.isascii() and c.isalnum()),
        ("s", lambda c: c in " \t\n\v\f\r"),
    ]:
        lower = lua_pattern(f"%{letter}")
        upper = lua_pattern(f"%{letter.upper()}")
        for c in text:
            assert bool(lower.fullmatch(c)) is test(c)
            assert bool(upper.fullmatch(c)) is not test(c)
