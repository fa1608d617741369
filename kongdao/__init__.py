"""kongdao: Kong's datastore layer (DAOs) as a Python asyncio library.

.. versionadded:: 0.1
"""

from kongdao._version import __version__

__all__ = ["__version__"]
