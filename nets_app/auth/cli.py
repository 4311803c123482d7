"""``flask nets staff ...``: create, disable and reset staff accounts (there is no sign-up page)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

staff_cli = AppGroup("staff", help="Staff accounts for the dashboards.")


@staff_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown on the dashboard.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["site_reviewer", "regional", "national", "researcher", "admin"]),
)
@click.option("--region", "region_code", help="Region code (regional users).")
@click.option(
    "--provider",
    "provider_codes",
    multiple=True,
    help="Provider code (site reviewers; repeat for more).",
)
@click.password_option(help="At least 12 characters; asked for if not given.")
def add(
    email: str,
    name: str,
    role: str,
    region_code: str | None,
    provider_codes: tuple[str, ...],
    password: str,
) -> None:
    """Create a staff account."""
    from nets_app.services import staff

    try:
        user = staff.add_account(email, name, role, password, region_code, provider_codes)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} account {user.email}.")


@staff_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and end its sessions."""
    from nets_app.services import staff

    try:
        staff.disable_account(email)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Disabled {email}; its sessions have ended.")


@staff_cli.command("password")
@click.argument("email")
@click.password_option(help="At least 12 characters; asked for if not given.")
def password(email: str, password: str) -> None:
    """Set a new password (ends the account's sessions)."""
    from nets_app.services import staff

    try:
        staff.reset_password(email, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Password changed for {email}; its sessions have ended.")
