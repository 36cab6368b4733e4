#!/usr/bin/python3
"""Write sklearn_golden.json: scikit-learn's NMF results that lib/nmf's tests
compare against.

Run by hand with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 lib/nmf/testdata/sklearn_golden.py

CI never runs this script; it reads the committed JSON.

For every case the file holds the data, scikit-learn's own initial factors
(W0, H0 from _initialize_nmf with the case's random_state), and the fitted
W, H, n_iter and reconstruction_err_ of NMF started from those factors. The
Go tests fit from the same W0/H0 (Init: Custom) and must agree to 1e-3; they
also compare their own deterministic initializations with W0/H0, and the
final error of random ones within 1%.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.decomposition import NMF
from sklearn.decomposition._nmf import _initialize_nmf

HERE = os.path.dirname(os.path.abspath(__file__))


def low_rank(rows, cols, rank, noise, seed, positive=False):
    rng = np.random.RandomState(seed)
    X = rng.rand(rows, rank) @ rng.rand(rank, cols) + noise * rng.rand(rows, cols)
    if positive:
        X += 0.05
    return X


def grocery():
    lines = open(os.path.join(HERE, "grocery.csv")).read().split()
    return np.array([[float(x) for x in l.split(",")[1:]] for l in lines[1:]])


def case(name, X, k, init, solver="cd", beta_loss="frobenius", alpha_W=0.0,
         alpha_H=0.0, l1_ratio=0.0, max_iter=200, tol=1e-4, seed=0):
    W0, H0 = _initialize_nmf(X, k, init=init, random_state=seed)
    m = NMF(n_components=k, init="custom", solver=solver, beta_loss=beta_loss,
            alpha_W=alpha_W, alpha_H=alpha_H, l1_ratio=l1_ratio,
            max_iter=max_iter, tol=tol)
    W = m.fit_transform(X, W=W0.copy(), H=H0.copy())
    return dict(name=name, X=X.tolist(), k=k, init=init, solver=solver,
                loss=beta_loss, alpha_W=alpha_W, alpha_H=alpha_H,
                l1_ratio=l1_ratio, max_iter=max_iter, tol=tol, seed=seed,
                W0=W0.tolist(), H0=H0.tolist(), W=W.tolist(),
                H=m.components_.tolist(), n_iter=int(m.n_iter_),
                reconstruction_err=float(m.reconstruction_err_))


def main():
    cases = [case("grocery", grocery(), 3, "nndsvd")]
    X = low_rank(40, 30, 5, 0.1, 1)
    for init in ["nndsvd", "nndsvda", "nndsvdar", "random"]:
        for solver in ["cd", "mu"]:
            cases.append(case(f"lowrank-{init}-{solver}", X, 5, init, solver))
    P = low_rank(40, 30, 5, 0.1, 2, positive=True)
    cases.append(case("kl-mu", P, 5, "nndsvda", "mu", "kullback-leibler"))
    cases.append(case("is-mu", P, 5, "nndsvda", "mu", "itakura-saito", max_iter=300))
    for solver in ["cd", "mu"]:
        cases.append(case(f"regularized-{solver}", X, 5, "nndsvda", solver,
                          alpha_W=0.01, alpha_H=0.02, l1_ratio=0.5))

    # transform: scikit-learn transforms new samples (rows) with its
    # components_ fixed; lib/nmf transforms new columns with W fixed, so the
    # case fits people × items and lib/nmf reads it transposed.
    people = low_rank(30, 40, 5, 0.1, 3)
    m = NMF(n_components=5, init="nndsvda", solver="cd", max_iter=400)
    m.fit(people[:24])
    transform = dict(components=m.components_.tolist(), X=people[24:].tolist(),
                     W=m.transform(people[24:]).tolist())

    # random initializations cannot be reproduced draw for draw; what must
    # agree is how good the converged fit is: the median final error over
    # seeds 0..4 at max_iter=3000, tol=1e-6 (at 200 iterations scikit-learn's
    # own results spread by ±50% across seeds).
    random_inits = []
    for init in ["random", "nndsvdar"]:
        for solver in ["cd", "mu"]:
            errs = [NMF(n_components=5, init=init, solver=solver, max_iter=3000,
                        tol=1e-6, random_state=s).fit(X).reconstruction_err_
                    for s in range(5)]
            random_inits.append(dict(init=init, solver=solver, max_iter=3000,
                                     tol=1e-6, median_err=float(np.median(errs))))

    out = dict(sklearn_version=sklearn.__version__, numpy_version=np.__version__,
               cases=cases, transform=transform, random_inits=random_inits,
               random_inits_X=X.tolist())
    with open(os.path.join(HERE, "sklearn_golden.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
