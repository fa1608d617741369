"""Kong 0.13's DAO errors (``kong/dao/errors.lua``), translated from kongdao's errors.

A 0.13 error was a table ``{db_name, message, tbl, unique|foreign|schema|db = true}`` printed as
``[<db_name> error] <message>``; here it is an exception of the :class:`LegacyError` tree::

    Exception
     └── LegacyError                 (db_name, message, tbl; every flag False)
          ├── LegacyUniqueError      unique = True    Admin API 409
          ├── LegacyForeignError     foreign = True   Admin API 404
          ├── LegacySchemaError      schema = True    Admin API 400
          └── LegacyDBError          db = True        Admin API 500

When the error is about columns, ``tbl`` maps each column to its message and ``message`` is
``tbl`` rendered as 0.13's ``printable`` metatable did (``col=msg col2=msg2``):

* unique: ``{"name": "already exists with value 'mockbin'"}``;
* foreign: ``{"service_id": "does not exist with value '<uuid>'"}``;
* schema: ``{"host": "host is required"}``, ``{"foo": "foo is an unknown field"}``.

:func:`translate` builds them from kongdao's errors (:mod:`kongdao.errors`): the modern error is
kept as ``__cause__``, so nothing Kong 2.8 says about the failure is lost. Field names are the
legacy column names (``service_id``, not ``service``). Messages that 0.13 worded differently are
rewritten for the cases 0.13 had (required, unknown field, immutable, wrong type); every other
field message keeps kongdao's (Kong 2.8) wording, because 0.13 has no equivalent.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from kongdao import errors

__all__ = [
    "LegacyDBError",
    "LegacyError",
    "LegacyForeignError",
    "LegacySchemaError",
    "LegacyUniqueError",
    "db",
    "foreign",
    "legacy_message",
    "lua_tostring",
    "printable",
    "schema",
    "translate",
    "unique",
]

ColumnName = Callable[[str], str]
"""Maps a modern field path (``service.id``, ``config.key_names``) to a legacy column name."""


def lua_tostring(value: Any) -> str:
    """Lua's ``tostring`` for the values 0.13 messages contain (arrays joined with commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ",".join(lua_tostring(v) for v in value)
    if isinstance(value, Mapping):
        return printable(value)
    return str(value)


def printable(tbl: Mapping[str, Any]) -> str:
    """Render a table as 0.13's ``kong.tools.printable`` did: ``k=v k2=a,b``.

    Keys keep their order (Lua's ``pairs`` order was unspecified); arrays are joined with
    commas and nested tables rendered the same way.
    """
    return " ".join(f"{k}={lua_tostring(v)}" for k, v in tbl.items())


class LegacyError(Exception):
    """A Kong 0.13 DAO error: ``str(err)`` is ``[<db_name> error] <message>``.

    Catch this to handle any legacy failure, or test the flags as 0.13 code did
    (``if err.unique: ...``). Programmer errors (wrong argument types) raise :class:`TypeError`
    or :class:`ValueError` instead, as 0.13 raised Lua errors, and lifecycle errors (a closed DB)
    stay :class:`kongdao.errors.InterfaceError`.

    Args:
        message: the message; when ``None``, ``tbl`` rendered by :func:`printable`.
        tbl: per-column messages, or ``None``.
        db_name: ``postgres`` or ``cassandra`` (0.13's ``db.name``), or ``None``.

    Attributes:
        db_name: the database kind, or ``None``.
        message: the message (without the ``[... error]`` prefix).
        tbl: per-column messages (a new dict), or ``None``.
        unique: a unique value (or primary key) is taken.
        foreign: a foreign key references nothing (or a delete is refused).
        schema: the input or a filter is invalid.
        db: the database failed.

    .. versionadded:: 0.1
    """

    unique: ClassVar[bool] = False
    foreign: ClassVar[bool] = False
    schema: ClassVar[bool] = False
    db: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        tbl: Mapping[str, Any] | None = None,
        db_name: str | None = None,
    ) -> None:
        self.tbl: dict[str, Any] | None = None if tbl is None else dict(tbl)
        if message is None:
            message = printable(self.tbl) if self.tbl else ""
        self.message: str = message
        self.db_name: str | None = db_name
        super().__init__(message)

    def __str__(self) -> str:
        if self.db_name:
            return f"[{self.db_name} error] {self.message}"
        return self.message

    def __repr__(self) -> str:
        extra = "" if self.tbl is None else f", tbl={self.tbl!r}"
        return f"{type(self).__name__}({self.message!r}, db_name={self.db_name!r}{extra})"

    @property
    def kind(self) -> str:
        """``unique``, ``foreign``, ``schema``, ``db`` (0.13's flag), or ``""``."""
        for flag in ("unique", "foreign", "schema", "db"):
            if getattr(self, flag):
                return flag
        return ""


class LegacyUniqueError(LegacyError):
    """A unique value or the primary key is taken (0.13 ``Errors.unique``)."""

    unique = True


class LegacyForeignError(LegacyError):
    """A foreign key references nothing, or a delete is refused (0.13 ``Errors.foreign``)."""

    foreign = True


class LegacySchemaError(LegacyError):
    """The input, a primary key or a filter is invalid (0.13 ``Errors.schema``)."""

    schema = True


class LegacyDBError(LegacyError):
    """The database failed, or an operation cannot be served (0.13 ``Errors.db``)."""

    db = True


# -- 0.13's constructors -------------------------------------------------------------------------


def unique(tbl: Mapping[str, Any], db_name: str | None = None) -> LegacyUniqueError:
    """0.13's ``Errors.unique(tbl)``: each value becomes ``already exists with value '<v>'``."""
    return LegacyUniqueError(
        tbl={k: f"already exists with value '{lua_tostring(v)}'" for k, v in tbl.items()},
        db_name=db_name,
    )


