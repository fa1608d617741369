"""Kong 0.13's ``singletons.dao`` API, as a thin adapter over the modern async DAO.

Gateway code written against Kong 0.13 reached entities through the DAO factory
(``dao.plugins:insert(...)``, ``find_all{...}``, ``find_page``, ``count``,
``update(values, filter_keys, {full = true})``). ``db.dao`` (a :class:`LegacyFactory`) gives
that code the same calls on a kongdao DB::

    plugin = await db.dao.plugins.insert({"name": "key-auth", "service_id": service.id})
    rows = await db.dao.plugins.find_all({"name": "key-auth"})
    rows, offset = await db.dao.plugins.find_page({"service_id": service.id}, None, 100)
    n = await db.dao.plugins.count({"enabled": True})
    await db.dao.plugins.update({"enabled": False}, {"id": plugin["id"]})            # PATCH
    await db.dao.services.update({"host": "example.org"}, {"id": sid}, full=True)    # PUT
    deleted = await db.dao.plugins.delete({"id": plugin["id"]})
    key = db.dao.plugins.entity_cache_key(plugin)   # "plugins:key-auth::<service id>::"

Blocking code uses the same API through :mod:`kongdao.sync` (``sync_db.dao.plugins...``).

Mapping (KONG.md 7.6)
    Every call is one call of the modern DAO, wrapped in the translation of rows and errors:
    ``insert`` -> ``insert``; ``find`` -> ``select``; ``update`` -> ``update`` (PATCH), or with
    ``full=True`` an ``update`` carrying every column (defaults and nulls filled in, so it
    replaces like PUT but never creates: 0.13 returned nothing for a missing row);
    ``delete`` -> ``delete`` (which returns the deleted entity); ``quiet=True`` ->
    ``no_broadcast_crud_event=True``; ``count`` -> ``count``. ``NotFound`` from an update
    becomes ``None``. Rows are plain dicts: ``service_id`` columns for foreign keys,
    ``created_at`` in milliseconds (second precision: multiples of 1000), null columns left out.
    Inputs take the same shape; the modern field names are accepted too.

Errors
    :class:`~kongdao.legacy.errors.LegacyError` with 0.13's ``db_name``, ``message``, ``tbl``
    and ``unique`` / ``foreign`` / ``schema`` / ``db`` flags; ``str(err)`` is
    ``[postgres error] name=already exists with value 'mockbin'``. The modern error is the
    ``__cause__``. Wrong argument types raise :class:`TypeError`, an incomplete primary key
    ``ValueError("Missing PRIMARY KEY field")``, a closed DB
    :class:`~kongdao.errors.InterfaceError` (not translated: it is not a database error).

Filters and their cost
    ``find_all`` / ``find_page`` / ``count`` filter by equality on any schema column (sets
    compare as sets, ``None`` matches a null column). An unknown column is a schema error
    ``{"<col>": "<col> is an unknown field"}``; an id that is not a UUID
    ``"<v> is not a valid uuid"``; a value of the wrong type ``"<col> is not a number"``.

    * A filter holding the primary key or a unique column (``name``, ``username``...) is one
      lookup by that key, on every database; the other columns are checked on the row.
    * Where the connector declares ``capabilities.filters`` (PostgreSQL), any other filter is
      one query (``WHERE col = $1 AND ...``, keyset pages, ``COUNT(*)``); columns without an
      index (most of them) are read sequentially by PostgreSQL, which is cheap at Kong's sizes.
    * Elsewhere (Cassandra) kongdao does not send ``ALLOW FILTERING`` as 0.13 did. A filter
      holding a foreign key (``{"consumer_id": ...}``, the common 0.13 case) pages through
      that parent's children with ``page_for`` (a table keyed by the parent) and compares the
      other columns in Python: its cost is the number of children. Any other filter pages
      through the whole table, examining at most ``max_scan`` rows (:data:`DEFAULT_MAX_SCAN`,
      10,000; ``db.dao.max_scan``, or per entity ``db.dao.plugins.max_scan``); beyond that
      the call fails with :class:`~kongdao.legacy.errors.LegacyDBError`
      (``... this filter needs an index ...``) rather than silently reading an unbounded
      table: filter by a unique column or a foreign key, or raise the bound knowingly.
    * ``count()`` without a filter is the modern ``count()``: one ``COUNT(*)`` on PostgreSQL
      (cheap); on Cassandra it pages through the whole table (one column of every row, on
      every node), so it costs about as much as reading the table.
    * ``find_all()`` without a filter returns every row: it pages through the whole table on
      every database (its cost is its result).

Offsets
    ``find_page`` returns ``(rows, next_offset)``, and offsets are kongdao's opaque strings
    (a keyset position on PostgreSQL, a paging state on Cassandra), not 0.13's PostgreSQL page
    numbers: keyset pages are stable under concurrent writes and cost the same at any depth,
    where ``LIMIT/OFFSET`` pages skipped or repeated rows and cost a ``COUNT(*)`` plus the
    skipped rows; 0.13 on Cassandra already used opaque paging states, so portable 0.13 code
    never did arithmetic on offsets. Passing a number raises :class:`TypeError`.

Not reproduced from 0.13, on purpose
    * ``(result, err)`` return pairs: failures raise; success returns the result.
    * The legacy entities that no longer exist (``apis``, ``ssl_certificates``,
      ``ssl_servers_names``, ``upstreams``, ``targets`` until they are ported); ``api_id`` on
      plugins is an unknown field.
    * The form-encoded coercions of ``schemas_validation.lua`` (``"true"`` -> ``True``,
      ``"1,2"`` -> a list, trimmed strings): values are validated by the modern schema, with
      its messages wherever 0.13 had no equivalent wording.
    * ``ttl`` on any table through a ``ttls`` side table: ``ttl`` works on entities whose
      schema declares it, and is a schema error elsewhere.
    * ``find_page`` page numbers and its extra ``COUNT(*)`` (see Offsets).
    * Cascading deletes of every child: deletes follow the modern ``on_delete`` rules, so a
      ``restrict`` reference refuses the delete with a foreign error.
    * Invalid UTF-8 replaced by a random string in ``find``: Python strings are text.
    * Cache keys: 0.13's ``"<table>:a1:...:a5"`` is kept for legacy code, and differs from the
      modern cache key (which has a workspace segment).

Deprecation policy
    ``kongdao.legacy`` is frozen. It gets fixes that bring it closer to Kong 0.13, and it
    follows every fix of the modern DAO automatically (it holds no behaviour of its own beyond
    translating arguments, rows and errors); it never gets new features, which land only in the
    modern API. It is deprecated in the documentation from its first release. It starts to emit
    a :class:`DeprecationWarning` (once per process, on first use) no earlier than the first
    minor release after every bundled plugin has a modern port, announced one minor release
    ahead under "Deprecated" in the CHANGELOG, and is removed no earlier than two minor
    releases and six months after the warning starts, listed under "Backwards-incompatible".

.. versionadded:: 0.1
"""

from kongdao.legacy.dao import (
    DEFAULT_MAX_SCAN,
    DEFAULT_PAGE_SIZE,
    FilteringStrategy,
    LegacyDAO,
    LegacyFactory,
    LegacyRow,
)
from kongdao.legacy.errors import (
    LegacyDBError,
    LegacyError,
    LegacyForeignError,
    LegacySchemaError,
    LegacyUniqueError,
    translate,
)

__all__ = [
    "DEFAULT_MAX_SCAN",
    "DEFAULT_PAGE_SIZE",
    "FilteringStrategy",
    "LegacyDAO",
    "LegacyDBError",
    "LegacyError",
    "LegacyFactory",
    "LegacyForeignError",
    "LegacyRow",
    "LegacySchemaError",
    "LegacyUniqueError",
    "translate",
]
