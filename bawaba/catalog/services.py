"""Writes to the catalogue that are not plain admin edits."""

from django.utils.translation import gettext_lazy as _

from bawaba.catalog.constants import FeedbackReason
from bawaba.catalog.models import Service, ServiceFeedback
from bawaba.core.errors import ValidationFailed

FEEDBACK_COMMENT_MAX_LENGTH = 500


def service_feedback_record(
    *, service: Service, is_helpful: bool, reason: str = "", comment: str = "", language: str
) -> ServiceFeedback:
    """Store one 'Was this helpful?' answer. Anonymous by design: no user, no IP address."""
    fields: dict[str, list[str]] = {}
    if reason and reason not in FeedbackReason.values:
        fields["reason"] = [str(_("Choose one of the reasons listed."))]
    comment = comment.strip()
    if len(comment) > FEEDBACK_COMMENT_MAX_LENGTH:
        fields["comment"] = [str(_("Please keep your comment under 500 characters."))]
    if fields:
        raise ValidationFailed(fields=fields)
    return ServiceFeedback.objects.create(
        service=service, is_helpful=is_helpful, reason=reason, comment=comment, language=language[:8]
    )