def foreign(tbl: Mapping[str, Any] | str, db_name: str | None = None) -> LegacyForeignError:
    """0.13's ``Errors.foreign(tbl)``: each value becomes ``does not exist with value '<v>'``."""
    if isinstance(tbl, str):
        return LegacyForeignError(tbl, db_name=db_name)
    return LegacyForeignError(
        tbl={k: f"does not exist with value '{lua_tostring(v)}'" for k, v in tbl.items()},
        db_name=db_name,
    )


def schema(tbl: Mapping[str, Any] | str, db_name: str | None = None) -> LegacySchemaError:
    """0.13's ``Errors.schema(tbl_or_str)``: per-column messages, or one message."""
    if isinstance(tbl, str):
        return LegacySchemaError(tbl, db_name=db_name)
    return LegacySchemaError(tbl=tbl, db_name=db_name)


def db(message: str, db_name: str | None = None) -> LegacyDBError:
    """0.13's ``Errors.db(str)``."""
    return LegacyDBError(message, db_name=db_name)


# -- translation from kongdao's errors ----------------------------------------------------------

_TYPE_NAMES = {
    "expected a string": "string",
    "expected a number": "number",
    "expected an integer": "number",
    "expected a boolean": "boolean",
    "expected an array": "array",
    "expected a set": "array",
    "expected a map": "table",
    "expected a record": "table",
}


def legacy_message(column: str, message: str) -> str:
    """0.13's wording of a field message, where 0.13 had one; kongdao's otherwise."""
    if message == "required field missing":
        return f"{column} is required"
    if message == "unknown field":
        return f"{column} is an unknown field"
    if message == "immutable field cannot be updated":
        return f"{column} cannot be updated"
    type_name = _TYPE_NAMES.get(message)
    if type_name is not None:
        article = "an" if type_name == "array" else "a"
        return f"{column} is not {article} {type_name}"
    return message


def _flatten(
    tree: Any, path: str, column: ColumnName, out: dict[str, Any], entity_msgs: list[str]
) -> None:
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            if key == "@entity":
                items = value if isinstance(value, list | tuple) else [value]
                entity_msgs.extend(str(m) for m in items if m is not None)
                continue
            name = str(key)
            _flatten(value, f"{path}.{name}" if path else name, column, out, entity_msgs)
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree, 1):
            _flatten(value, f"{path}.{index}", column, out, entity_msgs)
    elif tree is not None:
        legacy = column(path)
        out[legacy] = legacy_message(legacy, str(tree))


def _schema_error(
    tree: Mapping[Any, Any] | None, fallback: str, column: ColumnName, db_name: str
) -> LegacySchemaError:
    tbl: dict[str, Any] = {}
    entity_msgs: list[str] = []
    if tree:
        _flatten(tree, "", column, tbl, entity_msgs)
    if entity_msgs:
        if not tbl:
            return LegacySchemaError("; ".join(entity_msgs), db_name=db_name)
        tbl["@entity"] = "; ".join(entity_msgs)
    if not tbl:
        return LegacySchemaError(fallback, db_name=db_name)
    return LegacySchemaError(tbl=tbl, db_name=db_name)


def _values(fields: Mapping[Any, Any] | None, column: ColumnName) -> dict[str, Any]:
    """Column -> value of the values a unique or foreign key error is about (nulls left out)."""
    out: dict[str, Any] = {}
    for key, value in (fields or {}).items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            for sub, subvalue in value.items():
                if subvalue is not None:
                    out[column(f"{key}.{sub}")] = subvalue
        else:
            out[column(str(key))] = value
    return out


def _identity(path: str) -> str:
    return path


def translate(
    exc: errors.KongDAOError, db_name: str, column: ColumnName = _identity
) -> LegacyError:
    """The 0.13 error for a kongdao error (raise it ``from exc``).

    Args:
        exc: the modern error (not an :class:`~kongdao.errors.InterfaceError`: those are
            lifecycle errors and are not translated).
        db_name: ``postgres`` or ``cassandra``.
        column: maps a modern field path (``service.id``) to a legacy column (``service_id``).

    Returns:
        unique for unique and primary key violations; foreign for foreign key violations
        (invalid references, refused deletes, unresolved keys); schema for invalid input,
        keys, options, sizes and offsets; db for everything else (database errors,
        transformation errors, unsupported operations).
    """
    message = exc.message or exc.name
    if isinstance(exc, errors.UniqueViolation | errors.PrimaryKeyViolation):
        values = _values(exc.fields, column)
        return unique(values, db_name) if values else db(message, db_name)
    if isinstance(exc, errors.ForeignKeyViolation):
        fields = exc.fields or {}
        if "@referenced_by" in fields:
            return LegacyForeignError(message, db_name=db_name)
        values = _values(fields, column)
        return foreign(values, db_name) if values else LegacyForeignError(message, db_name=db_name)
    if isinstance(exc, errors.ForeignKeysUnresolved):
        return LegacyForeignError(message, db_name=db_name)
    if isinstance(exc, errors.InvalidOptions):
        return _schema_error(exc.options, message, column, db_name)
    if isinstance(
        exc,
        errors.SchemaViolation
        | errors.InvalidPrimaryKey
        | errors.InvalidUnique
        | errors.InvalidForeignKey,
    ):
        return _schema_error(exc.fields, message, column, db_name)
    if isinstance(
        exc,
        errors.InvalidSize
        | errors.InvalidOffset
        | errors.DeclarativeConfigError
        | errors.InvalidUniqueGlobal,
    ):
        return LegacySchemaError(message, db_name=db_name)
    return LegacyDBError(message, db_name=db_name)
