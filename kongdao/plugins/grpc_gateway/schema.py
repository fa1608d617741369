"""The configuration schema of the ``grpc-gateway`` plugin (``kong/plugins/grpc-gateway``, 2.8).

The plugin serves a gRPC service as a REST/JSON API, using the ``proto`` file at this path on
the Kong node. Kong does not check the path in the schema (the handler reads the file), and
neither does kongdao. It may be applied to a consumer and to any protocol.
"""

from __future__ import annotations

from typing import Final

from kongdao.schema import Field, Schema

__all__ = ["SCHEMA"]

SCHEMA: Final = Schema(
    name="grpc-gateway",
    fields=[
        (
            "config",
            Field(type="record", fields=[("proto", Field(type="string", required=False))]),
        ),
    ],
)
"""The ``grpc-gateway`` subschema of ``plugins``."""
