"""Departments, offices, services and the parts of a service guide.

Texts shown to people exist in Arabic, Central Kurdish and English as sibling columns
(`name_ar`, `name_ckb`, `name_en`); `bawaba.core.i18n.localized` picks one. Arabic is required,
the others fall back to it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.catalog.constants import (
    Classification,
    DepartmentKind,
    FeedbackReason,
    MediaKind,
    StepLocation,
)
from bawaba.catalog.media import validate_media_file
from bawaba.core.i18n import localized
from bawaba.core.models import TimeStampedModel


class Governorate(models.Model):
    """A first-level division of Iraq, identified by its ISO 3166-2:IQ code."""

    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_kurdistan_region = models.BooleanField(_("in the Kurdistan Region"), default=False)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("governorate")
        verbose_name_plural = _("governorates")

    def __str__(self) -> str:
        return f"{localized(self, 'name')} ({self.iso_code})"


class Department(TimeStampedModel):
    """A ministry, a body not attached to a ministry, a governorate office or a directorate."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("part of")
    )
    governorate = models.ForeignKey(
        Governorate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("governorate"),
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_ar = models.TextField(_("what it does (Arabic)"), blank=True)
    description_ckb = models.TextField(_("what it does (Kurdish)"), blank=True)
    description_en = models.TextField(_("what it does (English)"), blank=True)
    head_title_ar = models.CharField(_("head's title (Arabic)"), max_length=200, blank=True)
    head_title_ckb = models.CharField(_("head's title (Kurdish)"), max_length=200, blank=True)
    head_title_en = models.CharField(_("head's title (English)"), max_length=200, blank=True)
    head_name_ar = models.CharField(_("head's name (Arabic)"), max_length=200, blank=True)
    head_name_ckb = models.CharField(_("head's name (Kurdish)"), max_length=200, blank=True)
    head_name_en = models.CharField(_("head's name (English)"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    is_published = models.BooleanField(_("published"), default=True)
    ordering = models.PositiveIntegerField(_("order"), default=1000)

    class Meta:
        ordering = ["ordering", "name_ar"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return localized(self, "name")


class Office(TimeStampedModel):
    """A place where people go in person: an office, a branch or a citizen service centre."""

    code = models.SlugField(_("code"), max_length=80, unique=True, help_text=_("A short stable name, used by imports."))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="offices", verbose_name=_("department")
    )
    governorate = models.ForeignKey(
        Governorate, on_delete=models.PROTECT, related_name="offices", verbose_name=_("governorate")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    address_ar = models.CharField(_("address (Arabic)"), max_length=300, blank=True)
    address_ckb = models.CharField(_("address (Kurdish)"), max_length=300, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    opening_hours_ar = models.CharField(_("opening hours (Arabic)"), max_length=200, blank=True)
    opening_hours_ckb = models.CharField(_("opening hours (Kurdish)"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("opening hours (English)"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["governorate__name_en", "name_ar"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return localized(self, "name")


class Category(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    ordering = models.PositiveIntegerField(_("order"), default=1000)

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return localized(self, "name")


class LifeEvent(models.Model):
    """A moment in life that needs several services: having a baby, starting a business."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_ckb = models.TextField(_("description (Kurdish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    ordering = models.PositiveIntegerField(_("order"), default=1000)

    class Meta:
        ordering = ["ordering", "slug"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return localized(self, "name")


class Service(TimeStampedModel):
    """A service a department offers, with everything a person needs to use it."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="services", verbose_name=_("department")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    name_ckb = models.CharField(_("name (Kurdish)"), max_length=250, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    summary_ar = models.TextField(_("summary (Arabic)"))
    summary_ckb = models.TextField(_("summary (Kurdish)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    eligibility_ar = models.TextField(_("who can use it (Arabic)"), blank=True)
    eligibility_ckb = models.TextField(_("who can use it (Kurdish)"), blank=True)
    eligibility_en = models.TextField(_("who can use it (English)"), blank=True)
    legal_basis_ar = models.TextField(_("legal basis (Arabic)"), blank=True)
    legal_basis_ckb = models.TextField(_("legal basis (Kurdish)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (English)"), blank=True)
    fee_note_ar = models.CharField(_("note on fees (Arabic)"), max_length=300, blank=True)
    fee_note_ckb = models.CharField(_("note on fees (Kurdish)"), max_length=300, blank=True)
    fee_note_en = models.CharField(_("note on fees (English)"), max_length=300, blank=True)
    duration_min_days = models.PositiveIntegerField(_("shortest duration (working days)"), null=True, blank=True)
    duration_max_days = models.PositiveIntegerField(_("longest duration (working days)"), null=True, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True, help_text=_("Where the service can be used."))
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.PROCEDURAL
    )
    is_account_required = models.BooleanField(_("needs a Bawaba account"), default=False)
    online_url = models.URLField(_("online service address"), blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services", verbose_name=_("categories"))
    life_events = models.ManyToManyField(LifeEvent, blank=True, related_name="services", verbose_name=_("life events"))
    related_services = models.ManyToManyField("self", blank=True, verbose_name=_("related services"))
    offices = models.ManyToManyField(Office, blank=True, related_name="services", verbose_name=_("offices"))
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    popularity = models.PositiveIntegerField(
        _("popularity"), default=0, help_text=_("Higher values rank first when results are otherwise equal.")
    )

    class Meta:
        ordering = ["-popularity", "name_ar"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return localized(self, "name")


class ServiceStep(models.Model):
    """One step of a service guide, saying where it happens."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="steps", verbose_name=_("service"))
    position = models.PositiveSmallIntegerField(_("position"))
    location = models.CharField(_("where"), max_length=20, choices=StepLocation.choices)
    url = models.URLField(_("link"), blank=True, help_text=_("Where the step happens on another website."))
    title_ar = models.CharField(_("title (Arabic)"), max_length=250)
    title_ckb = models.CharField(_("title (Kurdish)"), max_length=250, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=250, blank=True)
    body_ar = models.TextField(_("details (Arabic)"), blank=True)
    body_ckb = models.TextField(_("details (Kurdish)"), blank=True)
    body_en = models.TextField(_("details (English)"), blank=True)

    class Meta:
        ordering = ["service", "position"]
        constraints = [models.UniqueConstraint(fields=["service", "position"], name="catalog_step_unique_position")]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.position}. {localized(self, 'title')}"


class RequiredDocument(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents", verbose_name=_("service"))
    position = models.PositiveSmallIntegerField(_("position"))
    name_ar = models.CharField(_("document (Arabic)"), max_length=250)
    name_ckb = models.CharField(_("document (Kurdish)"), max_length=250, blank=True)
    name_en = models.CharField(_("document (English)"), max_length=250, blank=True)
    note_ar = models.CharField(_("note (Arabic)"), max_length=300, blank=True)
    note_ckb = models.CharField(_("note (Kurdish)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["service", "position"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return localized(self, "name")


class ServiceFee(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="fees", verbose_name=_("service"))
    position = models.PositiveSmallIntegerField(_("position"))
    label_ar = models.CharField(_("what for (Arabic)"), max_length=200)
    label_ckb = models.CharField(_("what for (Kurdish)"), max_length=200, blank=True)
    label_en = models.CharField(_("what for (English)"), max_length=200, blank=True)
    amount_iqd = models.PositiveIntegerField(_("amount (IQD)"))

    class Meta:
        ordering = ["service", "position"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return f"{localized(self, 'label')}: {self.amount_iqd}"


def media_upload_to(instance: "ServiceMedia", filename: str) -> str:
    return f"services/{instance.service.slug}/{filename}"


class ServiceMedia(TimeStampedModel):
    """An image or a video attached to a guide or to one of its steps. Never autoplays."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="media", verbose_name=_("service"))
    step = models.ForeignKey(
        ServiceStep, on_delete=models.CASCADE, null=True, blank=True, related_name="media", verbose_name=_("step")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices)
    # Each file is checked by its bytes (bawaba.catalog.media): it is served from the portal's origin.
    image = models.ImageField(
        _("image"),
        upload_to=media_upload_to,
        blank=True,
        width_field="width",
        height_field="height",
        validators=[validate_media_file],
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    video_file = models.FileField(
        _("video file"), upload_to=media_upload_to, blank=True, validators=[validate_media_file]
    )
    video_url = models.URLField(_("video address"), blank=True, help_text=_("A video hosted elsewhere."))
    poster = models.ImageField(
        _("poster image"), upload_to=media_upload_to, blank=True, validators=[validate_media_file]
    )
    captions_ar = models.FileField(
        _("captions (Arabic, WebVTT)"), upload_to=media_upload_to, blank=True, validators=[validate_media_file]
    )
    captions_ckb = models.FileField(
        _("captions (Kurdish, WebVTT)"), upload_to=media_upload_to, blank=True, validators=[validate_media_file]
    )
    captions_en = models.FileField(
        _("captions (English, WebVTT)"), upload_to=media_upload_to, blank=True, validators=[validate_media_file]
    )
    alt_ar = models.CharField(_("text alternative (Arabic)"), max_length=300)
    alt_ckb = models.CharField(_("text alternative (Kurdish)"), max_length=300, blank=True)
    alt_en = models.CharField(_("text alternative (English)"), max_length=300, blank=True)
    caption_ar = models.CharField(_("caption (Arabic)"), max_length=300, blank=True)
    caption_ckb = models.CharField(_("caption (Kurdish)"), max_length=300, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=300, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration in seconds"), null=True, blank=True)

    class Meta:
        ordering = ["service", "step", "position"]
        verbose_name = _("image or video")
        verbose_name_plural = _("images and videos")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {localized(self, 'alt')}"


class ServiceFeedback(models.Model):
    """'Was this helpful?' — anonymous, kept for the operators who improve the guides."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("service"))
    is_helpful = models.BooleanField(_("helpful"))
    reason = models.CharField(_("reason"), max_length=20, choices=FeedbackReason.choices, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.service_id}: {'yes' if self.is_helpful else 'no'} ({self.reason})"


class SearchSynonym(TimeStampedModel):
    """Words people use for a thing ('جواز', 'باسبورت'), maintained by editors to widen search."""

    term = models.CharField(_("word or phrase people type"), max_length=120)
    expansion = models.CharField(
        _("what it means"), max_length=300, help_text=_("Words to search for as well, separated by spaces.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return f"{self.term} → {self.expansion}"


# The search index lives with the search engine; importing it here registers it with this app.
from bawaba.catalog.search.models import SearchDocument  # noqa: E402, F401
