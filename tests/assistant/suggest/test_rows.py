import numpy as np
import pytest

from assistant.suggest.rows import Rows


def test_packed_rows_give_back_each_list():
    lists = [np.array([5, 1, 9]), np.array([], np.int64), np.array([70_000]), np.array([2, 3])]
    rows = Rows.pack(lists)
    assert len(rows) == 4
    for got, want in zip(rows, lists, strict=True):
        assert got.dtype == np.int64 and got.tolist() == want.tolist()
    assert rows[-1].tolist() == [2, 3]
    with pytest.raises(IndexError):
        rows[4]
    both = Rows.pack([*rows, np.array([8])])
    assert len(both) == 5 and both[4].tolist() == [8] and both[0].tolist() == [5, 1, 9]
    assert rows.flat.dtype == np.int32  # half of int64, one array for all lists
