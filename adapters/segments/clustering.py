"""k-means with k-means++ seeding, in NumPy, over standardised customer features."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from application.segments.clustering import Clusters

Matrix = npt.NDArray[np.float64]


def standardise(features: Matrix) -> Matrix:
    """Each column to mean 0 and standard deviation 1; a constant column to 0."""
    spread = features.std(axis=0)
    spread[spread == 0] = 1.0
    return np.asarray((features - features.mean(axis=0)) / spread, dtype=np.float64)


def kmeans_plus_plus(points: Matrix, k: int, rng: np.random.Generator) -> Matrix:
    """Initial centres: the first at random, each next with probability ∝ squared distance."""
    centres = [points[int(rng.integers(len(points)))]]
    nearest = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = nearest.sum()
        if total == 0:
            chosen = int(rng.integers(len(points)))
        else:
            chosen = int(rng.choice(len(points), p=nearest / total))
        centres.append(points[chosen])
        nearest = np.minimum(nearest, ((points - points[chosen]) ** 2).sum(axis=1))
    return np.array(centres, dtype=np.float64)


def assign(points: Matrix, centres: Matrix) -> npt.NDArray[np.intp]:
    # |p - c|² = |p|² - 2 p·c + |c|²; |p|² is the same for every centre.
    distances = -2.0 * points @ centres.T + (centres**2).sum(axis=1)
    return np.asarray(distances.argmin(axis=1), dtype=np.intp)


def kmeans(
    points: Matrix, k: int, *, seed: int = 0, iterations: int = 100
) -> tuple[npt.NDArray[np.intp], Matrix]:
    """Labels and centres; stops when no point changes cluster."""
    rng = np.random.default_rng(seed)
    centres = kmeans_plus_plus(points, k, rng)
    labels = assign(points, centres)
    for _ in range(iterations):
        for cluster in range(k):
            members = points[labels == cluster]
            if len(members):
                centres[cluster] = members.mean(axis=0)
        moved = assign(points, centres)
        if np.array_equal(moved, labels):
            break
        labels = moved
    return labels, centres


class NumpyClusterer:
    """``Clusterer``: k-means++ over the standardised columns of ``features``."""

    def cluster(self, features: Sequence[Sequence[float]], k: int, *, seed: int) -> Clusters:
        raw = np.asarray(features, dtype=np.float64)
        labels, _ = kmeans(standardise(raw), k, seed=seed)
        # Clusters are numbered by size, largest first, so that a run reads the same way
        # whatever order the seeds fell in.
        sizes = np.bincount(labels, minlength=k)
        order = np.argsort(-sizes, kind="stable")
        renumber = np.empty(k, dtype=np.intp)
        renumber[order] = np.arange(k)
        labels = renumber[labels]
        means = [
            raw[labels == c].mean(axis=0).tolist() if (labels == c).any() else [] for c in range(k)
        ]
        return Clusters(labels=labels.tolist(), means=means)
