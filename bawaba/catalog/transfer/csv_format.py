"""Services as a spreadsheet: one row per service, a column per language (docs/catalogue-format.md).

A row is turned into the same service object the JSON document uses and imported by the same
importer, so the rules are the same; problems are reported back as "line N, column X", counting
lines as a spreadsheet numbers its rows (the header is line 1).

Repeated parts of a guide are numbered column groups: step1_title_ar, step2_title_ar, ...;
document1_name_ar, ...; fee1_amount_iqd, ...; media1_image, .... A file may have as many groups
as it needs. Lists of slugs (categories, offices, ...) are written in one cell separated by `|`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from bawaba.catalog.transfer.errors import CatalogueImportFailed, Problem
from bawaba.catalog.transfer.format import FORMAT_NAME, FORMAT_VERSION, MAX_DOCUMENT_BYTES, SERVICE_FIELDS
from bawaba.catalog.transfer.json_export import service_document, services_for_export
from bawaba.catalog.transfer.json_import import ImportReport, catalogue_import
from bawaba.core.i18n import CONTENT_LANGUAGES

SEPARATOR = "|"
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "نعم", "بەڵێ"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "لا", "نەخێر"})
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection);
# the exporter puts an apostrophe in front, and the importer takes one off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
# Arabic-Indic and Extended Arabic-Indic (Kurdish) digits, which people may type in number cells.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Thousands separators a spreadsheet may put into a number: comma, Arabic comma, spaces.
THOUSANDS = re.compile(r"[,٬\s\u00a0\u202f]")


def _languages(*names: str) -> tuple[str, ...]:
    return tuple(f"{name}_{language}" for name in names for language in CONTENT_LANGUAGES)


TRANSLATED_FIELDS = ("name", "summary", "eligibility", "legal_basis", "fee_note")
TEXT_COLUMNS = _languages(*TRANSLATED_FIELDS)
LIST_COLUMNS = ("channels", "categories", "life_events", "offices", "related_services")
BOOLEAN_COLUMNS = ("is_account_required", "is_published", "is_demo")
NUMBER_COLUMNS = ("duration_min_days", "duration_max_days", "popularity")
# The JSON service fields, in the same order, with each translated text spread over one column per
# language; steps, documents, fees and media travel in numbered column groups (GROUPS) instead.
SERVICE_COLUMNS = tuple(
    column
    for name in SERVICE_FIELDS
    if name not in {"steps", "documents", "fees", "media"}
    for column in (_languages(name) if name in TRANSLATED_FIELDS else (name,))
)
REQUIRED_COLUMNS = ("slug", "department", "name_ar", "summary_ar")

# Column group prefix → (key in the service object, columns of one group).
GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "step": ("steps", ("location", "url", *_languages("title", "body"))),
    "document": ("documents", _languages("name", "note")),
    "fee": ("fees", (*_languages("label"), "amount_iqd")),
    "media": (
        "media",
        (
            "kind",
            "step",
            "image",
            "video_file",
            "video_url",
            "poster",
            *_languages("captions", "alt", "caption"),
            "size_bytes",
            "duration_seconds",
        ),
    ),
}
GROUP_NUMBER_COLUMNS = {"amount_iqd", "size_bytes", "duration_seconds", "step"}
GROUP_COLUMN = re.compile(r"^(?P<prefix>step|document|fee|media)(?P<number>[1-9][0-9]{0,2})_(?P<column>[a-z_]+)$")
_JSON_LOCATION = re.compile(r"^services\[(?P<index>\d+)\](?P<rest>.*)$")
_JSON_PART = re.compile(r"^\.(?P<key>steps|documents|fees|media)\[(?P<index>\d+)\](?P<rest>.*)$")


# Export.


def catalogue_export_csv() -> bytes:
    """Every service as one CSV row, UTF-8 with a byte order mark so Excel shows Arabic correctly."""
    documents = [service_document(service) for service in services_for_export()]
    counts = {prefix: max([len(d[key]) for d in documents] + [1]) for prefix, (key, _columns) in GROUPS.items()}
    header = list(SERVICE_COLUMNS)
    for prefix, (_key, columns) in GROUPS.items():
        header += [f"{prefix}{number}_{column}" for number in range(1, counts[prefix] + 1) for column in columns]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(header)
    for document in documents:
        cells = _service_cells(document)
        writer.writerow([_escape_formula(cells.get(column, "")) for column in header])
    return output.getvalue().encode("utf-8-sig")


def _service_cells(document: dict[str, Any]) -> dict[str, str]:
    cells = _flatten(document, "")
    for name in LIST_COLUMNS:
        cells[name] = SEPARATOR.join(document[name])
    for name in BOOLEAN_COLUMNS:
        cells[name] = "yes" if document[name] else "no"
    for prefix, (key, _columns) in GROUPS.items():
        for number, part in enumerate(document[key], start=1):
            cells |= _flatten(part, f"{prefix}{number}_")
    return cells


def _flatten(part: dict[str, Any], prefix: str) -> dict[str, str]:
    """{"title": {"ar": "x"}, "url": "y"} → {"<prefix>title_ar": "x", "<prefix>url": "y"}; lists are left out."""
    cells: dict[str, str] = {}
    for name, value in part.items():
        if isinstance(value, dict):
            for language, text in value.items():
                cells[f"{prefix}{name}_{language}"] = _cell(text)
        elif not isinstance(value, list):
            cells[f"{prefix}{name}"] = _cell(value)
    return cells


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _escape_formula(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _unescape_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


# Import.


@dataclass
class _Row:
    line: int
    # Group prefix → the column group number of each part kept, in order (gaps are allowed).
    numbers: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class _Sheet:
    services: list[dict[str, Any]] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(_where(line, column), message, line))


def _in_file_order(problem: Problem) -> tuple[bool, int]:
    return (problem.line is None, problem.line or 0)


def _where(line: int, column: str | None) -> str:
    if column:
        return _("line %(line)d, column %(column)s") % {"line": line, "column": column}
    return _("line %(line)d") % {"line": line}


def catalogue_import_csv(
    *,
    data: bytes,
    media_root: Path | None = None,
    dry_run: bool = False,
    user: AbstractBaseUser | None = None,
) -> ImportReport:
    """Import services from CSV; all rows or none. Raises CatalogueImportFailed with every problem by line."""
    sheet = _read_sheet(data)
    document = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "services": sheet.services}
    try:
        # Rows that could not be read are reported already; the importer checks the rest, so one
        # pass shows every problem. Nothing is kept while any problem remains.
        report = catalogue_import(
            document=document, media_root=media_root, dry_run=dry_run or bool(sheet.problems), user=user
        )
    except CatalogueImportFailed as failure:
        # A cell that could not be read was left out, and the importer may then miss it too: one
        # problem per cell is enough.
        already = {problem.location for problem in sheet.problems}
        found = [_csv_problem(problem, sheet.rows) for problem in failure.problems]
        problems = sheet.problems + [p for p in found if p.location not in already]
        raise CatalogueImportFailed(sorted(problems, key=_in_file_order)) from None
    if sheet.problems:
        raise CatalogueImportFailed(sheet.problems)
    return report


def _read_sheet(data: bytes) -> _Sheet:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CatalogueImportFailed(
            [Problem("$", _("the file is larger than %(size)d MB") % {"size": MAX_DOCUMENT_BYTES // 1024 // 1024})]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueImportFailed(
            [Problem("$", _("the file is not UTF-8 text; save it as “CSV UTF-8” from your spreadsheet"))]
        ) from None
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Arabic or European locales write ";" between cells; some write tabs.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet = _Sheet()
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if not _check_header(header, sheet):
            raise CatalogueImportFailed(sheet.problems)
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets often keep empty rows at the end
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                sheet.add(
                    line,
                    None,
                    _("has %(cells)d cells but the header has %(columns)d columns")
                    % {"cells": len(cells), "columns": len(header)},
                )
                continue
            row = dict(zip(header, (_unescape_formula(cell.strip()) for cell in cells), strict=False))
            _read_row(row, line, sheet)
    except csv.Error as error:
        problem = Problem(_where(reader.line_num, None), str(error), reader.line_num)
        raise CatalogueImportFailed([*sheet.problems, problem]) from None
    return sheet


def _check_header(header: list[str], sheet: _Sheet) -> bool:
    before = len(sheet.problems)
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            sheet.add(1, name, _("appears twice"))
        seen.add(name)
        if name in SERVICE_COLUMNS or name == "":
            continue
        match = GROUP_COLUMN.match(name)
        if not match or match["column"] not in GROUPS[match["prefix"]][1]:
            sheet.add(1, name, _("unknown column (see docs/catalogue-format.md)"))
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            sheet.add(1, name, _("this column is required"))
    return len(sheet.problems) == before


def _read_row(row: dict[str, str], line: int, sheet: _Sheet) -> None:
    service: dict[str, Any] = {}
    texts: dict[str, dict[str, str]] = {}
    for column, cell in row.items():
        if column in ("slug", "department", "classification", "online_url", "last_reviewed_on"):
            service[column] = cell
        elif column in LIST_COLUMNS:
            service[column] = [part.strip() for part in cell.split(SEPARATOR) if part.strip()]
        elif column in BOOLEAN_COLUMNS:
            if cell:
                value = _boolean(cell)
                if value is None:
                    sheet.add(line, column, _("write yes or no"))
                else:
                    service[column] = value
        elif column in NUMBER_COLUMNS:
            if cell:
                number = _number(cell)
                if number is None:
                    sheet.add(line, column, _("must be a whole number, 0 or more"))
                else:
                    service[column] = number
        elif column in TEXT_COLUMNS:
            name, language = column.rsplit("_", 1)
            texts.setdefault(name, {})[language] = cell
    service |= texts
    parts = _read_groups(row, line, sheet)
    steps = parts["step"]
    for _group, media in parts["media"]:
        if "step" in media:
            # media1_step names a step column group; the importer counts the steps kept.
            kept = [number for number, _step in steps]
            if media["step"] not in kept:
                sheet.add(
                    line,
                    None,
                    _("a picture or video refers to step %(number)d, which is empty") % {"number": media["step"]},
                )
                del media["step"]
            else:
                media["step"] = kept.index(media["step"]) + 1
    for prefix, (key, _columns) in GROUPS.items():
        service[key] = [part for _group, part in parts[prefix]]
    sheet.services.append(service)
    sheet.rows.append(_Row(line=line, numbers={prefix: [n for n, _ in parts[prefix]] for prefix in GROUPS}))


def _read_groups(row: dict[str, str], line: int, sheet: _Sheet) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    cells: dict[tuple[str, int], dict[str, str]] = {}
    for column, cell in row.items():
        match = GROUP_COLUMN.match(column)
        if match:
            cells.setdefault((match["prefix"], int(match["number"])), {})[match["column"]] = cell
    parts: dict[str, list[tuple[int, dict[str, Any]]]] = {prefix: [] for prefix in GROUPS}
    for (prefix, number), group in sorted(cells.items(), key=lambda item: (item[0][0], item[0][1])):
        if not any(group.values()):
            continue
        part: dict[str, Any] = {}
        for column, cell in group.items():
            if column in GROUP_NUMBER_COLUMNS:
                if cell:
                    value = _number(cell)
                    if value is None:
                        sheet.add(line, f"{prefix}{number}_{column}", _("must be a whole number, 0 or more"))
                    else:
                        part[column] = value
            elif column.rsplit("_", 1)[-1] in CONTENT_LANGUAGES:
                name, language = column.rsplit("_", 1)
                part.setdefault(name, {})[language] = cell
            else:
                part[column] = cell
        parts[prefix].append((number, part))
    return parts


def _boolean(cell: str) -> bool | None:
    word = cell.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _number(cell: str) -> int | None:
    digits = THOUSANDS.sub("", cell.translate(DIGITS))
    return int(digits) if digits.isascii() and digits.isdigit() else None


def _csv_problem(problem: Problem, rows: list[_Row]) -> Problem:
    """services[3].steps[1].title.ar → line 5, column step2_title_ar."""
    match = _JSON_LOCATION.match(problem.location)
    if not match or int(match["index"]) >= len(rows):
        return problem
    row = rows[int(match["index"])]
    rest = match["rest"]
    prefix = ""
    part = _JSON_PART.match(rest)
    if part:
        group = next(p for p, (key, _columns) in GROUPS.items() if key == part["key"])
        numbers = row.numbers[group]
        index = int(part["index"])
        prefix = f"{group}{numbers[index] if index < len(numbers) else index + 1}"
        rest = part["rest"]
        if not rest:
            return Problem(_where(row.line, prefix), problem.message, row.line)
        prefix += "_"
    column = rest.lstrip(".").replace(".", "_")
    where = _where(row.line, f"{prefix}{column}" if column else (prefix.rstrip("_") or None))
    return Problem(where, problem.message, row.line)
