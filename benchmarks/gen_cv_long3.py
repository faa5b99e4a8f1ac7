"""A finer second round, offered to the leave-one-family-out choice of ``gen_cv.py`` beside the
adopted space: three longer runs a third of a decade apart (2 grid steps) instead of two half a
decade apart, starting at the first round's best (skip 0) or one spacing below it (skip 1). The
longer runs decide the constant LR at offset 0, so their spacing is the answer's resolution.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gen_cv_long3.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_cv  # noqa: E402

if __name__ == "__main__":
    gen_cv.LONG = gen_cv.LONG + [dict(long_count=3, long_spacing=2, long_skip=sk) for sk in (0, 1)]
    gen_cv.main([])
