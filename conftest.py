"""Root conftest: plugins shared by every test directory."""

pytest_plugins = ["tests.browser_fixtures"]
