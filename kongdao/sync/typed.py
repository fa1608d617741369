"""Typed blocking DAO classes of the core and bundled-plugin entities (as kongdao.dao.typed).

``sync_db.services.select_by_name("x")`` is a ``Service | None`` to mypy and IDEs. The block
between the markers is written by ``python -m kongdao._codegen`` (``make gen``); ``make
gen-check`` fails when it is stale. Do not edit it by hand.

The bases written by hand above the block, :class:`SyncCertificatesDAOBase` and
:class:`SyncTargetsDAOBase`, add the blocking forms of the methods that
:mod:`kongdao.dao.certificates` and :mod:`kongdao.dao.targets` add to the generic DAO.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kongdao.entities import (
    SNI,
    CACertificate,
    Certificate,
    Consumer,
    Plugin,
    Route,
    Service,
    Target,
    Upstream,
    Workspace,
)
from kongdao.plugins.acl import ACL
from kongdao.plugins.acme.daos import AcmeStorage
from kongdao.plugins.basic_auth import BasicauthCredential
from kongdao.plugins.hmac_auth.daos import HmacauthCredential
from kongdao.plugins.jwt.daos import JwtSecret
from kongdao.plugins.key_auth import KeyauthCredential
from kongdao.plugins.oauth2.daos import OAuth2AuthorizationCode, OAuth2Credential, OAuth2Token
from kongdao.plugins.session.daos import Session
from kongdao.schema.fields import UNSET, UnsetType
from kongdao.sync.dao import SyncDAO, SyncTagsDAOBase

if TYPE_CHECKING:
    from kongdao.dao.certificates import CertificatesDAO, CertificateWithSNIs
    from kongdao.dao.targets import TargetsDAO

__all__ = [
    "SyncJwtSecretsDAO",
    "SyncHmacauthCredentialsDAO",
    "SyncOauth2CredentialsDAO",
    "SyncOauth2AuthorizationCodesDAO",
    "SyncOauth2TokensDAO",
    "SyncSessionsDAO",
    "SyncAcmeStorageDAO",
    "SYNC_DAO_CLASSES",
    "SyncUpstreamsDAO",
    "SyncTargetsDAO",
    "SyncSnisDAO",
    "SyncCertificatesDAO",
    "SyncCaCertificatesDAO",
    "SyncAclsDAO",
    "SyncBasicauthCredentialsDAO",
    "SyncConsumersDAO",
    "SyncKeyauthCredentialsDAO",
    "SyncPluginsDAO",
    "SyncRoutesDAO",
    "SyncServicesDAO",
    "SyncTagsDAO",
]


class SyncCertificatesDAOBase(SyncDAO[Certificate]):
    """The blocking ``certificates`` DAO: the reads that add the SNI names."""

    _dao: CertificatesDAO

    def select_with_name_list(
        self, primary_key: Mapping[str, Any], *, nulls: bool = False
    ) -> CertificateWithSNIs:
        """See :meth:`kongdao.dao.certificates.CertificatesDAO.select_with_name_list`."""
        return self._portal.call(self._dao.select_with_name_list, primary_key, nulls=nulls)

    def page_with_name_list(
        self,
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        tags: Sequence[str] | None = None,
        tags_cond: str | None = None,
        pagination: Mapping[str, int] | None = None,
    ) -> tuple[list[CertificateWithSNIs], str | None]:
        """See :meth:`kongdao.dao.certificates.CertificatesDAO.page_with_name_list`."""
        return self._portal.call(
            self._dao.page_with_name_list,
            size,
            offset,
            nulls=nulls,
            tags=tags,
            tags_cond=tags_cond,
            pagination=pagination,
        )


class SyncTargetsDAOBase(SyncDAO[Target]):
    """The blocking ``targets`` DAO: Kong's views of an upstream's targets.

    ``each_for_upstream`` iterates over the raw entries, as the async one does.
    """

    _dao: TargetsDAO

    def page_for_upstream_raw(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        primary: bool = False,
    ) -> tuple[list[Target], str | None]:
        """See :meth:`kongdao.dao.targets.TargetsDAO.page_for_upstream_raw`."""
        return self._portal.call(
            self._dao.page_for_upstream_raw,
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            primary=primary,
        )

    def select_by_upstream_raw(
        self, foreign_key: Mapping[str, Any], *, nulls: bool = False
    ) -> list[Target]:
        """See :meth:`kongdao.dao.targets.TargetsDAO.select_by_upstream_raw`."""
        return self._portal.call(self._dao.select_by_upstream_raw, foreign_key, nulls=nulls)

    def select_by_upstream_filter(
        self,
        foreign_key: Mapping[str, Any],
        *,
        id: str | None = None,
        target: str | None = None,
        nulls: bool = False,
    ) -> Target | None:
        """See :meth:`kongdao.dao.targets.TargetsDAO.select_by_upstream_filter`."""
        return self._portal.call(
            self._dao.select_by_upstream_filter, foreign_key, id=id, target=target, nulls=nulls
        )

    def each_for(
        self,
        field: str,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Target]:
        """As :meth:`SyncDAO.each_for`; the entries of an upstream come raw, as Kong's."""
        if field != "upstream":
            yield from super().each_for(
                field,
                foreign_key,
                size,
                nulls=nulls,
                pagination=pagination,
                workspace=workspace,
                show_ws_id=show_ws_id,
                primary=primary,
            )
            return
        offset: str | None = None
        while True:
            entities, offset = self.page_for_upstream_raw(
                foreign_key,
                size,
                offset,
                nulls=nulls,
                pagination=pagination,
                workspace=workspace,
                primary=primary,
            )
            yield from entities
            if offset is None:
                return


