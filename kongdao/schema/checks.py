"""Entity checks: Kong's cross-field validation rules, as data.

Each function returns an :class:`EntityCheck` to list in a schema's ``entity_checks``. The
validation engine (:mod:`kongdao.schema.schema`) runs them with Kong's rules: a check sees only
the fields it names (dotted paths reach into records), and it is skipped when one of its fields
already failed validation, when all of its fields are absent, or when a field it needs is absent
(that field then reports ``field required for entity check``), except for the checkers that Kong
runs with missing or invalid fields.

Messages are Kong's, e.g. ``at least one of these fields must be non-empty: 'custom_id',
'username'``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

__all__ = [
    "EntityCheck",
    "at_least_one_of",
    "conditional",
    "conditional_at_least_one_of",
    "custom_entity_check",
    "distinct",
    "mutually_exclusive",
    "mutually_exclusive_sets",
    "mutually_required",
    "only_one_of",
]

CheckName = Literal[
    "at_least_one_of",
    "conditional_at_least_one_of",
    "only_one_of",
    "distinct",
    "conditional",
    "custom_entity_check",
    "mutually_required",
    "mutually_exclusive",
    "mutually_exclusive_sets",
]

CheckResult = bool | str | None
"""What a custom check returns: ``None``/``True`` (passes), ``False`` or a message (fails)."""


@attrs.frozen(eq=False)
class EntityCheck:
    """One entry of ``entity_checks``.

    Args:
        name: the checker (Kong's name, e.g. ``at_least_one_of``).
        fields: the field names (dotted paths allowed) the check reads, in Kong's order.
        required: the subset of ``fields`` that must be present for the check to run.
        arg: the checker's argument (field list, or a dict for the conditional checkers).
    """

    name: CheckName
    fields: tuple[str, ...]
    required: frozenset[str]
    arg: Any

    @property
    def run_with_missing_fields(self) -> bool:
        """Whether Kong runs this check on a full validation even if all its fields are absent."""
        return self.name in _RUN_WITH_MISSING

    @property
    def run_with_invalid_fields(self) -> bool:
        """Whether Kong runs this check even when one of its fields failed validation."""
        return self.name in _RUN_WITH_INVALID


_RUN_WITH_MISSING = frozenset(
    (
        "at_least_one_of",
        "conditional_at_least_one_of",
        "mutually_required",
        "mutually_exclusive",
        "mutually_exclusive_sets",
    )
)
_RUN_WITH_INVALID = frozenset(
    ("at_least_one_of", "conditional_at_least_one_of", "only_one_of", "distinct", "conditional")
)


def _names(names: Sequence[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise TypeError("expected a sequence of field names, not a string")
    if not names:
        raise ValueError("an entity check needs at least one field")
    return tuple(names)


def at_least_one_of(*names: str) -> EntityCheck:
    """At least one of the fields must be non-empty (not null, ``""``, ``[]`` or ``{}``)."""
    fs = _names(names)
    return EntityCheck("at_least_one_of", fs, frozenset(fs), fs)


def only_one_of(*names: str) -> EntityCheck:
    """Exactly one of the fields must be non-empty."""
    fs = _names(names)
    return EntityCheck("only_one_of", fs, frozenset(fs), fs)


def distinct(*names: str) -> EntityCheck:
    """The non-empty values of the fields must be pairwise different."""
    fs = _names(names)
    return EntityCheck("distinct", fs, frozenset(fs), fs)


def mutually_required(*names: str) -> EntityCheck:
    """Either all of the fields are non-empty, or none is."""
    fs = _names(names)
    return EntityCheck("mutually_required", fs, frozenset(fs), fs)


def mutually_exclusive(*names: str) -> EntityCheck:
    """At most one of the fields is non-empty."""
    fs = _names(names)
    return EntityCheck("mutually_exclusive", fs, frozenset(fs), fs)


def mutually_exclusive_sets(set1: Sequence[str], set2: Sequence[str]) -> EntityCheck:
    """Fields of ``set1`` and fields of ``set2`` may not both be set."""
    s1, s2 = _names(set1), _names(set2)
    return EntityCheck("mutually_exclusive_sets", s1 + s2, frozenset(), {"set1": s1, "set2": s2})


def conditional(
    *,
    if_field: str,
    if_match: Mapping[str, Any],
    then_field: str,
    then_match: Mapping[str, Any],
    then_err: str | None = None,
) -> EntityCheck:
    """If ``if_field`` validates against ``if_match``, ``then_field`` must match ``then_match``.

    ``if_match`` and ``then_match`` are partial field definitions (attributes of
    :class:`~kongdao.schema.Field`): they inherit everything else from the field they test, as
    in Kong. ``then_match={"required": True}`` demands a non-null value.

    Args:
        if_field: the field whose value decides.
        if_match: validator attributes the value of ``if_field`` is tested against.
        then_field: the field that must then validate.
        then_match: validator attributes for ``then_field``.
        then_err: an entity-level message replacing Kong's default; ``%s`` is ``if_field``.
    """
    arg = {
        "if_field": if_field,
        "if_match": dict(if_match),
        "then_field": then_field,
        "then_match": dict(then_match),
        "then_err": then_err,
    }
    return EntityCheck("conditional", (if_field, then_field), frozenset((if_field,)), arg)


def conditional_at_least_one_of(
    *,
    if_field: str,
    if_match: Mapping[str, Any],
    then_at_least_one_of: Sequence[str],
    then_err: str | None = None,
    else_match: Mapping[str, Any] | None = None,
    else_then_at_least_one_of: Sequence[str] | None = None,
    else_then_err: str | None = None,
) -> EntityCheck:
    """If ``if_field`` matches, at least one of ``then_at_least_one_of`` must be non-empty.

    Otherwise, if ``else_match`` is given and matches, one of ``else_then_at_least_one_of``
    must be. ``then_err`` / ``else_then_err`` replace the message; ``%s`` is the quoted list.
    """
    then_names = _names(then_at_least_one_of)
    else_names = tuple(else_then_at_least_one_of or ())
    arg = {
        "if_field": if_field,
        "if_match": dict(if_match),
        "then_at_least_one_of": then_names,
        "then_err": then_err,
        "else_match": None if else_match is None else dict(else_match),
        "else_then_at_least_one_of": else_names,
        "else_then_err": else_then_err,
    }
    return EntityCheck(
        "conditional_at_least_one_of",
        (if_field, *then_names, *else_names),
        frozenset(),
        arg,
    )


def custom_entity_check(
    *, field_sources: Sequence[str], fn: Callable[[dict[str, Any]], CheckResult]
) -> EntityCheck:
    """Run ``fn`` on a projection of the entity holding only ``field_sources``.

    ``fn`` returns ``None`` or ``True`` when the entity passes, a message (or ``False``) when it
    fails. It runs only when every source field is present and valid.
    """
    fs = _names(field_sources)
    return EntityCheck("custom_entity_check", fs, frozenset(fs), {"field_sources": fs, "fn": fn})
