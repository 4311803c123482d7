"""Service layer: the only place that reads and writes the database for the views and the CLI."""
