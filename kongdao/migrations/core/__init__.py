"""The ``core`` migrations subsystem, in order."""

from __future__ import annotations

from kongdao.migrations import Subsystem
from kongdao.migrations.core import m000_base, m001_certificates_upstreams

__all__ = ["CORE"]

CORE = Subsystem(
    name="core", migrations=[m000_base.MIGRATION, m001_certificates_upstreams.MIGRATION]
)
"""Core migrations, run before every plugin's."""
