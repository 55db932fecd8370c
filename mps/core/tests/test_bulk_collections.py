"""Bulk paths collect garbage less often, and leave the collector as they found it, however they overlap."""

import gc
import threading

from mps.core.bulk import BULK_COLLECTION_THRESHOLD, fewer_garbage_collections


def test_the_threshold_is_raised_inside_and_restored_after_nested_blocks():
    before = gc.get_threshold()

    with fewer_garbage_collections():
        assert gc.get_threshold()[0] == BULK_COLLECTION_THRESHOLD
        with fewer_garbage_collections():
            assert gc.get_threshold()[0] == BULK_COLLECTION_THRESHOLD
        assert gc.get_threshold()[0] == BULK_COLLECTION_THRESHOLD  # the outer block is still running

    assert gc.get_threshold() == before


def test_blocks_in_threads_that_end_in_any_order_restore_the_collector():
    before = gc.get_threshold()
    first_inside, second_inside, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen_after_second_left: list[int] = []

    def first() -> None:
        with fewer_garbage_collections():
            first_inside.set()
            first_may_leave.wait(5)

    def second() -> None:
        first_inside.wait(5)
        with fewer_garbage_collections():
            second_inside.set()
        seen_after_second_left.append(gc.get_threshold()[0])
        first_may_leave.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert second_inside.is_set()
    # The second left first: the first was still inside, so the threshold stayed raised for it.
    assert seen_after_second_left == [BULK_COLLECTION_THRESHOLD]
    assert gc.get_threshold() == before


def test_an_error_inside_still_restores_the_collector():
    before = gc.get_threshold()
    try:
        with fewer_garbage_collections():
            raise ValueError("a batch the database refused")
    except ValueError:
        pass

    assert gc.get_threshold() == before
