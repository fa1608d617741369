"""The bundled ``post-function`` plugin (configuration only).

Kong 2.8's ``kong/plugins/post-function`` (version 2.1.0, priority -1000).

It runs after every other plugin, with the code of its configuration.
"""

from __future__ import annotations

from kongdao.plugins.post_function.schema import SCHEMA
from kongdao.plugins.spec import PluginSpec

__all__ = ["PLUGIN", "SCHEMA"]

PLUGIN = PluginSpec(name="post-function", version="2.1.0", priority=-1000, schema=SCHEMA)
"""The ``post-function`` plugin."""
