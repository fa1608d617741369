"""The configuration schema of ``pre-function`` and ``post-function`` (Kong 2.8's ``_schema.lua``).

Kong's serverless plugins run Lua code: arrays of chunks for the ``certificate``, ``rewrite``,
``access``, ``header_filter``, ``body_filter`` and ``log`` phases, each filled with ``[]`` by
default. ``functions`` is the interface of the plugins' first versions (code for the access
phase), deprecated in favour of ``access``: it is still a plain field in Kong 2.8 (no shorthand),
and a non-empty ``functions`` logs Kong's warning (``[pre-function] 'config.functions' will be
deprecated in favour of 'config.access'``) on this module's logger. The plugins cannot be
applied to a consumer, and run on any protocol.

Kong's checks, with its messages:

* ``functions`` and ``access`` are not both non-empty (``these sets are mutually exclusive:
  ('config.functions'), ('config.access')``);
* at least one phase has code (``at least one of these fields must be non-empty:
  'config.functions', 'config.certificate', ...``);
* each chunk is a non-empty string (``length must be at least 1``).

Left out: Kong also compiles each chunk (``loadstring``) and refuses code that does not parse
(``error parsing pre-function: [string "print("]:1: unexpected symbol near '<eof>'``).
kongdao cannot compile Lua: every non-empty string is accepted, and the gateway reports
broken code when it loads the plugin.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from kongdao.schema import Field, Schema, checks, typedefs

__all__ = ["PHASES", "SCHEMA", "function_schema"]

_LOG: Final = logging.getLogger(__name__)
_FUNCTIONS_DEPRECATED: Final = (
    "[%s] 'config.functions' will be deprecated in favour of 'config.access'"
)

PHASES: Final = ("certificate", "rewrite", "access", "header_filter", "body_filter", "log")
"""The phases that take code, in Kong's field order (after the deprecated ``functions``)."""


def _phase_functions(**overrides: Any) -> Field:
    """Kong's ``phase_functions``: an array of Lua chunks, ``[]`` by default."""
    # Kong's validate_function (loadstring) is left out: see the module docstring.
    return Field(
        type="array",
        required=True,
        default=[],
        elements=Field(type="string", required=False),
        **overrides,
    )


def function_schema(plugin_name: str) -> Schema:
    """The configuration schema of a serverless plugin (Kong's ``_schema.lua``).

    Args:
        plugin_name: ``pre-function`` or ``post-function``: the schema's name, and the name
            in the deprecation warning.

    Returns:
        The plugin's subschema of ``plugins``.
    """

    def warn_functions(value: list[str]) -> None:
        if len(value) > 0:
            _LOG.warning(_FUNCTIONS_DEPRECATED, plugin_name)

    return Schema(
        name=plugin_name,
        fields=[
            ("consumer", typedefs.no_consumer()),
            (
                "config",
                Field(
                    type="record",
                    fields=[
                        ("functions", _phase_functions(custom_validator=warn_functions)),
                        *((phase, _phase_functions()) for phase in PHASES),
                    ],
                ),
            ),
        ],
        entity_checks=[
            checks.mutually_exclusive_sets(["config.functions"], ["config.access"]),
            checks.at_least_one_of("config.functions", *(f"config.{phase}" for phase in PHASES)),
        ],
    )


SCHEMA: Final = function_schema("pre-function")
"""The ``pre-function`` subschema of ``plugins``."""
