"""Keep the examples in the dashboard services' docstrings true (nets_app is outside --doctest-modules)."""

from __future__ import annotations

import doctest

import pytest

from nets_app.services import dashboard_org, research


@pytest.mark.parametrize("module", [dashboard_org, research], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
