"""The DAO of ``certificates`` (Kong 2.8's ``kong/db/dao/certificates.lua``): server names.

A certificate's server names are :class:`~kongdao.entities.SNI` rows pointing at it. Kong's
DAO manages them through a ``snis`` *pseudo-attribute*, a list of names that is not a column:

* ``insert``, ``update`` and ``upsert`` accept ``"snis": ["a.example.com", ...]`` in the
  entity. On insert the names become the certificate's SNIs; on update and upsert they replace
  them (names dropped from the list are deleted, new ones inserted); ``None`` stands for an
  empty list; without ``snis`` the SNIs are left alone. Before anything is written the list is
  checked with Kong's schema violations on ``snis``: ``<name> is duplicated``, and ``<name>
  already associated with existing certificate '<id>'`` for a name another certificate
  serves. An invalid name fails as Kong's ``select_by_name`` does (``invalid unique name``).
* ``delete`` deletes the certificate's SNIs first: their foreign key restricts the delete
  otherwise.

Where the names come back
    Certificates are typed, immutable entities without a ``snis`` field, and the write methods
    keep the DAO's contract (they return a :class:`~kongdao.entities.Certificate`). Kong's
    readers that add the names are :meth:`CertificatesDAO.select_with_name_list` and Kong's
    overridden ``page``, here :meth:`CertificatesDAO.page_with_name_list`: both return
    :class:`CertificateWithSNIs` values, the certificate and its names sorted, whose
    :meth:`~CertificateWithSNIs.to_dict` is Kong's JSON (``{..., "snis": [...]}``). Kong's
    ``insert`` / ``update`` / ``upsert`` return the names as well: after an insert they are the
    sorted list given; otherwise ask :meth:`~CertificatesDAO.select_with_name_list`. ``select``,
    ``page`` and ``each`` return plain certificates (Kong's ``select`` and ``each`` do too).

Differences from Kong, on purpose
    * A name list whose SNIs cannot all be inserted (a name taken meanwhile) does not leave a
      half-made certificate behind on insert: the certificate and the SNIs already inserted are
      deleted again before the error is raised (Kong keeps them).
    * ``delete`` first checks the other entities that restrict it (services' and upstreams'
      ``client_certificate``), so that a delete refused for them does not remove the SNIs
      (Kong removes them, then fails). The check reads before it writes: a reference added
      concurrently still makes the final delete fail, after the SNIs are gone.
    * ``no_broadcast_crud_event`` applies to the SNI writes as well (Kong emits their events
      anyway). ``snis`` given as something other than a list raises :class:`TypeError` (Kong
      ignores it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

from kongdao import errors
from kongdao.dao.base import DAO
from kongdao.entities import SNI, Certificate
from kongdao.schema.fields import UNSET, UnsetType

__all__ = ["CertificateWithSNIs", "CertificatesDAO"]


@attrs.frozen
class CertificateWithSNIs:
    """A certificate and the names of its SNIs, sorted (Kong's ``snis`` pseudo-attribute).

    Attributes:
        certificate: the certificate.
        snis: the server names served with it, sorted.

    .. versionadded:: 0.2
    """

    certificate: Certificate
    snis: tuple[str, ...]

    def to_dict(self, *, nulls: bool = False) -> dict[str, Any]:
        """The certificate as Kong's Admin API shows it: its fields and ``snis``."""
        return {**self.certificate.to_dict(nulls=nulls), "snis": list(self.snis)}


def _parse_name_list(value: Any) -> list[str]:
    """Kong's ``parse_name_list`` of a given ``snis``: the names to set (``None``: none).

    Raises:
        TypeError: ``snis`` is not a list, or a name is not a string.
    """
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise TypeError("snis must be a table")
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise TypeError("name must be a string")
    return names


class CertificatesDAO(DAO[Certificate]):
    """``db.certificates``: the generic DAO plus Kong's ``snis`` pseudo-attribute.

    See the module docstring for the rules.

    .. versionadded:: 0.2
    """

    # -- the SNIs of a certificate ------------------------------------------------------

    @property
    def _snis(self) -> DAO[SNI]:
        return self.db.daos["snis"]

    def _names_of(self, entity: Mapping[str, Any]) -> list[str] | None:
        """The ``snis`` of ``entity``, checked for duplicates and sorted (``None``: absent)."""
        if "snis" not in entity:
            return None
        names = _parse_name_list(entity["snis"])
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self._violation({"snis": f"{name} is duplicated"})
            seen.add(name)
        return sorted(names)

    async def _check_list_is_new(self, names: Sequence[str], certificate_id: str | None) -> None:
        """Kong's ``check_list_is_new``: no name may belong to another certificate."""
        for name in names:
            sni = await self._snis.select_by("name", name)
            if sni is not None and sni.certificate["id"] != certificate_id:
                raise self._violation(
                    {
                        "snis": f"{name} already associated with existing certificate "
                        f"'{sni.certificate['id']}'"
                    }
                )

    async def _sni_rows(self, certificate_pk: Mapping[str, Any]) -> list[SNI]:
        return [s async for s in self._snis.each_for("certificate", certificate_pk)]

    async def _insert_names(self, certificate_id: str, names: Sequence[str], quiet: bool) -> None:
        for name in names:
            await self._snis.insert(
                {"name": name, "certificate": {"id": certificate_id}},
                no_broadcast_crud_event=quiet,
            )

    async def _replace_names(self, certificate_id: str, names: Sequence[str], quiet: bool) -> None:
        """Kong's ``update_list``: insert the new names, then delete the dropped ones."""
        current = await self._sni_rows({"id": certificate_id})
        have = {s.name for s in current}
        await self._insert_names(certificate_id, [n for n in names if n not in have], quiet)
        wanted = set(names)
        for sni in current:
            if sni.name not in wanted:
                await self._snis.delete({"id": sni.id}, no_broadcast_crud_event=quiet)

    # -- writes ---------------------------------------------------------------------------

    async def insert(
        self,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Certificate:
        """Insert a certificate and, from its ``snis`` list, its SNIs.

        Raises:
            SchemaViolation: the certificate is invalid, or ``snis`` has a duplicated name or a
                name another certificate serves.
            InvalidUnique: a name is not a valid SNI name.
            UniqueViolation: a name was taken meanwhile (nothing is left written).
        """
        async with self._workspace_context(workspace):
            if not isinstance(entity, Mapping):
                raise TypeError("entity must be a table")
            names = self._names_of(entity)
            if names:
                await self._check_list_is_new(names, None)
            data = {k: v for k, v in entity.items() if k != "snis"}
            certificate = await super().insert(
                data,
                ttl=ttl,
                transform=transform,
                no_broadcast_crud_event=no_broadcast_crud_event,
                show_ws_id=show_ws_id,
            )
            if names:
                try:
                    await self._insert_names(certificate.id, names, no_broadcast_crud_event)
                except Exception:
                    # leave nothing half-made: drop the SNIs inserted, then the certificate
                    pk = {"id": certificate.id}
                    for sni in await self._sni_rows(pk):
                        await self._snis.delete(
                            {"id": sni.id}, no_broadcast_crud_event=no_broadcast_crud_event
                        )
                    await super().delete(pk, no_broadcast_crud_event=no_broadcast_crud_event)
                    raise
            return certificate

    async def update(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Certificate:
        """Partially update a certificate; a ``snis`` list replaces its SNIs.

        Raises:
            NotFound: no certificate has this primary key.
            SchemaViolation: as for :meth:`insert`.
        """
        async with self._workspace_context(workspace):
            return await self._write_replacing_names(
                super().update,
                primary_key,
                entity,
                ttl=ttl,
                transform=transform,
                no_broadcast_crud_event=no_broadcast_crud_event,
                show_ws_id=show_ws_id,
            )

    async def upsert(
        self,
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Certificate:
        """Insert or replace a certificate; a ``snis`` list replaces its SNIs.

        Without ``snis`` the SNIs of an existing certificate are kept (Kong's DAO; Kong's
        Admin API sends an empty list for a PUT without names).
        """
        async with self._workspace_context(workspace):
            return await self._write_replacing_names(
                super().upsert,
                primary_key,
                entity,
                ttl=ttl,
                transform=transform,
                no_broadcast_crud_event=no_broadcast_crud_event,
                show_ws_id=show_ws_id,
            )

    async def _write_replacing_names(
        self,
        write: Callable[..., Awaitable[Certificate]],
        primary_key: Mapping[str, Any],
        entity: Mapping[str, Any],
        *,
        ttl: int | None,
        transform: bool,
        no_broadcast_crud_event: bool,
        show_ws_id: bool = False,
    ) -> Certificate:
        # update / upsert: check a given name list first, write the certificate without it,
        # then make its SNIs the list
        if not isinstance(primary_key, Mapping):
            raise TypeError("primary_key must be a table")
        if not isinstance(entity, Mapping):
            raise TypeError("entity must be a table")
        self._check_pk(primary_key)
        names = self._names_of(entity)
        if names:
            await self._check_list_is_new(names, str(primary_key["id"]))
        data = {k: v for k, v in entity.items() if k != "snis"}
        certificate = await write(
            primary_key,
            data,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            show_ws_id=show_ws_id,
        )
        if names is not None:
            await self._replace_names(certificate.id, names, no_broadcast_crud_event)
        return certificate

    async def delete(
        self,
        primary_key: Mapping[str, Any],
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Certificate | None:
        """Delete a certificate and its SNIs (idempotent: ``None`` when there was none).

        Raises:
            ForeignKeyViolation: a service or an upstream uses it as ``client_certificate``
                (``an existing 'services' entity references this 'certificates' entity``);
                its SNIs are then kept.
        """
        async with self._workspace_context(workspace):
            self._check_pk(primary_key)
            await self._check_restricted(primary_key)
            for sni in await self._sni_rows(primary_key):
                await self._snis.delete(
                    {"id": sni.id}, no_broadcast_crud_event=no_broadcast_crud_event
                )
            return await super().delete(
                primary_key, no_broadcast_crud_event=no_broadcast_crud_event, show_ws_id=show_ws_id
            )

    async def _check_restricted(self, primary_key: Mapping[str, Any]) -> None:
        """Refuse, as the database would, a delete that an entity other than SNIs restricts."""
        for name, schema in self.db.schemas.items():
            if name == "snis":
                continue
            for fname, f in schema.foreign_fields:
                if f.reference != self.name or (f.on_delete or "restrict") != "restrict":
                    continue
                children, _ = await self.db.daos[name].page_for(fname, primary_key, 1)
                if children:
                    raise self._err(errors.foreign_key_violation_restricted(self.name, name))

    # -- reads with the names -----------------------------------------------------------

    async def select_with_name_list(
        self, primary_key: Mapping[str, Any], *, nulls: bool = False
    ) -> CertificateWithSNIs:
        """The certificate and its SNI names, sorted (Kong's ``select_with_name_list``).

        Raises:
            NotFound: no certificate has this primary key (Kong's error here, unlike
                ``select``).
        """
        certificate = await self.select(primary_key, nulls=nulls)
        if certificate is None:
            raise self._err(errors.not_found(dict(primary_key)))
        return CertificateWithSNIs(certificate, await self._names(primary_key))

    async def page_with_name_list(
        self,
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        tags: Sequence[str] | None = None,
        tags_cond: str | None = None,
        pagination: Mapping[str, int] | None = None,
    ) -> tuple[list[CertificateWithSNIs], str | None]:
        """A page of certificates with their SNI names (Kong's overridden ``page``).

        One query per certificate for its names, as in Kong. Arguments as :meth:`page`.
        """
        certificates, next_offset = await self.page(
            size, offset, nulls=nulls, tags=tags, tags_cond=tags_cond, pagination=pagination
        )
        return [
            CertificateWithSNIs(c, await self._names({"id": c.id})) for c in certificates
        ], next_offset

    async def _names(self, primary_key: Mapping[str, Any]) -> tuple[str, ...]:
        """Kong's ``snis:list_for_certificate``: the names, sorted."""
        return tuple(sorted(s.name for s in await self._sni_rows(primary_key)))
