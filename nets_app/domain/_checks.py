"""Small input checks shared by the domain modules."""

from __future__ import annotations

import numbers


def is_int(value: object) -> bool:
    """True for Python or NumPy integers, False for bools, floats, strings and None.

    Examples
    --------
    >>> is_int(3), is_int(3.0), is_int(True), is_int("3")
    (True, False, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_text(value: object) -> bool:
    """True for a string with something other than whitespace in it.

    Examples
    --------
    >>> is_text("why"), is_text("  "), is_text(None)
    (True, False, False)
    """
    return isinstance(value, str) and bool(value.strip())
