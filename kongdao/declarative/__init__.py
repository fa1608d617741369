"""Declarative configuration: Kong's ``kong.yml``, read, validated and flattened.

::

    from kongdao import declarative

    config = declarative.parse(Path("kong.yml"), plugins=["key-auth", "acl"])
    config.entities["services"]      # [{"id": "0855b320-...", "name": "my-service", ...}]
    config.dump()                    # the same, as a ``_format_version: "3.0"`` export

:func:`parse` takes a path, JSON or YAML text, or an already-loaded mapping, and returns a
:class:`DeclarativeConfig`: every entity of the file, nested or not, as the flat, processed and
validated dict a DAO insert would store, in dependency order. When anything is wrong it raises
one :class:`~kongdao.errors.DeclarativeConfigError` (code 14) that carries *every* problem of
the file, in Kong's nested error shape (``fields``), with Kong's message
``declarative config is invalid: {...}``. :class:`Parser` does the same for many files with one
set of enabled plugins (Kong's ``declarative.new_config``).

Which Kong the rules come from
------------------------------

The file format is Kong 3's (``kong/db/schema/others/declarative_config.lua`` and
``kong/db/declarative/``, tag 3.9.3, the newest 3.x release read); the entities inside are
kongdao's, which are Kong 2.8's.

* ``_format_version`` is required and one of ``"1.1"``, ``"2.1"``, ``"3.0"``
  (``expected one of: 1.1, 2.1, 3.0``; a YAML number ``1.1`` is ``expected a string``).
* Route paths of ``"1.1"`` and ``"2.1"`` files are migrated as Kong 3 migrates them on the fly:
  a path the 2.8 router read as a regex gets the ``~`` prefix, other paths are normalised, and
  the file counts as ``"3.0"`` from then on (``meta["_format_version"]``).
  ``"3.0"`` paths are checked with Kong 3's rules (``should start with: / (fixed path) or ~/
  (regex path)``, ``non-normalized path, consider use '...' instead``, ``invalid regex``), then
  stored in Kong 2.8's form: see :mod:`kongdao.declarative.paths`.
* ``_transform`` (boolean, default true): when true, the entities' ``on_write``
  transformations run, e.g. basic-auth passwords are hashed; false means the values are
  already stored values (what an export holds).
* Metadata: ``_comment`` (a string) and ``_ignore`` (an array of anything) are accepted at the
  top level and in every entity, and ignored. Any other key, underscored or not, is
  ``unknown field``, as in Kong 3: decK's ``_workspace``, ``_konnect`` and ``_info`` are decK
  metadata that Kong itself refuses (decK removes them before talking to Kong).
* Entities: a top-level list per entity type of the enabled set (core entities and the
  entities of the enabled plugins, not ``tags``), and nesting wherever an entity has a foreign
  key: ``services`` hold ``routes`` and ``plugins``, ``routes`` hold ``plugins``, ``consumers``
  hold ``plugins`` and credentials (``keyauth_credentials``, ``basicauth_credentials``,
  ``acls``, ...), ``upstreams`` hold ``targets``, ``certificates`` hold ``snis`` (and
  ``services`` and ``upstreams``), at any depth. A nested entity belongs to its parent; a
  reference to the parent written anyway must name an existing entity (Kong 3), and the parent
  wins.
* References by name or id: ``service: my-svc`` is the service whose endpoint key (``name``)
  is ``my-svc``, or whose id it is; ``{id: ...}`` tables are accepted too (Kong 3.4+). A
  reference to nothing is ``invalid reference 'service: x' (no such entry in 'services')``.
* Entities given without an id get a stable one (UUID v5 in Kong's namespaces, derived as Kong
  2.8.5 derives it, since the entity schemas are 2.8's): see :mod:`kongdao.declarative.ids`.
* Plugins that are not enabled: ``name: plugin 'x' not enabled; add it to the 'plugins'
  configuration property``; entity types that are not known (e.g. ``jwt_secrets`` when jwt is
  not enabled, or Enterprise's ``consumer_groups``): ``unknown field``.
* Duplicates (Kong 3.4+ messages): two entities with the same primary key, or with the same
  unique endpoint key (``uniqueness violation: 'services' entity with name set to 'x' already
  declared``), or the same value of another unique field. kongdao also refuses two entities
  with the same composite cache key, e.g. two ``key-auth`` plugins on one service
  (``uniqueness violation: 'plugins' entity with cache_key set to '{consumer=null,
  name="key-auth",route=null,service={id="..."}}' already declared``): Kong 3 DB-less keeps one
  of them silently, and a database refuses the second (``kong config db_import``).

The error shape
---------------

``fields`` is Kong 3.9's nested error table (what ``POST /config`` returns without
``flatten_errors``): list items are keyed by their 1-based index and hold the entity's schema
errors (``{"services": {1: {"routes": {2: {"paths": {1: "..."}}}}}}``) or a duplicate's message;
reference errors and duplicate unique values are keyed by the entity's name (its unique
endpoint key) or id under the entity type at the top level
(``{"routes": {"my-route": ["invalid reference ..."]}}``); a file that cannot be read is
``{"error": "failed parsing declarative configuration: <why>"}``.

Deliberate differences from Kong 3.9, each making the report more complete or more exact:

* Every problem is reported at once. Kong stops at the first failing stage (schema errors,
  then references and duplicate keys, then unique values, one per entity type).
* A reference that matches nothing is always ``invalid reference ...``; Kong reports it as
  ``{id = "missing primary key"}`` when the file has schema errors too, and adds
  ``value must be null`` for every reference written in a nested entity.
* A duplicate nested entity is reported where it is (``services.1.routes.3``); Kong reports a
  duplicate name under the entity type at the top level with the index in its own list, and a
  duplicate id under its direct parent only.
* Routes are migrated at any depth; Kong only migrates top-level routes and routes of top-level
  services.
"""

