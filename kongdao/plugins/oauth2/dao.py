"""The custom DAO of ``oauth2_tokens`` (``kong/plugins/oauth2/daos/oauth2_tokens.lua``, 2.8).

Kong hashes the cache key of a token, so that access tokens never appear in cache keys (and in
the invalidation events carrying them): ``oauth2_tokens:<hex SHA-1 of the usual cache key>``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from kongdao.dao.base import DAO
from kongdao.plugins.oauth2.daos import OAuth2Token

__all__ = ["OAuth2TokensDAO"]


class OAuth2TokensDAO(DAO[OAuth2Token]):
    """``db.oauth2_tokens``: the generic DAO with Kong's hashed cache keys."""

    def cache_key(self, key: Any, *args: Any) -> str:
        """``oauth2_tokens:`` and the hex SHA-1 of the generic :meth:`~kongdao.dao.DAO.cache_key`.

        ``select_by_cache_key`` is unaffected: it looks a token up by its ``access_token``.
        """
        plain = super().cache_key(key, *args)
        digest = hashlib.sha1(plain.encode("utf-8"), usedforsecurity=False).hexdigest()
        return f"{self.name}:{digest}"
