"""Everything the portal holds about a person, as one JSON document ("My data" → download).

Each section is one collector. What is left out on purpose, and why:
- the password hash, code digests, ticket digests and the passwords a sign-up ticket held: secrets
  that would let whoever holds the file sign in or prove a code;
- session keys: a key is a signed-in session;
- second-factor secrets (the authenticator key, recovery codes): only their kind, name and dates;
- database ids: they never leave the portal (`public_id` is the account's public name);
- the text of messages that carried a secret: the notifications app erases it once handed over, and
  this file never shows it even before then.
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user

from bawaba.accounts.models import (
    AccountEvent,
    AccountSession,
    PhoneVerification,
    StaffRole,
    User,
)
from bawaba.accounts.my_data import sections
from bawaba.accounts.my_data.sections import Collect
from bawaba.accounts.personal_data import personal_data_access_list_for_citizen
from bawaba.accounts.profile.selectors import profile_for_user
from bawaba.core.i18n import localized
from bawaba.notifications.models import Message
from bawaba.notifications.selectors import PUBLIC_STATUSES

FORMAT = "bawaba-my-data/1"


def _name(user: User | None) -> str | None:
    if user is None:
        return None
    return user.full_name or user.get_full_name() or user.username


def _account(user: User) -> dict[str, Any]:
    return {
        "public_id": user.public_id,
        "username": user.username,
        "full_name": user.full_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "phone_verified_at": user.phone_verified_at,
        "preferred_language": user.preferred_language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "has_password": user.has_usable_password(),
        "failed_sign_ins": user.failed_sign_ins,
        "last_failed_sign_in_at": user.last_failed_sign_in_at,
        "deleted_at": user.deleted_at,
    }


def _profile(user: User) -> dict[str, Any] | None:
    profile = profile_for_user(user=user)
    if profile is None:
        return None
    governorate = profile.governorate
    return {
        "governorate": (
            {"iso_code": governorate.iso_code, "name": localized(governorate, "name")} if governorate else None
        ),
        "district": profile.district,
        "gender": profile.gender,
        "birth_year": profile.birth_year,
        "disability": profile.disability,
        "preferred_channel": profile.preferred_channel,
        "email": profile.email,
        "email_verified_at": profile.email_verified_at,
        "statistics_consent": profile.statistics_consent,
        "statistics_consent_at": profile.statistics_consent_at,
        "updated_at": profile.updated_at,
    }


def _account_events(user: User) -> list[dict[str, Any]]:
    events = AccountEvent.objects.filter(user=user).select_related("actor").order_by("created_at", "id")
    return [
        {
            "kind": event.kind,
            "description": event.get_kind_display(),
            "at": event.created_at,
            "from_address": event.client_address,
            "done_by": None if event.actor_id in (None, user.pk) else _name(event.actor),
            "details": event.data,
        }
        for event in events
    ]


def _sessions(user: User) -> list[dict[str, Any]]:
    return [
        {
            "signed_in_at": session.created_at,
            "last_active_at": session.last_seen_at,
            "ended_at": session.ended_at,
            "end_reason": session.end_reason,
            "from_address": session.client_address,
            "browser_or_app": session.user_agent,
            "with_second_factor": session.with_second_factor,
        }
        for session in AccountSession.objects.filter(user=user).order_by("created_at", "id")
    ]


def _delivery_statuses(message_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The plain-words delivery status of each message (as the waiting page shows it), in one query."""
    rows = Message.objects.filter(pk__in=message_ids).values_list("pk", "status")
    return {pk: PUBLIC_STATUSES[status][0] for pk, status in rows}


def _phone_verifications(user: User) -> list[dict[str, Any]]:
    verifications = list(
        PhoneVerification.objects.filter(user=user).prefetch_related("codes", "tickets").order_by("created_at")
    )
    statuses = _delivery_statuses(
        [code.message_id for v in verifications for code in v.codes.all() if code.message_id is not None]
    )
    return [
        {
            "purpose": verification.purpose,
            "phone": verification.phone,
            "status": verification.status,
            "started_at": verification.created_at,
            "verified_at": verification.verified_at,
            "codes_sent": verification.codes_sent,
            "last_code_sent_at": verification.last_code_sent_at,
            "wrong_codes": verification.failed_attempts,
            "last_wrong_code_at": verification.last_failed_at,
            "codes": [
                {
                    "channel": code.channel,
                    "sent_at": code.created_at,
                    "expires_at": code.expires_at,
                    "used_at": code.used_at,
                    "delivery": statuses.get(code.message_id) if code.message_id else None,
                }
                for code in sorted(verification.codes.all(), key=lambda c: (c.created_at, c.pk))
            ],
            # Only the ticket that proved the code is known to be this person's: anyone may start a sign-up or
            # a recovery with a number, so other tickets (and who asked for each code, from where) may be
            # another person's data (security review F4). Never a ticket's secret or chosen password.
            "tickets": [
                {
                    "created_at": ticket.created_at,
                    "expires_at": ticket.expires_at,
                    "verified_at": ticket.verified_at,
                    "used_at": ticket.used_at,
                    "full_name": ticket.full_name,
                    "language": ticket.language,
                }
                for ticket in sorted(verification.tickets.all(), key=lambda t: t.created_at)
                if ticket.verified_at is not None
            ],
        }
        for verification in verifications
    ]


