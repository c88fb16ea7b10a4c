"""Response shapes of the public API v1. Field names are part of the contract: change them only with a new version."""

import datetime

from ninja import Schema


class Error(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class DepartmentRef(Schema):
    slug: str
    name: str


class ServiceSummary(Schema):
    slug: str
    name: str
    summary: str
    department: DepartmentRef
    url: str


class ServicePage(Schema):
    count: int
    results: list[ServiceSummary]


class Named(Schema):
    slug: str
    name: str


class Fee(Schema):
    label: str
    amount_iqd: int


class Duration(Schema):
    min_working_days: int | None
    max_working_days: int | None


class Channel(Schema):
    code: str
    label: str


class Media(Schema):
    kind: str
    alt: str
    caption: str
    image_url: str | None
    video_url: str | None
    poster_url: str | None
    captions_url: str | None
    size_bytes: int | None
    duration_seconds: int | None


class Step(Schema):
    position: int
    location: str
    location_label: str
    url: str
    title: str
    body: str
    media: list[Media]


class Document(Schema):
    name: str
    note: str


class Governorate(Schema):
    iso_code: str
    name: str


class Office(Schema):
    code: str
    name: str
    address: str
    opening_hours: str
    phone: str
    governorate: Governorate
    latitude: float | None
    longitude: float | None


class RelatedService(Schema):
    slug: str
    name: str
    url: str


class ServiceDetail(Schema):
    slug: str
    name: str
    summary: str
    eligibility: str
    legal_basis: str
    department: DepartmentRef
    fees: list[Fee]
    fee_note: str
    duration: Duration
    channels: list[Channel]
    classification: str
    is_account_required: bool
    online_url: str
    steps: list[Step]
    documents: list[Document]
    media: list[Media]
    categories: list[Named]
    life_events: list[Named]
    related_services: list[RelatedService]
    offices: list[Office]
    last_reviewed_on: datetime.date | None
    is_demo: bool
    url: str


class Department(Schema):
    slug: str
    kind: str
    kind_label: str
    name: str
    description: str
    website: str
    parent: DepartmentRef | None
    service_count: int
    url: str


class DepartmentPage(Schema):
    count: int
    results: list[Department]
