"""The ``kongdao`` command line (``kongdao migrations ...``); see :mod:`kongdao.cli.__main__`."""
