"""Staff sign-in and sign-out (Flask-Login sessions checked against the database)."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/staff")


@bp.record_once
def _setup(state) -> None:
    from nets_app.auth.cli import staff_cli
    from nets_app.cli import nets

    nets.add_command(staff_cli)


from nets_app.auth import views  # noqa: E402,F401
