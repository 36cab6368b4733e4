#!/usr/bin/python3
"""Fit scikit-learn's NMF on a matrix written by bench/sklearn (go run) and
print one JSON line per solver: the relative error it reaches with its
defaults, the iterations and the fit time.

Usage: fit_sklearn.py FILE ROWS COLS K dense|sparse [MAX_ITER [SOLVERS [REPEAT]]]

A dense FILE holds ROWS*COLS little-endian float64 values, row-major; a
sparse one holds (row, col, value) triples as float64. MAX_ITER defaults to
scikit-learn's 200 and SOLVERS (comma-separated) to cd,mu. Each fit runs
REPEAT times (default 1) and the median time is reported. Each line also
gives the process's peak resident memory so far. Run with Debian's
/usr/bin/python3 and python3-sklearn.
"""
import json
import resource
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning


def main():
    path, rows, cols, k, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    max_iter = int(sys.argv[6]) if len(sys.argv) > 6 else 200
    solvers = sys.argv[7].split(",") if len(sys.argv) > 7 else ["cd", "mu"]
    repeat = int(sys.argv[8]) if len(sys.argv) > 8 else 1
    raw = np.fromfile(path, dtype="<f8")
    if kind == "dense":
        V = raw.reshape(rows, cols)
        norm = np.linalg.norm(V)
    else:
        t = raw.reshape(-1, 3)
        V = sp.csr_matrix((t[:, 2], (t[:, 0].astype(np.int64), t[:, 1].astype(np.int64))), shape=(rows, cols))
        norm = sp.linalg.norm(V)
    warnings.simplefilter("ignore", ConvergenceWarning)
    for solver in solvers:
        times = []
        for _ in range(repeat):
            # A fixed random_state makes the repeats one fit (it only seeds
            # the randomized SVD of the NNDSVDA start).
            model = NMF(n_components=k, solver=solver, max_iter=max_iter, random_state=0)
            start = time.perf_counter()
            W = model.fit_transform(V)
            times.append(time.perf_counter() - start)
        elapsed = float(np.median(times))
        H = model.components_
        err = model.reconstruction_err_ / norm
        print(json.dumps({"solver": solver, "relerr": err, "iterations": int(model.n_iter_),
                          "seconds": elapsed, "init": "nndsvda", "sklearn": sklearn.__version__,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    main()
