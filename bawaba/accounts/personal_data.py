"""The log of staff views of a citizen's personal data: one write (append-only) and one read.

Whatever shows a member of staff a citizen's record (the back office, the cases desk) calls
`personal_data_access_record` first, with the reason the person gave; the citizen reads the log under
"My data". Rows are never updated or deleted here: the log is evidence for audits.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bawaba.accounts.models import PersonalDataAccess, User
from bawaba.catalog.models import Department
from bawaba.core.errors import ValidationFailed

REASON_MAX_LENGTH = PersonalDataAccess._meta.get_field("reason").max_length or 300
WHAT_MAX_LENGTH = PersonalDataAccess._meta.get_field("what").max_length or 200
STAFF_NAME_MAX_LENGTH = PersonalDataAccess._meta.get_field("staff_name").max_length or 150


def _clean(value: str, *, field: str, maximum: int) -> str:
    """Whitespace folded to single spaces; refused when empty or longer than the column."""
    text = " ".join(str(value or "").split())
    if not text:
        message = (
            _("Say why you need to see this person's data.")
            if field == "reason"
            else _("Say which of this person's data is shown.")
        )
        raise ValidationFailed(message, code=f"{field}_required", fields={field: [message]})
    if len(text) > maximum:
        message = _("Use at most %(maximum)d characters.") % {"maximum": maximum}
        raise ValidationFailed(message, code="invalid", fields={field: [message]})
    return text


def personal_data_access_record(
    *, staff: User, citizen: User, reason: str, what: str, department: Department | None = None
) -> PersonalDataAccess:
    """Write down that `staff` viewed `what` of `citizen`'s data, and why. A view without a reason is refused
    (`reason_required`), so every line of the citizen's log says why."""
    clean_reason = _clean(reason, field="reason", maximum=REASON_MAX_LENGTH)
    clean_what = _clean(what, field="what", maximum=WHAT_MAX_LENGTH)
    # A snapshot, so the log still names the person after their staff account is renamed or removed.
    staff_name = (staff.full_name or staff.get_full_name() or staff.username)[:STAFF_NAME_MAX_LENGTH]
    with transaction.atomic():
        return PersonalDataAccess.objects.create(
            citizen=citizen,
            staff=staff,
            staff_name=staff_name,
            department=department,
            reason=clean_reason,
            what=clean_what,
        )


def personal_data_access_list_for_citizen(*, citizen: User) -> QuerySet[PersonalDataAccess]:
    """Every recorded view of `citizen`'s data, newest first."""
    return PersonalDataAccess.objects.filter(citizen=citizen).select_related("department").order_by("-viewed_at", "-id")
