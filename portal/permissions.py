"""The shared predicates of Okrsek's object rules (django-rules) and the portal's own rules.

Each feature app registers its rules in ``<app>/rules.py`` (loaded by its ``AppConfig.ready``) from the
predicates here: roles (``is_officer``, …) and membership (``belongs_to_municipality``). Services are the
layer that authorizes (``user.has_perm("<perm>", obj)`` or a workflow transition's predicate); views may ask
the same rules early for a nicer page, never instead. The base names no feature app's states. The matrix
test in ``tests/portal/test_permissions.py`` covers every registered rule.

Superusers get no implicit permission from these rules (``user_has_perm``, which ``User.has_perm`` calls): in
the normal UI a superuser may do what the roles they hold explicitly allow, nothing more; everything else they
do through ``/admin/``, whose model permissions keep Django's superuser pass (docs/staff-authentication.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import rules
from django.apps import apps
from django.contrib.auth import get_permission_codename

from . import roles
from .roles import role_names


def has_role(name: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{name}")
    def predicate(user) -> bool:
        return name in role_names(user)

    return predicate


is_officer = has_role(roles.OFFICER)
is_coordinator = has_role(roles.COORDINATOR)
is_partner_body_staff = has_role(roles.PARTNER_BODY)
is_municipal_staff = has_role(roles.MUNICIPAL_STAFF)
is_workshop_organiser = has_role(roles.WORKSHOP_ORGANISER)
is_commission_member = has_role(roles.COMMISSION_MEMBER)
is_programme_manager = has_role(roles.PROGRAMME_MANAGER)
has_any_role = rules.predicate(lambda user: bool(role_names(user)), name="has_any_role")


def user_profile(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: a user without profile belongs nowhere
        return None


@rules.predicate
def belongs_to_municipality(user, municipality) -> bool:
    profile = user_profile(user)
    return profile is not None and municipality is not None and profile.municipality_id == municipality.pk


# --- superusers in the normal UI (the one place of the policy)


@cache
def _model_permissions() -> frozenset[str]:
    """Django's model permissions ("<app>.<action>_<model>"), what /admin/ asks for (never with an object)."""
    names = set()
    for model in apps.get_models():
        opts = model._meta
        names.update(f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in opts.default_permissions)
        names.update(f"{opts.app_label}.{codename}" for codename, _name in opts.permissions)
    return frozenset(names)


_scripted_override: ContextVar[bool] = ContextVar("okrsek_scripted_override", default=False)


@contextmanager
def admin_override() -> Iterator[None]:
    """For the administrator's scripts only (``seed_demo`` acts for towns and units without demo accounts),
    never for a request: inside it an active superuser passes the rules, and the workflow engine logs each
    such step with ``admin_override: true``."""
    token = _scripted_override.set(True)
    try:
        yield
    finally:
        _scripted_override.reset(token)


def superuser_overrides(user) -> bool:
    """Whether ``user`` passes a rule they do not hold as an (logged) admin override: only an active superuser
    inside ``admin_override()``."""
    return _scripted_override.get() and getattr(user, "is_superuser", False) and user.is_active


def user_has_perm(user, perm: str, obj=None, *, default) -> bool:
    """``User.has_perm``: Okrsek's rules decide alone, for every user and the superuser too, whenever they are
    asked about an object or about a permission that is not one of Django's model permissions (the normal
    UI). Otherwise (the admin asking for a model permission, without an object) ``default`` answers: Django's
    own check, in which an active superuser passes everything."""
    if rules.perm_exists(perm) and (obj is not None or perm not in _model_permissions()):
        return rules.has_perm(perm, user, obj) or superuser_overrides(user)
    return default(perm, obj)


# --- portal
rules.add_perm("portal.view_dashboard", has_any_role)
