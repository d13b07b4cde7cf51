"""Items listed per owner, kept as flat numpy arrays (CSR), for reductions over many (row, owner) pairs
at once: the best cosine between each of many goals and the names or indicator names of a project."""

from __future__ import annotations

import numpy as np


def inverse(per_owner: list[list[int]], n_items: int) -> list[list[int]]:
    """Owner → items, turned into item → owners."""
    out: list[list[int]] = [[] for _ in range(n_items)]
    for o, items in enumerate(per_owner):
        for i in items:
            out[i].append(o)
    return out


class OwnerLists:
    """Item numbers listed per owner (CSR): owner i lists cols[starts[i]:starts[i] + lengths[i]]."""

    def __init__(self, per_owner: list[list[int]]):
        self.lengths = np.array([len(x) for x in per_owner], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.cols = np.array([c for x in per_owner for c in x], dtype=np.int64)

    def expand(self, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each of `owners` (repeated), its items: (position in `owners`, item) pairs."""
        n = self.lengths[owners]
        seg = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
        flat = np.arange(n.sum(), dtype=np.int64) - np.repeat(seg, n) + np.repeat(self.starts[owners], n)
        return np.repeat(np.arange(len(owners)), n), self.cols[flat]

    def best(self, sims: np.ndarray, rows: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """For pairs (rows[k], owners[k]): the largest sims[rows[k], item] over the owner's items, −1 if none."""
        out = np.full(len(owners), -1.0, dtype=np.float32)
        has = self.lengths[owners] > 0
        if has.any():
            pos, items = self.expand(owners[has])
            seg = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
            out[has] = np.maximum.reduceat(sims[rows[has][pos], items], seg)
        return out
