"""Pause Python's cyclic garbage collector while a spec is loaded, checked and rendered,
and while check-policy reads and checks its documents.

Loading, checking and rendering allocate hundreds of thousands of small objects that stay
alive until the end (the model, the policy documents, the analysis). Each automatic
collection walks all of them again, which cost about half the load time and a third of
the validation time at 1,000 roles. Loading and checking create next to no reference
cycles (a test checks that validation leaves fewer than a hundred objects in them);
rendering leaves some through Jinja's macros. The collector is simply switched back on
afterwards and takes them at its next automatic run.
"""
from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def gc_paused(func: F) -> F:
    """Run ``func`` with automatic collection off.

    The call that found the collector on switches it back on when it returns; nested calls,
    and calls made while something else has it off, leave it as they found it.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        owner = gc.isenabled()
        if owner:
            gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if owner:
                gc.enable()

    return wrapper  # type: ignore[return-value]
