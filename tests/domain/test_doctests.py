"""The domain modules' docstring examples run, and the modules stay free of web imports.

pytest runs ``--doctest-modules`` only over ``tests/`` and ``psychometrics/``, so the
examples in ``nets_app/domain`` are run here.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import nets_app.domain

DOMAIN_DIR = Path(nets_app.domain.__file__).parent
MODULES = sorted(f"nets_app.domain.{m.name}" for m in pkgutil.iter_modules([str(DOMAIN_DIR)]))
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("path", sorted(DOMAIN_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_web_imports(path):
    # nets_app/__init__.py may import Flask, so importing the domain package cannot prove
    # it is free of Flask; read each module's import statements instead.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "use absolute imports"
            modules.add(node.module)
    roots = {m.split(".")[0] for m in modules}
    assert not roots & set(FORBIDDEN), modules
    outside = {
        m for m in modules if m.startswith("nets_app") and not m.startswith("nets_app.domain")
    }
    assert not outside, f"the domain imports only itself from nets_app, got {outside}"


def test_every_module_has_examples():
    # a module without examples would make test_docstring_examples pass vacuously
    for name in MODULES:
        if name.endswith("_config") or name == "nets_app.domain.__init__":
            continue
        module = importlib.import_module(name)
        assert doctest.testmod(module).attempted > 0, name
