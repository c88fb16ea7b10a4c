"""The catalogue document (docs/catalogue-format.md): its name, version, and the fields of each record.

Field tuples are in the order the exporter writes them; the importer rejects any other field, so a
typo such as "sumary" is reported instead of silently dropping the summary.
"""

FORMAT_NAME = "bawaba-catalogue"
FORMAT_VERSION = 1
LIST_KEYS = ("governorates", "categories", "life_events", "departments", "services", "synonyms")

# A file with thousands of mistakes is usually the wrong file; listing them all helps nobody.
MAX_PROBLEMS = 500
# 440 services with full guides weigh about 3 MB; anything much larger is not a catalogue.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

GOVERNORATE_FIELDS = ("iso_code", "name", "is_kurdistan_region")
CATEGORY_FIELDS = ("slug", "name", "ordering")
LIFE_EVENT_FIELDS = ("slug", "name", "description", "ordering")
DEPARTMENT_FIELDS = (
    "slug",
    "kind",
    "parent",
    "governorate",
    "name",
    "description",
    "head_title",
    "head_name",
    "website",
    "phone",
    "email",
    "is_demo",
    "is_published",
    "ordering",
    "offices",
)
OFFICE_FIELDS = (
    "code",
    "governorate",
    "name",
    "address",
    "opening_hours",
    "phone",
    "latitude",
    "longitude",
    "is_demo",
)
SERVICE_FIELDS = (
    "slug",
    "department",
    "name",
    "summary",
    "eligibility",
    "legal_basis",
    "fee_note",
    "classification",
    "channels",
    "is_account_required",
    "online_url",
    "duration_min_days",
    "duration_max_days",
    "categories",
    "life_events",
    "offices",
    "related_services",
    "last_reviewed_on",
    "is_published",
    "is_demo",
    "popularity",
    "steps",
    "documents",
    "fees",
    "media",
)
STEP_FIELDS = ("location", "url", "title", "body")
DOCUMENT_FIELDS = ("name", "note")
FEE_FIELDS = ("label", "amount_iqd")
MEDIA_FIELDS = (
    "kind",
    "step",
    "image",
    "video_file",
    "video_url",
    "poster",
    "captions",
    "alt",
    "caption",
    "size_bytes",
    "duration_seconds",
)
MEDIA_FILE_FIELDS = ("image", "video_file", "poster")
SYNONYM_FIELDS = ("term", "expansion", "note")

# Texts people read, each written {"ar": ..., "ckb": ..., "en": ...} in the document.
DEPARTMENT_TEXTS = ("name", "description", "head_title", "head_name")
OFFICE_TEXTS = ("name", "address", "opening_hours")
SERVICE_TEXTS = ("name", "summary", "eligibility", "legal_basis", "fee_note")
STEP_TEXTS = ("title", "body")
DOCUMENT_TEXTS = ("name", "note")
MEDIA_TEXTS = ("alt", "caption")
