"""Exact REML for a linear model with one random intercept per cluster.

Model: y = X beta + Z b + e, b ~ N(0, tau^2 I), e ~ N(0, sigma^2 I), so that the
covariance of a cluster with n observations is sigma^2 (I + gamma 11'),
gamma = tau^2 / sigma^2. Its inverse has the closed form
(I - gamma / (1 + gamma n) 11') / sigma^2, so every quantity the REML criterion
needs is a sum over cluster sizes of precomputed cross-products:

    X' H^-1 X = W_xx + sum_k B_xx(k) / (1 + gamma k)

with W the within-cluster and B(k) the between-cluster (size k) scatter. The
criterion is profiled over sigma^2 and optimised over log(gamma) with Brent's
bounded method, then compared with the boundary gamma = 0.

The criterion is lme4's REML deviance (``REMLcrit``):
sum log(1 + gamma n_i) + log|X'H^-1X| + (N - p)(1 + log(2 pi pwrss / (N - p))).
The fixed-effect covariance is sigma^2 (X'H^-1X)^-1 at the estimate, as
``vcov()`` of an ``lmer`` fit. Satterthwaite df use the analytic REML Hessian in
(sigma^2, gamma) and agree with lmerTest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

LOG_GAMMA_BOUNDS = (-18.0, 18.0)
GRID_POINTS = 73


class ModelFitError(ValueError):
    """The model cannot be fitted (rank-deficient design, too few observations)."""


@dataclass(frozen=True)
class RandomInterceptFit:
    """REML estimates. ``cov_beta`` is sigma^2 (X'V^-1X)^-1 scaled as lme4's ``vcov``."""

    beta: np.ndarray
    cov_beta: np.ndarray
    sigma2: float
    tau2: float
    reml_criterion: float
    n_obs: int
    n_clusters: int
    converged: bool
    boundary: bool
    iterations: int
    message: str
    variance_parameter_cov: np.ndarray  # (sigma^2, gamma), 2 x inverse REML Hessian
    cov_beta_gradient: np.ndarray  # d cov_beta / d(sigma^2, gamma), shape (2, p, p)

    @property
    def gamma(self) -> float:
        return self.tau2 / self.sigma2 if self.sigma2 > 0 else float("nan")


@dataclass(frozen=True)
class _Moments:
    """Sufficient statistics: within scatter and between scatter per cluster size.

    The response parts have a leading axis over S responses that share the design and clusters.
    """

    n_obs: int
    n_params: int
    sizes: np.ndarray  # distinct cluster sizes k
    counts: np.ndarray  # number of clusters of size k
    w_xx: np.ndarray  # (p, p)
    w_xy: np.ndarray  # (S, p)
    w_yy: np.ndarray  # (S,)
    b_xx: np.ndarray  # (K, p, p)
    b_xy: np.ndarray  # (S, K, p)
    b_yy: np.ndarray  # (S, K)


def _moments(x: np.ndarray, y: np.ndarray, cluster: np.ndarray) -> _Moments:
    """Moments of the design ``x`` (N x p) and the response(s) ``y`` (N, or N x S)."""
    ys = y.reshape(len(y), -1)
    inverse, codes = pd.factorize(cluster, sort=False)
    indicator = sparse.csr_matrix(
        (np.ones(len(inverse)), (inverse, np.arange(len(inverse)))), shape=(len(codes), len(y))
    )
    n_i = np.bincount(inverse, minlength=len(codes)).astype(float)
    means = (indicator @ np.column_stack([x, ys])) / n_i[:, None]
    means_x, means_y = means[:, : x.shape[1]], means[:, x.shape[1] :]
    xc = x - means_x[inverse]
    yc = ys - means_y[inverse]
    sizes, size_index = np.unique(n_i, return_inverse=True)
    counts = np.bincount(size_index).astype(float)
    b_xx = np.empty((len(sizes), x.shape[1], x.shape[1]))
    b_xy = np.empty((ys.shape[1], len(sizes), x.shape[1]))
    b_yy = np.empty((ys.shape[1], len(sizes)))
    for k in range(len(sizes)):
        mask = size_index == k
        mx = means_x[mask] * np.sqrt(sizes[k])
        my = means_y[mask] * np.sqrt(sizes[k])
        b_xx[k] = mx.T @ mx
        b_xy[:, k] = my.T @ mx
        b_yy[:, k] = np.einsum("cs,cs->s", my, my)
    return _Moments(
        n_obs=len(y),
        n_params=x.shape[1],
        sizes=sizes,
        counts=counts,
        w_xx=xc.T @ xc,
        w_xy=yc.T @ xc,
        w_yy=np.einsum("ns,ns->s", yc, yc),
        b_xx=b_xx,
        b_xy=b_xy,
        b_yy=b_yy,
    )


def _criteria(m: _Moments, gammas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(REML deviance, beta, X'H^-1X, pwrss) at variance ratios ``gammas`` of shape (G, S) or (G, 1).

    Column s of ``gammas`` applies to response s (a single column to every response);
    results have shape (G, S) for deviance and pwrss, (G, S, p) for beta, (G, S or 1, p, p) for X'H^-1X.
    """
    gammas = np.asarray(gammas, dtype=float)
    shrink = 1.0 / (1.0 + gammas[..., None] * m.sizes)
    a = m.w_xx + np.einsum("gsk,kij->gsij", shrink, m.b_xx)
    b = m.w_xy + np.einsum("gsk,skp->gsp", shrink, m.b_xy)
    yhy = m.w_yy + np.einsum("gsk,sk->gs", shrink, m.b_yy)
    chol = np.linalg.cholesky(a)
    beta = np.linalg.solve(a, b[..., None])[..., 0]
    pwrss = yhy - np.einsum("gsp,gsp->gs", b, beta)
    dof = m.n_obs - m.n_params
    logdet_h = np.log1p(gammas[..., None] * m.sizes) @ m.counts
    logdet_a = 2.0 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(axis=-1)
    deviance = logdet_h + logdet_a + dof * (1.0 + np.log(2.0 * np.pi * pwrss / dof))
    return deviance, beta, a, pwrss


def _solve_at(m: _Moments, gamma: float) -> tuple[float, np.ndarray, np.ndarray, float]:
    """(REML deviance, beta, (X'H^-1X)^-1, pwrss) at one variance ratio (single response)."""
    deviance, beta, a, pwrss = _criteria(m, np.array([[gamma]]))
    return float(deviance[0, 0]), beta[0, 0], np.linalg.inv(a[0, 0]), float(pwrss[0, 0])


def _variance_derivatives(
    m: _Moments, gamma: float, sigma2: float, beta: np.ndarray, a_inv: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Asymptotic covariance of (sigma^2, gamma) and d cov(beta) / d(sigma^2, gamma).

    The covariance is 2 x the inverse Hessian of the REML deviance, as lmerTest's
    ``vcov_varpar``; derivatives are analytic (c_k = 1 / (1 + gamma k)).
    """
    b_xy, b_yy = m.b_xy[0], m.b_yy[0]  # the single response
    c = 1.0 / (1.0 + gamma * m.sizes)
    c1, c2 = -m.sizes * c**2, 2.0 * m.sizes**2 * c**3
    a1 = np.tensordot(c1, m.b_xx, axes=1)
    a2 = np.tensordot(c2, m.b_xx, axes=1)
    q = b_yy - 2.0 * b_xy @ beta + np.einsum("i,kij,j->k", beta, m.b_xx, beta)
    dq = 2.0 * (np.einsum("kij,j->ki", m.b_xx, beta) - b_xy)  # d q_k / d beta
    dbeta = a_inv @ (c1 @ b_xy - a1 @ beta)
    p1 = float(c1 @ q)
    p2 = float(c2 @ q + c1 @ (dq @ dbeta))
    ainv_a1 = a_inv @ a1
    l2 = float(-(m.counts * m.sizes**2 * c**2).sum() + np.trace(a_inv @ a2) - np.trace(ainv_a1 @ ainv_a1))
    dof = m.n_obs - m.n_params
    hessian = np.array([[dof / sigma2**2, -p1 / sigma2**2], [-p1 / sigma2**2, l2 + p2 / sigma2]])
    cov_phi = 2.0 * np.linalg.inv(hessian)
    dcov = np.stack([a_inv, -sigma2 * ainv_a1 @ a_inv])
    return cov_phi, dcov


def satterthwaite_df(fit: RandomInterceptFit, contrast: np.ndarray) -> float:
    """Satterthwaite df of the estimate ``contrast @ beta`` (as lmerTest / emmeans)."""
    contrast = np.asarray(contrast, dtype=float)
    variance = float(contrast @ fit.cov_beta @ contrast)
    gradient = np.einsum("i,kij,j->k", contrast, fit.cov_beta_gradient, contrast)
    denominator = float(gradient @ fit.variance_parameter_cov @ gradient)
    return 2.0 * variance**2 / denominator if denominator > 0 else float("inf")


def _checked_moments(x: np.ndarray, y: np.ndarray, cluster: np.ndarray) -> _Moments:
    """Moments of a full-rank design; :class:`ModelFitError` otherwise."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[0] != len(y) or len(cluster) != len(y):
        raise ModelFitError("design, response and clusters have different lengths")
    if len(y) <= x.shape[1]:
        raise ModelFitError(f"{len(y)} observations for {x.shape[1]} fixed effects")
    m = _moments(x, y, np.asarray(cluster))
    xtx = m.w_xx + m.b_xx.sum(axis=0)
    scale = np.sqrt(np.diag(xtx))
    if not (scale > 0).all() or np.linalg.matrix_rank(xtx / np.outer(scale, scale), tol=1e-10) < x.shape[1]:
        raise ModelFitError("fixed-effect design is rank deficient (an empty group x time cell?)")
    return m


def fit_random_intercept_reml(
    x: np.ndarray, y: np.ndarray, cluster: np.ndarray, max_iterations: int = 500
) -> RandomInterceptFit:
    """Fit y ~ X + (1 | cluster) by REML.

    ``x`` is the full-rank fixed-effect design (N x p), ``cluster`` any array of
    cluster labels. Raises :class:`ModelFitError` when the design is rank
    deficient or leaves no residual degrees of freedom.
    """
    m = _checked_moments(x, y, cluster)

    def criterion(log_gamma: float) -> float:
        return float(_criteria(m, np.exp([[log_gamma]]))[0][0, 0])

    grid = np.linspace(*LOG_GAMMA_BOUNDS, GRID_POINTS)
    values = _criteria(m, np.exp(grid)[:, None])[0][:, 0]
    best = int(np.argmin(values))
    lower = grid[max(best - 1, 0)]
    upper = grid[min(best + 1, len(grid) - 1)]
    result = optimize.minimize_scalar(
        criterion, bounds=(lower, upper), method="bounded", options={"xatol": 1e-10, "maxiter": max_iterations}
    )
    converged = bool(result.success)
    message = str(result.message)
    gamma = float(np.exp(result.x))
    boundary = False
    at_zero = _solve_at(m, 0.0)[0]
    if at_zero <= result.fun:
        gamma, boundary = 0.0, True
        message = "variance ratio at the boundary 0 (singular fit)"
    elif result.x >= LOG_GAMMA_BOUNDS[1] - 1e-6:
        converged = False
        message = "variance ratio at the upper search bound"
    deviance, beta, a_inv, pwrss = _solve_at(m, gamma)
    sigma2 = pwrss / (m.n_obs - m.n_params)
    cov_phi, dcov = _variance_derivatives(m, gamma, sigma2, beta, a_inv)
    return RandomInterceptFit(
        beta=beta,
        cov_beta=sigma2 * a_inv,
        sigma2=sigma2,
        tau2=gamma * sigma2,
        reml_criterion=float(deviance),
        n_obs=m.n_obs,
        n_clusters=int(m.counts.sum()),
        converged=converged,
        boundary=boundary,
        iterations=int(getattr(result, "nfev", 0)) + GRID_POINTS,
        message=message,
        variance_parameter_cov=cov_phi,
        cov_beta_gradient=dcov,
    )


@dataclass(frozen=True)
class BatchFit:
    """REML estimates of S responses (leading axis); ``cov_beta`` scaled as lme4's ``vcov``."""

    beta: np.ndarray  # (S, p)
    cov_beta: np.ndarray  # (S, p, p)
    sigma2: np.ndarray  # (S,)
    tau2: np.ndarray  # (S,)
    reml_criterion: np.ndarray  # (S,)
    boundary: np.ndarray  # (S,) bool


GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def fit_random_intercept_reml_batch(
    x: np.ndarray, ys: np.ndarray, cluster: np.ndarray, xatol: float = 1e-10
) -> BatchFit:
    """Fit ys[:, s] ~ X + (1 | cluster) by REML for every column s (shared design and clusters).

    The same REML criterion, grid and boundary rule as :func:`fit_random_intercept_reml`,
    with the bracketed minimum found for all responses at once by golden-section search
    (to ``xatol`` in log(gamma)) instead of Brent's method, so that simulation studies
    refit the platform's model at a fraction of the cost. Raises :class:`ModelFitError`
    as the single fit does.
    """
    ys = np.asarray(ys, dtype=float)
    m = _checked_moments(x, ys, cluster)
    n_responses = ys.shape[1]
    grid = np.linspace(*LOG_GAMMA_BOUNDS, GRID_POINTS)
    values = _criteria(m, np.exp(grid)[:, None])[0]
    best = np.argmin(values, axis=0)
    low, high = grid[np.maximum(best - 1, 0)], grid[np.minimum(best + 1, len(grid) - 1)]

    def criterion(log_gamma: np.ndarray) -> np.ndarray:
        return _criteria(m, np.exp(log_gamma)[None, :])[0][0]

    inner_low, inner_high = high - GOLDEN * (high - low), low + GOLDEN * (high - low)
    f_low, f_high = criterion(inner_low), criterion(inner_high)
    while np.max(high - low) > xatol:
        left = f_low < f_high  # the minimum lies in [low, inner_high]
        high = np.where(left, inner_high, high)
        low = np.where(left, low, inner_low)
        moved = np.where(left, inner_low, inner_high)
        f_moved = np.where(left, f_low, f_high)
        new = np.where(left, high - GOLDEN * (high - low), low + GOLDEN * (high - low))
        f_new = criterion(new)
        inner_low, f_low = np.where(left, new, moved), np.where(left, f_new, f_moved)
        inner_high, f_high = np.where(left, moved, new), np.where(left, f_moved, f_new)
    log_gamma = (low + high) / 2
    boundary = _criteria(m, np.zeros((1, n_responses)))[0][0] <= criterion(log_gamma)
    gamma = np.where(boundary, 0.0, np.exp(log_gamma))
    deviance, beta, a, pwrss = (v[0] for v in _criteria(m, gamma[None, :]))
    sigma2 = pwrss / (m.n_obs - m.n_params)
    return BatchFit(
        beta=beta,
        cov_beta=sigma2[:, None, None] * np.linalg.inv(a),
        sigma2=sigma2,
        tau2=gamma * sigma2,
        reml_criterion=deviance,
        boundary=boundary,
    )
