"""The one call other apps use to send a message, and the operator's pause switch.

    from bawaba.notifications.services import send
    send("verification_code", to=phone, values={"code": code, "minutes": 5},
         priority="urgent", expires_in=300, language=user.preferred_language,
         reference=f"accounts.verification:{verification.pk}")

The same SMS template may go by voice call or WhatsApp instead (`channel="voice"`), and a resend may
keep away from the provider that carried the last code (`avoid_providers=[...]`): decision 0013.

Call it inside the transaction that records the business event: the message row commits (or rolls
back) with it, and it is handed to a queue only after the commit. Everything is checked first: an
unknown template, an invalid recipient or a missing value raises ValidationFailed and stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.errors import ValidationFailed
from bawaba.notifications import routing
from bawaba.notifications.constants import ALTERNATIVE_CHANNELS, VALUES_KEPT_FOR, Priority, Status
from bawaba.notifications.dispatch import enqueue
from bawaba.notifications.models import Message, MessageTemplate, ProviderState
from bawaba.notifications.providers.config import provider_config, providers_for
from bawaba.notifications.recipients import normalise_recipient
from bawaba.notifications.rendering import clean_values, render

# A resend names one or two providers; more is a caller's mistake, not worth a bigger row.
MAX_AVOIDED_PROVIDERS = 10


def send(
    template: str,
    *,
    to: str,
    values: Mapping[str, object] | None = None,
    priority: str = Priority.NORMAL,
    expires_at: dt.datetime | None = None,
    expires_in: float | dt.timedelta | None = None,
    language: str = "ar",
    reference: str = "",
    iraqi_mobile_only: bool = False,
    channel: str | None = None,
    avoid_providers: Collection[str] = (),
) -> Message:
    """Store a message for `to` made from `template`, to be sent once the caller's transaction commits.

    `channel` sends an SMS template by another channel to the same number ("voice": read out in a
    call, "whatsapp"); the message records the channel it goes by. `avoid_providers` names providers
    kept out of the first round of tries (a code resent because the last one never came); they are
    still used when no other provider for the channel can take it, as the code must go out.
    """
    if priority not in Priority.values:
        raise ValidationFailed(
            _("Unknown message priority."), code="invalid_priority", fields={"priority": [_("Use urgent or normal.")]}
        )
    found = MessageTemplate.objects.filter(name=template).first()
    if found is None:
        raise ValidationFailed(
            _("There is no message template called “%(name)s”.") % {"name": template},
            code="unknown_template",
            fields={"template": [_("Unknown template.")]},
        )
    sending_channel = str(channel or found.channel)
    if sending_channel != found.channel and sending_channel not in ALTERNATIVE_CHANNELS.get(found.channel, ()):
        raise ValidationFailed(
            _("This message cannot be sent that way."),
            code="channel_unavailable",
            fields={"channel": [_("Choose another way to send it.")]},
        )
    if not providers_for(sending_channel):
        raise ValidationFailed(_("Messages of this kind cannot be sent yet."), code="channel_unavailable")
    recipient = normalise_recipient(sending_channel, to, iraqi_mobile_only=iraqi_mobile_only)
    rendered = render(found, values or {}, language, channel=sending_channel)
    kept_values = clean_values(values or {}) if sending_channel in VALUES_KEPT_FOR else {}
    now = timezone.now()
    if expires_in is not None:
        seconds = expires_in.total_seconds() if isinstance(expires_in, dt.timedelta) else float(expires_in)
        expires_at = now + dt.timedelta(seconds=seconds)
    if expires_at is None and priority == Priority.URGENT:
        expires_at = now + dt.timedelta(seconds=settings.BAWABA_NOTIFY_URGENT_TTL)
    if expires_at is not None and expires_at <= now:
        raise ValidationFailed(_("This message would expire before it is sent."), code="already_expired")
    message = Message.objects.create(
        template=found,
        channel=sending_channel,
        recipient=recipient.address,
        operator=recipient.operator,
        language=rendered.language,
        # An SMS sender name is no caller ID or WhatsApp account: another channel uses its provider's own.
        sender=found.sender if sending_channel == found.channel else "",
        subject=rendered.subject,
        body=rendered.body,
        template_values=kept_values,
        avoid_providers=_provider_names(avoid_providers),
        priority=priority,
        reference=reference[:120],
        status=Status.CREATED,
        created_at=now,
        expires_at=expires_at,
        next_attempt_at=now,
    )
    # The message stays "created" until a worker claims it: marking it "queued" here would cost every
    # message another commit, and the sweeper treats both states alike.
    transaction.on_commit(partial(enqueue, message.pk, priority), robust=True)
    return message


def _provider_names(names: Collection[str]) -> list[str]:
    """Provider names as stored: a lone string is one name, not a list of letters."""
    if isinstance(names, str):
        names = (names,)
    return sorted({str(name)[:64] for name in names if name})[:MAX_AVOIDED_PROVIDERS]


def set_paused(provider: str, paused: bool, *, by: object | None = None) -> ProviderState:
    """Stop (or resume) giving a provider new messages; what it already accepted is unaffected."""
    if provider_config(provider) is None:
        raise ValidationFailed(
            _("There is no provider called “%(name)s”.") % {"name": provider}, code="unknown_provider"
        )
    state, _created = ProviderState.objects.get_or_create(name=provider)
    state.paused = paused
    state.paused_at = timezone.now() if paused else None
    state.paused_by = by if paused else None  # type: ignore[assignment]
    state.save(update_fields=["paused", "paused_at", "paused_by", "updated_at"])
    routing.forget_states()
    return state
