"""Factor rotations.

* ``varimax``  Kaiser (1958) with Kaiser normalisation, the SVD algorithm of R's
  ``stats::varimax`` including its stopping rule (stop when the criterion grows
  by a factor below ``1 + eps``, ``eps = 1e-5``), so that results equal R's,
  psych's and factor-analyzer's to rounding.
* ``promax``   Hendrickson & White (1964) with power 4 after Kaiser-normalised
  varimax, as ``psych::fa(rotate = "promax")`` and factor-analyzer.
* ``oblimin``  direct quartimin (oblimin, gamma = 0) and ``geomin`` (delta = 0.01,
  oblique as in Mplus and ``GPArotation::geominQ``) by the gradient projection
  algorithm of Jennrich (2002) / Bernaards & Jennrich (2005), the algorithm of
  ``GPArotation::GPFoblq``, started from the unrotated loadings.

Each returns the rotated pattern ``L``, the factor correlations ``Phi`` and the
transformation ``T`` with ``L = A T^-T`` (oblique) or ``L = A T`` (orthogonal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["ROTATIONS", "Rotation", "rotate"]

Array = NDArray[np.float64]
ROTATIONS: tuple[str | None, ...] = ("oblimin", "promax", "varimax", "geomin", None)
OBLIQUE = ("oblimin", "promax", "geomin")
_FLOOR = 1e-6  # gradient norm below which a failed line search means convergence


@dataclass(frozen=True)
class Rotation:
    loadings: Array
    phi: Array
    converged: bool
    iterations: int
    message: str


def _varimax(a: Array, eps: float = 1e-5, max_iter: int = 1000) -> tuple[Array, Array, bool, int]:
    p, m = a.shape
    sc = np.sqrt(np.einsum("ij,ij->i", a, a))
    x = a / sc[:, None]
    t = np.eye(m)
    d = 0.0
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - iteration count is reported
        z = x @ t
        b = x.T @ (z**3 - z * (np.sum(z**2, axis=0) / p))
        u, s, vt = np.linalg.svd(b)
        t = u @ vt
        d_past = d
        d = float(np.sum(s))
        if d < d_past * (1.0 + eps):
            converged = True
            break
    return (x @ t) * sc[:, None], t, converged, iteration


def _promax(a: Array, power: int = 4) -> tuple[Array, Array]:
    h = np.sqrt(np.einsum("ij,ij->i", a, a))
    x, t_var, _, _ = _varimax(a / h[:, None])
    q = x * np.abs(x) ** (power - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u * np.sqrt(d)
    loadings = (x @ u) * h[:, None]
    ui = np.linalg.inv(u)
    phi = ui @ ui.T
    return loadings, phi


def _oblimin_vgq(lam: Array) -> tuple[float, Array]:
    l2 = lam * lam
    x = l2.sum(axis=1, keepdims=True) - l2  # L^2 (11' - I): row sums without own column
    return float(np.sum(l2 * x)) / 4.0, lam * x


def _geomin_vgq(lam: Array, delta: float = 0.01) -> tuple[float, Array]:
    m = lam.shape[1]
    l2 = lam * lam + delta
    pro = np.exp(np.sum(np.log(l2), axis=1) / m)
    return float(np.sum(pro)), (2.0 / m) * (lam / l2) * pro[:, None]


def _gpf_oblique(
    a: Array,
    vgq: Callable[[Array], tuple[float, Array]],
    eps: float,
    max_iter: int,
) -> tuple[Array, Array, bool, int]:
    m = a.shape[1]
    t = np.eye(m)
    lam = a.copy()
    f, gq = vgq(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    alpha = 1.0
    s = np.inf
    iteration = 0
    for iteration in range(max_iter + 1):  # noqa: B007 - iteration count is reported
        gp = g - t * np.sum(t * g, axis=0)
        s = float(np.sqrt(np.sum(gp * gp)))
        if s < eps:
            break
        alpha *= 2.0
        improved = False
        for _ in range(11):
            x = t - alpha * gp
            t_new = x / np.sqrt(np.sum(x * x, axis=0))
            inv_new = np.linalg.inv(t_new)
            lam = a @ inv_new.T
            f_new, gq = vgq(lam)
            if f - f_new > 0.5 * s * s * alpha:
                improved = True
                break
            alpha /= 2.0
        if not improved and s < _FLOOR:
            # the criterion no longer changes in floating point: as optimal as it gets
            s = 0.0
            break
        t = t_new
        f = f_new
        g = -(lam.T @ gq @ inv_new).T
    lam = a @ np.linalg.inv(t).T
    return lam, t.T @ t, bool(s < eps), iteration


def rotate(a: Array, method: str | None, *, tol: float = 1e-8, max_iter: int = 10_000) -> Rotation:
    """Rotate unrotated loadings ``a`` (k x m) by ``method``.

    ``tol`` and ``max_iter`` apply to the gradient projection rotations; varimax
    and promax use R's stopping rule.
    """
    m = a.shape[1]
    if method is None or m == 1:
        return Rotation(a.copy(), np.eye(m), True, 0, "")
    if method == "varimax":
        lam, _, ok, it = _varimax(a)
        phi = np.eye(m)
    elif method == "promax":
        lam, phi = _promax(a)
        ok, it = True, 0
    else:
        vgq = _oblimin_vgq if method == "oblimin" else _geomin_vgq
        lam, phi, ok, it = _gpf_oblique(a, vgq, tol, max_iter)
    message = "" if ok else f"{method} rotation did not converge in {it} iterations"
    return Rotation(lam, phi, ok, it, message)
