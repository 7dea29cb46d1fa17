"""BPTT Explorer: step through Backpropagation Through Time.

BLAS runs on one thread per call unless the environment says otherwise. The server runs
BPTT_HEAVY_JOBS (= the cores) heavy calls at once, each on a core of its own; a
multi-threaded BLAS on top of that oversubscribes the cores, and on a shared machine an
LSTM's (2H, 2H) = (128, 128) products and SVDs ran 20-140x slower than on one thread
(docs/performance.md, "Insight routes"). The variables are read when NumPy loads its BLAS,
so they are set here, before anything in the package imports NumPy.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
