"""Fixed vocabularies of the catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    INDEPENDENT_BODY = "independent_body", _("Body not attached to a ministry")
    GOVERNORATE_OFFICE = "governorate_office", _("Governorate office")
    REGIONAL_MINISTRY = "regional_ministry", _("Kurdistan Region ministry")
    DIRECTORATE = "directorate", _("Directorate")


class StepLocation(models.TextChoices):
    BAWABA = "bawaba", _("On Bawaba")
    MINISTRY_SITE = "ministry_site", _("On the ministry's website")
    OFFICE = "office", _("At an office")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online on Bawaba")
    MINISTRY_SITE = "ministry_site", _("On the ministry's website")
    OFFICE = "office", _("In person at an office")
    SERVICE_CENTRE = "service_centre", _("At a citizen service centre")
    PHONE = "phone", _("By phone")


class Classification(models.TextChoices):
    PROCEDURAL = "procedural", _("Procedural")
    INFORMATIONAL = "informational", _("Informational")
    INTERACTIVE = "interactive", _("Interactive")
    PARTICIPATORY = "participatory", _("Shared between departments")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


class FeedbackReason(models.TextChoices):
    FOUND_WHAT_I_NEEDED = "found", _("I found what I needed")
    UNCLEAR = "unclear", _("It is hard to understand")
    MISSING = "missing", _("Information is missing")
    WRONG = "wrong", _("Something is wrong or out of date")
    NOT_MY_SERVICE = "not_my_service", _("This is not the service I was looking for")
    OTHER = "other", _("Something else")


HELPFUL_REASONS = {FeedbackReason.FOUND_WHAT_I_NEEDED, FeedbackReason.OTHER}
UNHELPFUL_REASONS = {
    FeedbackReason.UNCLEAR,
    FeedbackReason.MISSING,
    FeedbackReason.WRONG,
    FeedbackReason.NOT_MY_SERVICE,
    FeedbackReason.OTHER,
}