from __future__ import annotations

from collections.abc import Iterable

from kongdao.declarative.config import (
    FORMAT_VERSIONS,
    DeclarativeConfig,
    Parser,
    reference_error,
    uniqueness_error,
)
from kongdao.declarative.ids import generate_id
from kongdao.declarative.load import export_from_db, load_into_cache, load_into_db
from kongdao.declarative.schemas import entity_schemas, topological_order
from kongdao.declarative.source import Source, unserialize
from kongdao.plugins import PluginRef
from kongdao.schema import Entity

__all__ = [
    "DeclarativeConfig",
    "entity_schemas",
    "export_from_db",
    "load_into_cache",
    "load_into_db",
    "FORMAT_VERSIONS",
    "generate_id",
    "parse",
    "Parser",
    "reference_error",
    "Source",
    "topological_order",
    "uniqueness_error",
    "unserialize",
]


def parse(
    source: Source,
    *,
    plugins: Iterable[PluginRef] | None = None,
    entities: Iterable[type[Entity]] = (),
) -> DeclarativeConfig:
    """Read, validate and flatten a declarative configuration (``kong.yml``).

    Args:
        source: A path (an :class:`os.PathLike`, or a one-line string ending in ``.json``,
            ``.yml`` or ``.yaml``), JSON or YAML text (str or bytes), or an already-loaded
            mapping (never modified). YAML needs PyYAML.
        plugins: The enabled plugins, as for :func:`kongdao.connect`: names, specs or modules;
            ``None`` is every bundled plugin.
        entities: Extra entity classes, as for :func:`kongdao.connect`.

    Returns:
        The configuration: its entities flattened, in dependency order.

    Raises:
        DeclarativeConfigError: The configuration is invalid (code 14); ``fields`` holds every
            problem in Kong's nested shape.
        OSError: The file cannot be read.
        ValueError: An unknown plugin name in ``plugins``.
    """
    return Parser(plugins, entities=entities).parse(source)
