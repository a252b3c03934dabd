"""Ragged lists of product rows (each phrase's best products) packed into two flat arrays.

Tens of thousands of small NumPy arrays cost ~100 bytes of header each plus int64 data; one int32 array
and its offsets hold the same rows in a fraction of the memory, and a phrase's rows are a view of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


class Rows(Sequence[np.ndarray]):
    """rows[i] -> int64 array of the i-th list (a copy of a slice of one flat int32 array)."""

    def __init__(self, flat: np.ndarray, offsets: np.ndarray):
        self.flat = flat
        self.offsets = offsets

    @classmethod
    def pack(cls, lists: Sequence[np.ndarray] | Sequence[list[int]]) -> Rows:
        sizes = np.fromiter((len(x) for x in lists), np.int64, count=len(lists))
        offsets = np.zeros(len(lists) + 1, np.int64)
        np.cumsum(sizes, out=offsets[1:])
        flat = np.zeros(int(offsets[-1]), np.int32)
        for i, x in enumerate(lists):
            flat[offsets[i] : offsets[i + 1]] = np.asarray(x, np.int64)
        return cls(flat, offsets)

    def extended(self, lists: Sequence[np.ndarray] | Sequence[list[int]]) -> Rows:
        """These lists and then more, packed (no per-list arrays made for the ones already here)."""
        more = Rows.pack(lists)
        offsets = np.concatenate([self.offsets, self.offsets[-1] + more.offsets[1:]])
        return Rows(np.concatenate([self.flat[: self.offsets[-1]], more.flat]), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.flat[self.offsets[i] : self.offsets[i + 1]].astype(np.int64)

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self)):
            yield self[i]
