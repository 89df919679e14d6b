"""The garbage collector is paused during load, validate and render, and always switched back on."""
from __future__ import annotations

import gc
import threading

from benchmarks.synthetic import synthetic_yaml
from generator.gcpause import gc_paused
from generator.render.pipeline import render
from generator.rules.engine import validate_spec
from generator.spec import load_spec_text


def test_collection_is_back_on_after_the_phases_and_checking_leaves_almost_no_cycles():
    gc.collect()
    assert gc.isenabled()
    spec = load_spec_text(synthetic_yaml(100), "bench.yaml")
    assert gc.isenabled()
    validate_spec(spec)
    assert gc.isenabled()
    assert gc.collect() < 100  # what the pause let pile up
    render(spec)  # Jinja's macros do leave cycles: the collector's next run takes them
    assert gc.isenabled()


def test_nested_and_failing_calls_restore_the_collector():
    @gc_paused
    def inner():
        assert not gc.isenabled()
        raise ValueError

    @gc_paused
    def outer():
        try:
            inner()
        except ValueError:
            pass
        assert not gc.isenabled()

    outer()
    assert gc.isenabled()
    gc.disable()
    try:
        outer()
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_overlapping_calls_in_threads_never_leave_it_off():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    @gc_paused
    def first():
        a_in.set()
        b_in.wait(5)

    @gc_paused
    def second():
        a_in.wait(5)
        b_in.set()
        a_out.wait(5)

    t1, t2 = threading.Thread(target=first), threading.Thread(target=second)
    t2.start()
    t1.start()
    t1.join(5)
    a_out.set()
    t2.join(5)
    assert gc.isenabled()