# START GENERATED
# Generated by `python -m kongdao._codegen` (make gen): do not edit between the markers.


class SyncWorkspacesDAO(SyncDAO[Workspace]):
    """``sync_db.workspaces``: the blocking DAO of Workspace."""

    def select_by_name(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Workspace | None:
        """The entity whose ``name`` is ``value``, or ``None``."""
        return self.select_by(
            "name",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Workspace:
        """Partially update the entity whose ``name`` is ``value`` (PATCH)."""
        return self.update_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Workspace:
        """Insert or replace the entity whose ``name`` is ``value`` (PUT)."""
        return self.upsert_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_name(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Workspace | None:
        """Delete the entity whose ``name`` is ``value``; return it."""
        return self.delete_by(
            "name",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )


class SyncConsumersDAO(SyncDAO[Consumer]):
    """``sync_db.consumers``: the blocking DAO of Consumer."""

    def select_by_username(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Consumer | None:
        """The entity whose ``username`` is ``value``, or ``None``."""
        return self.select_by(
            "username",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer:
        """Partially update the entity whose ``username`` is ``value`` (PATCH)."""
        return self.update_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer:
        """Insert or replace the entity whose ``username`` is ``value`` (PUT)."""
        return self.upsert_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_username(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer | None:
        """Delete the entity whose ``username`` is ``value``; return it."""
        return self.delete_by(
            "username",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def select_by_custom_id(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Consumer | None:
        """The entity whose ``custom_id`` is ``value``, or ``None``."""
        return self.select_by(
            "custom_id",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_custom_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer:
        """Partially update the entity whose ``custom_id`` is ``value`` (PATCH)."""
        return self.update_by(
            "custom_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_custom_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer:
        """Insert or replace the entity whose ``custom_id`` is ``value`` (PUT)."""
        return self.upsert_by(
            "custom_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_custom_id(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Consumer | None:
        """Delete the entity whose ``custom_id`` is ``value``; return it."""
        return self.delete_by(
            "custom_id",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )


class SyncCertificatesDAO(SyncCertificatesDAOBase):
    """``sync_db.certificates``: the blocking DAO of Certificate."""


class SyncCaCertificatesDAO(SyncDAO[CACertificate]):
    """``sync_db.ca_certificates``: the blocking DAO of CACertificate."""

    def select_by_cert_digest(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> CACertificate | None:
        """The entity whose ``cert_digest`` is ``value``, or ``None``."""
        return self.select_by(
            "cert_digest",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_cert_digest(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> CACertificate:
        """Partially update the entity whose ``cert_digest`` is ``value`` (PATCH)."""
        return self.update_by(
            "cert_digest",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_cert_digest(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> CACertificate:
        """Insert or replace the entity whose ``cert_digest`` is ``value`` (PUT)."""
        return self.upsert_by(
            "cert_digest",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_cert_digest(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> CACertificate | None:
        """Delete the entity whose ``cert_digest`` is ``value``; return it."""
        return self.delete_by(
            "cert_digest",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )


class SyncServicesDAO(SyncDAO[Service]):
    """``sync_db.services``: the blocking DAO of Service."""

    def select_by_name(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Service | None:
        """The entity whose ``name`` is ``value``, or ``None``."""
        return self.select_by(
            "name",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Service:
        """Partially update the entity whose ``name`` is ``value`` (PATCH)."""
        return self.update_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Service:
        """Insert or replace the entity whose ``name`` is ``value`` (PUT)."""
        return self.upsert_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_name(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Service | None:
        """Delete the entity whose ``name`` is ``value``; return it."""
        return self.delete_by(
            "name",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_client_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Service], str | None]:
        """One page of the entities whose ``client_certificate`` is ``foreign_key``."""
        return self.page_for(
            "client_certificate",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_client_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Service]:
        """Iterate over the entities whose ``client_certificate`` is ``foreign_key``."""
        return self.each_for(
            "client_certificate",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncRoutesDAO(SyncDAO[Route]):
    """``sync_db.routes``: the blocking DAO of Route."""

    def select_by_name(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Route | None:
        """The entity whose ``name`` is ``value``, or ``None``."""
        return self.select_by(
            "name",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Route:
        """Partially update the entity whose ``name`` is ``value`` (PATCH)."""
        return self.update_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Route:
        """Insert or replace the entity whose ``name`` is ``value`` (PUT)."""
        return self.upsert_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_name(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Route | None:
        """Delete the entity whose ``name`` is ``value``; return it."""
        return self.delete_by(
            "name",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Route], str | None]:
        """One page of the entities whose ``service`` is ``foreign_key``."""
        return self.page_for(
            "service",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Route]:
        """Iterate over the entities whose ``service`` is ``foreign_key``."""
        return self.each_for(
            "service",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncSnisDAO(SyncDAO[SNI]):
    """``sync_db.snis``: the blocking DAO of SNI."""

    def select_by_name(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> SNI | None:
        """The entity whose ``name`` is ``value``, or ``None``."""
        return self.select_by(
            "name",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> SNI:
        """Partially update the entity whose ``name`` is ``value`` (PATCH)."""
        return self.update_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> SNI:
        """Insert or replace the entity whose ``name`` is ``value`` (PUT)."""
        return self.upsert_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_name(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> SNI | None:
        """Delete the entity whose ``name`` is ``value``; return it."""
        return self.delete_by(
            "name",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[SNI], str | None]:
        """One page of the entities whose ``certificate`` is ``foreign_key``."""
        return self.page_for(
            "certificate",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[SNI]:
        """Iterate over the entities whose ``certificate`` is ``foreign_key``."""
        return self.each_for(
            "certificate",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncUpstreamsDAO(SyncDAO[Upstream]):
    """``sync_db.upstreams``: the blocking DAO of Upstream."""

    def select_by_name(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Upstream | None:
        """The entity whose ``name`` is ``value``, or ``None``."""
        return self.select_by(
            "name",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Upstream:
        """Partially update the entity whose ``name`` is ``value`` (PATCH)."""
        return self.update_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_name(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Upstream:
        """Insert or replace the entity whose ``name`` is ``value`` (PUT)."""
        return self.upsert_by(
            "name",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_name(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Upstream | None:
        """Delete the entity whose ``name`` is ``value``; return it."""
        return self.delete_by(
            "name",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_client_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Upstream], str | None]:
        """One page of the entities whose ``client_certificate`` is ``foreign_key``."""
        return self.page_for(
            "client_certificate",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_client_certificate(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Upstream]:
        """Iterate over the entities whose ``client_certificate`` is ``foreign_key``."""
        return self.each_for(
            "client_certificate",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncTargetsDAO(SyncTargetsDAOBase):
    """``sync_db.targets``: the blocking DAO of Target."""

    def select_by_target(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Target | None:
        """The entity whose ``target`` is ``value``, or ``None``."""
        return self.select_by(
            "target",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_target(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """Partially update the entity whose ``target`` is ``value`` (PATCH)."""
        return self.update_by(
            "target",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_target(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target:
        """Insert or replace the entity whose ``target`` is ``value`` (PUT)."""
        return self.upsert_by(
            "target",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_target(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Target | None:
        """Delete the entity whose ``target`` is ``value``; return it."""
        return self.delete_by(
            "target",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_upstream(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Target], str | None]:
        """One page of the entities whose ``upstream`` is ``foreign_key``."""
        return self.page_for(
            "upstream",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_upstream(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Target]:
        """Iterate over the entities whose ``upstream`` is ``foreign_key``."""
        return self.each_for(
            "upstream",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncPluginsDAO(SyncDAO[Plugin]):
    """``sync_db.plugins``: the blocking DAO of Plugin."""

    def page_for_route(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Plugin], str | None]:
        """One page of the entities whose ``route`` is ``foreign_key``."""
        return self.page_for(
            "route",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_route(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Plugin]:
        """Iterate over the entities whose ``route`` is ``foreign_key``."""
        return self.each_for(
            "route",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def page_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Plugin], str | None]:
        """One page of the entities whose ``service`` is ``foreign_key``."""
        return self.page_for(
            "service",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Plugin]:
        """Iterate over the entities whose ``service`` is ``foreign_key``."""
        return self.each_for(
            "service",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[Plugin], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[Plugin]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncTagsDAO(SyncTagsDAOBase):
    """``sync_db.tags``: the blocking DAO of Tag."""


class SyncKeyauthCredentialsDAO(SyncDAO[KeyauthCredential]):
    """``sync_db.keyauth_credentials``: the blocking DAO of KeyauthCredential."""

    def select_by_key(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> KeyauthCredential | None:
        """The entity whose ``key`` is ``value``, or ``None``."""
        return self.select_by(
            "key",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> KeyauthCredential:
        """Partially update the entity whose ``key`` is ``value`` (PATCH)."""
        return self.update_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> KeyauthCredential:
        """Insert or replace the entity whose ``key`` is ``value`` (PUT)."""
        return self.upsert_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_key(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> KeyauthCredential | None:
        """Delete the entity whose ``key`` is ``value``; return it."""
        return self.delete_by(
            "key",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[KeyauthCredential], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[KeyauthCredential]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncBasicauthCredentialsDAO(SyncDAO[BasicauthCredential]):
    """``sync_db.basicauth_credentials``: the blocking DAO of BasicauthCredential."""

    def select_by_username(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> BasicauthCredential | None:
        """The entity whose ``username`` is ``value``, or ``None``."""
        return self.select_by(
            "username",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> BasicauthCredential:
        """Partially update the entity whose ``username`` is ``value`` (PATCH)."""
        return self.update_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> BasicauthCredential:
        """Insert or replace the entity whose ``username`` is ``value`` (PUT)."""
        return self.upsert_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_username(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> BasicauthCredential | None:
        """Delete the entity whose ``username`` is ``value``; return it."""
        return self.delete_by(
            "username",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[BasicauthCredential], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[BasicauthCredential]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncAclsDAO(SyncDAO[ACL]):
    """``sync_db.acls``: the blocking DAO of ACL."""

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[ACL], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[ACL]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncJwtSecretsDAO(SyncDAO[JwtSecret]):
    """``sync_db.jwt_secrets``: the blocking DAO of JwtSecret."""

    def select_by_key(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> JwtSecret | None:
        """The entity whose ``key`` is ``value``, or ``None``."""
        return self.select_by(
            "key",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> JwtSecret:
        """Partially update the entity whose ``key`` is ``value`` (PATCH)."""
        return self.update_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> JwtSecret:
        """Insert or replace the entity whose ``key`` is ``value`` (PUT)."""
        return self.upsert_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_key(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> JwtSecret | None:
        """Delete the entity whose ``key`` is ``value``; return it."""
        return self.delete_by(
            "key",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[JwtSecret], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[JwtSecret]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncHmacauthCredentialsDAO(SyncDAO[HmacauthCredential]):
    """``sync_db.hmacauth_credentials``: the blocking DAO of HmacauthCredential."""

    def select_by_username(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> HmacauthCredential | None:
        """The entity whose ``username`` is ``value``, or ``None``."""
        return self.select_by(
            "username",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> HmacauthCredential:
        """Partially update the entity whose ``username`` is ``value`` (PATCH)."""
        return self.update_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_username(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> HmacauthCredential:
        """Insert or replace the entity whose ``username`` is ``value`` (PUT)."""
        return self.upsert_by(
            "username",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_username(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> HmacauthCredential | None:
        """Delete the entity whose ``username`` is ``value``; return it."""
        return self.delete_by(
            "username",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[HmacauthCredential], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[HmacauthCredential]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncOauth2CredentialsDAO(SyncDAO[OAuth2Credential]):
    """``sync_db.oauth2_credentials``: the blocking DAO of OAuth2Credential."""

    def select_by_client_id(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> OAuth2Credential | None:
        """The entity whose ``client_id`` is ``value``, or ``None``."""
        return self.select_by(
            "client_id",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_client_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Credential:
        """Partially update the entity whose ``client_id`` is ``value`` (PATCH)."""
        return self.update_by(
            "client_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_client_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Credential:
        """Insert or replace the entity whose ``client_id`` is ``value`` (PUT)."""
        return self.upsert_by(
            "client_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_client_id(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Credential | None:
        """Delete the entity whose ``client_id`` is ``value``; return it."""
        return self.delete_by(
            "client_id",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[OAuth2Credential], str | None]:
        """One page of the entities whose ``consumer`` is ``foreign_key``."""
        return self.page_for(
            "consumer",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_consumer(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[OAuth2Credential]:
        """Iterate over the entities whose ``consumer`` is ``foreign_key``."""
        return self.each_for(
            "consumer",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncOauth2AuthorizationCodesDAO(SyncDAO[OAuth2AuthorizationCode]):
    """``sync_db.oauth2_authorization_codes``: the blocking DAO of OAuth2AuthorizationCode."""

    def select_by_code(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> OAuth2AuthorizationCode | None:
        """The entity whose ``code`` is ``value``, or ``None``."""
        return self.select_by(
            "code",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_code(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2AuthorizationCode:
        """Partially update the entity whose ``code`` is ``value`` (PATCH)."""
        return self.update_by(
            "code",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_code(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2AuthorizationCode:
        """Insert or replace the entity whose ``code`` is ``value`` (PUT)."""
        return self.upsert_by(
            "code",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_code(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2AuthorizationCode | None:
        """Delete the entity whose ``code`` is ``value``; return it."""
        return self.delete_by(
            "code",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[OAuth2AuthorizationCode], str | None]:
        """One page of the entities whose ``service`` is ``foreign_key``."""
        return self.page_for(
            "service",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[OAuth2AuthorizationCode]:
        """Iterate over the entities whose ``service`` is ``foreign_key``."""
        return self.each_for(
            "service",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def page_for_credential(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[OAuth2AuthorizationCode], str | None]:
        """One page of the entities whose ``credential`` is ``foreign_key``."""
        return self.page_for(
            "credential",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_credential(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[OAuth2AuthorizationCode]:
        """Iterate over the entities whose ``credential`` is ``foreign_key``."""
        return self.each_for(
            "credential",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncOauth2TokensDAO(SyncDAO[OAuth2Token]):
    """``sync_db.oauth2_tokens``: the blocking DAO of OAuth2Token."""

    def select_by_access_token(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> OAuth2Token | None:
        """The entity whose ``access_token`` is ``value``, or ``None``."""
        return self.select_by(
            "access_token",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_access_token(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token:
        """Partially update the entity whose ``access_token`` is ``value`` (PATCH)."""
        return self.update_by(
            "access_token",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_access_token(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token:
        """Insert or replace the entity whose ``access_token`` is ``value`` (PUT)."""
        return self.upsert_by(
            "access_token",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_access_token(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token | None:
        """Delete the entity whose ``access_token`` is ``value``; return it."""
        return self.delete_by(
            "access_token",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def select_by_refresh_token(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> OAuth2Token | None:
        """The entity whose ``refresh_token`` is ``value``, or ``None``."""
        return self.select_by(
            "refresh_token",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_refresh_token(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token:
        """Partially update the entity whose ``refresh_token`` is ``value`` (PATCH)."""
        return self.update_by(
            "refresh_token",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_refresh_token(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token:
        """Insert or replace the entity whose ``refresh_token`` is ``value`` (PUT)."""
        return self.upsert_by(
            "refresh_token",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_refresh_token(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> OAuth2Token | None:
        """Delete the entity whose ``refresh_token`` is ``value``; return it."""
        return self.delete_by(
            "refresh_token",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def page_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[OAuth2Token], str | None]:
        """One page of the entities whose ``service`` is ``foreign_key``."""
        return self.page_for(
            "service",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_service(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[OAuth2Token]:
        """Iterate over the entities whose ``service`` is ``foreign_key``."""
        return self.each_for(
            "service",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def page_for_credential(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        offset: str | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> tuple[list[OAuth2Token], str | None]:
        """One page of the entities whose ``credential`` is ``foreign_key``."""
        return self.page_for(
            "credential",
            foreign_key,
            size,
            offset,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def each_for_credential(
        self,
        foreign_key: Mapping[str, Any],
        size: int | None = None,
        *,
        nulls: bool = False,
        pagination: Mapping[str, int] | None = None,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Iterator[OAuth2Token]:
        """Iterate over the entities whose ``credential`` is ``foreign_key``."""
        return self.each_for(
            "credential",
            foreign_key,
            size,
            nulls=nulls,
            pagination=pagination,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )


class SyncSessionsDAO(SyncDAO[Session]):
    """``sync_db.sessions``: the blocking DAO of Session."""

    def select_by_session_id(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> Session | None:
        """The entity whose ``session_id`` is ``value``, or ``None``."""
        return self.select_by(
            "session_id",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_session_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Session:
        """Partially update the entity whose ``session_id`` is ``value`` (PATCH)."""
        return self.update_by(
            "session_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_session_id(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Session:
        """Insert or replace the entity whose ``session_id`` is ``value`` (PUT)."""
        return self.upsert_by(
            "session_id",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_session_id(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> Session | None:
        """Delete the entity whose ``session_id`` is ``value``; return it."""
        return self.delete_by(
            "session_id",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )


class SyncAcmeStorageDAO(SyncDAO[AcmeStorage]):
    """``sync_db.acme_storage``: the blocking DAO of AcmeStorage."""

    def select_by_key(
        self,
        value: str,
        *,
        nulls: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
        primary: bool = False,
    ) -> AcmeStorage | None:
        """The entity whose ``key`` is ``value``, or ``None``."""
        return self.select_by(
            "key",
            value,
            nulls=nulls,
            workspace=workspace,
            show_ws_id=show_ws_id,
            primary=primary,
        )

    def update_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> AcmeStorage:
        """Partially update the entity whose ``key`` is ``value`` (PATCH)."""
        return self.update_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def upsert_by_key(
        self,
        value: str,
        entity: Mapping[str, Any],
        *,
        ttl: int | None = None,
        transform: bool = True,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> AcmeStorage:
        """Insert or replace the entity whose ``key`` is ``value`` (PUT)."""
        return self.upsert_by(
            "key",
            value,
            entity,
            ttl=ttl,
            transform=transform,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )

    def delete_by_key(
        self,
        value: str,
        *,
        no_broadcast_crud_event: bool = False,
        workspace: str | UnsetType | None = UNSET,
        show_ws_id: bool = False,
    ) -> AcmeStorage | None:
        """Delete the entity whose ``key`` is ``value``; return it."""
        return self.delete_by(
            "key",
            value,
            no_broadcast_crud_event=no_broadcast_crud_event,
            workspace=workspace,
            show_ws_id=show_ws_id,
        )


SYNC_DAO_CLASSES: dict[str, type[SyncDAO[Any]]] = {
    "workspaces": SyncWorkspacesDAO,
    "consumers": SyncConsumersDAO,
    "certificates": SyncCertificatesDAO,
    "ca_certificates": SyncCaCertificatesDAO,
    "services": SyncServicesDAO,
    "routes": SyncRoutesDAO,
    "snis": SyncSnisDAO,
    "upstreams": SyncUpstreamsDAO,
    "targets": SyncTargetsDAO,
    "plugins": SyncPluginsDAO,
    "tags": SyncTagsDAO,
    "keyauth_credentials": SyncKeyauthCredentialsDAO,
    "basicauth_credentials": SyncBasicauthCredentialsDAO,
    "acls": SyncAclsDAO,
    "jwt_secrets": SyncJwtSecretsDAO,
    "hmacauth_credentials": SyncHmacauthCredentialsDAO,
    "oauth2_credentials": SyncOauth2CredentialsDAO,
    "oauth2_authorization_codes": SyncOauth2AuthorizationCodesDAO,
    "oauth2_tokens": SyncOauth2TokensDAO,
    "sessions": SyncSessionsDAO,
    "acme_storage": SyncAcmeStorageDAO,
}
"""The blocking DAO class of each entity with a typed one (``SyncDB`` builds them)."""
# END GENERATED
