r"""Kong's regular expressions (PCRE, as OpenResty's ``ngx.re``) checked with Python's :mod:`re`.

Kong validates ``is_regex`` fields and regex route paths with PCRE. kongdao compiles them with
Python's engine after rewriting PCRE's named-group spellings (``(?<name>...)``, ``(?'name'...)``,
``\k<name>``), which Kong users write often. Differences that remain: PCRE-only constructs
such as ``\p{L}``, ``\Q...\E``, possessive quantifiers and ``(*VERB)`` are rejected.
"""

from __future__ import annotations

import re
import warnings

__all__ = ["compile_pcre", "pcre_to_python"]

_PCRE_NAMED_GROUP = re.compile(r"\(\?<(?![=!])|\(\?'([A-Za-z_]\w*)'|\\k[<{']([A-Za-z_]\w*)[>}']")


def pcre_to_python(pattern: str) -> str:
    """Rewrite PCRE's named-group syntax into Python's."""

    def rewrite(m: re.Match[str]) -> str:
        text = m.group(0)
        if text == "(?<":
            return "(?P<"
        if m.group(1) is not None:
            return f"(?P<{m.group(1)}>"
        return f"(?P={m.group(2)})"

    return _PCRE_NAMED_GROUP.sub(rewrite, pattern)


def compile_pcre(pattern: str) -> re.Pattern[str]:
    """Compile a PCRE-flavoured pattern with Python's engine.

    Raises:
        re.error: the pattern is not a valid regular expression.
    """
    with warnings.catch_warnings():
        # e.g. FutureWarning "possible nested set": PCRE has no such notion
        warnings.simplefilter("ignore")
        return re.compile(pcre_to_python(pattern))
