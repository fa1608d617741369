"""kongdao's benchmark suite: kongdao against the raw drivers, interleaved, in one run.

Run it with ``python -m benchmarks`` (``make bench``, ``make bench-quick``, ``kongdao bench``);
``benchmarks/README.md`` explains the method and how to read the results. The package lives in
the source tree only: it is not part of the kongdao wheel.
"""
