"""FAISS searches run on the server's OpenMP thread count in whichever thread searches: OpenMP's setting is
per thread, and a server searches in worker threads that a setting made in its main thread never reached."""

from __future__ import annotations

import threading

import faiss
import numpy as np

from index import vectors
from index.vectors import FaissIndex, set_search_threads


def test_a_search_in_a_new_thread_uses_the_set_thread_count():
    x = np.random.default_rng(0).standard_normal((2000, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    index = FaissIndex(16)
    index.build(x)
    before, main_threads = vectors._search_threads, faiss.omp_get_max_threads()
    seen: dict[str, int] = {}

    def worker(name: str) -> None:
        seen[f"{name}_before"] = faiss.omp_get_max_threads()
        _, rows = index.search(x[0], 5)
        assert int(rows[0]) == 0
        seen[name] = faiss.omp_get_max_threads()

    try:
        set_search_threads(1)
        t = threading.Thread(target=worker, args=("one",))
        t.start()
        t.join()
        assert seen["one"] == 1
        set_search_threads(3)
        t = threading.Thread(target=worker, args=("three",))
        t.start()
        t.join()
        assert seen["three"] == 3
    finally:
        set_search_threads(before)
        faiss.omp_set_num_threads(main_threads)
