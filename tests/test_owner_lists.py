"""review/owner_lists.py: per-owner reductions over flat arrays, against plain loops."""

import numpy as np

from jixiao.review.owner_lists import OwnerLists, inverse


def test_best_is_the_largest_value_over_the_owners_items_and_minus_one_without_items():
    rng = np.random.default_rng(3)
    per_owner = [[0, 3], [], [1, 2, 3], [4]]
    lists = OwnerLists(per_owner)
    sims = rng.random((5, 5)).astype(np.float32)
    rows, owners = np.array([0, 1, 2, 4, 3, 0]), np.array([2, 1, 0, 3, 2, 3])
    expected = [max(sims[r, i] for i in per_owner[o]) if per_owner[o] else -1.0 for r, o in zip(rows, owners)]
    assert np.allclose(lists.best(sims, rows, owners), expected)


def test_expand_and_inverse():
    lists = OwnerLists([[5], [1, 2]])
    pos, items = lists.expand(np.array([1, 0, 1]))
    assert pos.tolist() == [0, 0, 1, 2, 2] and items.tolist() == [1, 2, 5, 1, 2]
    assert inverse([[0, 2], [2]], 3) == [[0], [], [0, 1]]
