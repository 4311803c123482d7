"""Staff accounts: creation, Argon2 password hashes, sign-in checks and demo logins.

Passwords are hashed with Argon2id (argon2-cffi's RFC 9106 low-memory profile) and
re-hashed on sign-in when the parameters change. A sign-in with an unknown e-mail
address still runs one hash verification, so the response time does not tell
whether an account exists. Signing out bumps the account's ``session_version``,
which ends every session of that account on the server (see
:func:`nets_app.services.access.load_principal`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import ROLES, Provider, Region, StaffUser
from nets_app.services import audit
from nets_app.services.access import Principal, principal_for
from nets_app.services.uow import transactional

MIN_PASSWORD_LENGTH = 12
DEMO_DOMAIN = "demo.nets.invalid"

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so that a miss costs as much as a hit.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` after checking the length rule."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValueError(f"{email!r} is not an e-mail address (name@organisation.nhs.uk)")
    return email


def create_staff_user(
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    region: Region | None = None,
    providers: Iterable[Provider] = (),
) -> StaffUser:
    """Add a staff account (the caller owns the transaction).

    A site reviewer needs at least one provider and a regional user a region; other
    roles have national scope and take neither.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {sorted(ROLES)}")
    providers = list(providers)
    if role == "site_reviewer" and not providers:
        raise ValueError("a site reviewer needs at least one provider")
    if role == "regional" and region is None:
        raise ValueError("a regional user needs a region")
    if role not in ("site_reviewer",) and providers:
        raise ValueError(f"only site reviewers have providers, not role {role!r}")
    if role != "regional" and region is not None:
        raise ValueError(f"only regional users have a region, not role {role!r}")
    email = _normalise_email(email)
    if db.session.scalar(select(StaffUser.id).where(func.lower(StaffUser.email) == email)):
        raise ValueError(f"a staff account for {email} already exists")
    user = StaffUser(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=hash_password(password),
        region_id=region.id if region is not None else None,
        active=True,
        session_version=1,
    )
    user.providers = providers
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: StaffUser, password: str) -> None:
    """Replace the password and end every existing session (the caller commits)."""
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 0) + 1


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@transactional
def authenticate(email: str, password: str) -> Principal | None:
    """The principal for a correct e-mail and password of an active account, else None.

    Writes ``login`` or ``login_failed`` to the audit log either way.
    """
    try:
        email = _normalise_email(email)
    except ValueError:
        email = (email or "")[:254]
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email))
    if user is None:
        _verify(_DUMMY_HASH, password or "")
        audit.record("login_failed", f"email:{email}", "denied", {"reason": "unknown account"})
        return None
    if not _verify(user.password_hash, password or "") or not user.active:
        reason = "wrong password" if user.active else "account disabled"
        audit.record(
            "login_failed", f"staff:{user.id}", "denied", {"reason": reason}, staff_id=user.id
        )
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record("login", f"staff:{user.id}", staff_id=user.id)
    return principal_for(user)


@transactional
def end_sessions(staff_id: int) -> None:
    """Sign out everywhere: bump ``session_version`` so no old session cookie loads."""
    user = db.session.get(StaffUser, staff_id)
    if user is None:
        return
    user.session_version = (user.session_version or 0) + 1
    audit.record("logout", f"staff:{staff_id}", staff_id=staff_id)


def _demo_accounts() -> list[tuple[str, str, str, dict]]:
    region = db.session.scalar(select(Region).order_by(Region.code))
    providers = []
    if region is not None:
        providers = list(
            db.session.scalars(
                select(Provider).where(Provider.region_id == region.id).order_by(Provider.code)
            )
        )[:2]
    accounts = [
        ("national", "national", "National quality team (demo)", {}),
        ("researcher", "researcher", "Researcher (demo)", {}),
        ("admin", "admin", "Survey administrator (demo)", {}),
    ]
    if region is not None:
        accounts.insert(
            0, ("regional", "regional", f"{region.name} quality team (demo)", {"region": region})
        )
    if providers:
        accounts.insert(
            0, ("site_reviewer", "reviewer", "Pilot-site reviewer (demo)", {"providers": providers})
        )
    return accounts


@transactional
def demo_logins() -> list[tuple[str, str, str]]:
    """Create (or reset) one demo account per role; return ``[(role, email, password)]``.

    Every call sets fresh random passwords, so ``make run`` can print them and no
    demo password is ever stored in the repository. Refused in production.
    """
    if current_app.config.get("ENV_NAME") == "production":
        raise ValueError("demo logins are for development only; create real accounts instead")
    out = []
    for role, local, name, scope in _demo_accounts():
        email = f"{local}@{DEMO_DOMAIN}"
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            create_staff_user(email, name, role, password, **scope)
        else:
            set_password(user, password)
            user.active = True
        out.append((role, email, password))
    return out


def _account(email: str) -> StaffUser:
    user = db.session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == _normalise_email(email))
    )
    if user is None:
        raise ValueError(f"no staff account for {email}")
    return user


@transactional
def add_account(
    email: str,
    name: str,
    role: str,
    password: str,
    region_code: str | None = None,
    provider_codes: Iterable[str] = (),
) -> StaffUser:
    """Create an account from region / provider codes (for ``flask nets staff add``)."""
    region = None
    if region_code:
        region = db.session.scalar(select(Region).where(Region.code == region_code))
        if region is None:
            raise ValueError(f"no region with code {region_code!r}")
    providers = []
    for code in provider_codes:
        provider = db.session.scalar(select(Provider).where(Provider.code == code))
        if provider is None:
            raise ValueError(f"no provider with code {code!r}")
        providers.append(provider)
    user = create_staff_user(email, name, role, password, region=region, providers=providers)
    audit.record("create", f"staff:{user.id}", detail={"role": role}, staff_id=None)
    return user


@transactional
def disable_account(email: str) -> None:
    user = _account(email)
    user.active = False
    user.session_version = (user.session_version or 0) + 1
    audit.record("update", f"staff:{user.id}", detail={"active": False})


@transactional
def reset_password(email: str, password: str) -> None:
    user = _account(email)
    set_password(user, password)
    audit.record("update", f"staff:{user.id}", detail={"password": "changed"})