def _second_factor_devices(user: User) -> list[dict[str, Any]]:
    devices = []
    for device in devices_for_user(user, confirmed=None):
        kind = device._meta.model_name
        entry: dict[str, Any] = {
            "kind": {"totpdevice": "authenticator_app", "staticdevice": "recovery_codes"}.get(kind, kind),
            "name": device.name,
            "confirmed": device.confirmed,
            "created_at": getattr(device, "created_at", None),
            "last_used_at": getattr(device, "last_used_at", None),
        }
        if kind == "staticdevice":
            entry["recovery_codes_left"] = device.token_set.count()
        devices.append(entry)
    return sorted(devices, key=lambda d: (d["created_at"] or dt.datetime.min.replace(tzinfo=dt.UTC), d["kind"]))


def _staff_roles(user: User) -> list[dict[str, Any]]:
    roles = StaffRole.objects.filter(user=user).select_related("department", "granted_by").order_by("granted_at")
    return [
        {
            "role": role.role,
            "description": role.get_role_display(),
            "department": localized(role.department, "name") if role.department else None,
            "granted_at": role.granted_at,
            "granted_by": _name(role.granted_by),
        }
        for role in roles
    ]


def _staff_views(user: User) -> list[dict[str, Any]]:
    return [
        {
            "viewed_at": access.viewed_at,
            "staff_name": access.staff_name,
            "department": localized(access.department, "name") if access.department else None,
            "reason": access.reason,
            "what": access.what,
        }
        for access in personal_data_access_list_for_citizen(citizen=user)
    ]


def messages_sent_to(user: User) -> list[Message]:
    """Messages the portal sent to the person's own number (and proved e-mail address), oldest first.

    Only since they proved the address: a number once held by someone else must not show that
    person's messages. Belongs in a notifications selector; kept here until that exists.
    """
    wanted = Q(pk__in=[])
    if user.phone and user.phone_verified_at:
        started = (
            PhoneVerification.objects.filter(user=user, phone=user.phone, verified_at__isnull=False)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        wanted |= Q(recipient=user.phone, created_at__gte=started or user.phone_verified_at)
    profile = profile_for_user(user=user)
    if profile is not None and profile.email and profile.email_verified_at:
        wanted |= Q(recipient__iexact=profile.email, created_at__gte=profile.email_verified_at)
    return list(Message.objects.filter(wanted).select_related("template").order_by("created_at", "pk"))


def _messages(user: User) -> list[dict[str, Any]]:
    entries = []
    for message in messages_sent_to(user):
        # A secret's text is never in the file, even before the notifications app has erased it.
        hidden = message.redacted or message.template.sensitive
        entries.append(
            {
                "created_at": message.created_at,
                "channel": message.channel,
                "to": message.recipient,
                "kind": message.template.name,
                "language": message.language,
                "subject": None if hidden else message.subject,
                "text": None if hidden else message.body,
                "text_erased": hidden,
                "delivery": PUBLIC_STATUSES[message.status][0],
                "sent_at": message.sent_at,
                "delivered_at": message.delivered_at,
            }
        )
    return entries


BUILTIN_SECTIONS: dict[str, Collect] = {
    "account": _account,
    "profile": _profile,
    "account_events": _account_events,
    "sessions": _sessions,
    "phone_verifications": _phone_verifications,
    "second_factor_devices": _second_factor_devices,
    "staff_roles": _staff_roles,
    "staff_views": _staff_views,
    "messages": _messages,
}


def my_data_export(*, user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """The whole document: the accounts app's sections, then each registered app's."""
    document: dict[str, Any] = {"format": FORMAT, "exported_at": now or timezone.now()}
    for name, collect in (*BUILTIN_SECTIONS.items(), *sections.registered_sections()):
        document[name] = collect(user)
    return document
