"""Pure Python/NumPy algorithms for personalization: no Django, no I/O.

Every module takes arrays, ids and plain dicts and returns the same, so it can be tested and
benchmarked alone. The Django layers (`profiles`, `segments`, ...) call into these; never the reverse.
"""
