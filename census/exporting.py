"""Writing the counts of a scope as CSV (UTF-8 with a BOM, so Excel opens it right) or XLSX.

The headers are the ones the importer recognises, in the reader's language, so
an exported file can be edited and imported back. Text that a spreadsheet
would run as a formula (starting with = + - @, or a tab or carriage return) is
neutralised with a leading apostrophe.
"""

import csv
import io

from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from census.importing import COLUMN_LABELS

# The columns written, in order; each is headed with the label the pages give it, which the importer accepts.
COLUMNS = ("kato", "district", "date", "online", "offline")
# Excel in a Russian or Kazakh locale splits CSV on ";", in an English one on ",".
DELIMITERS = {"en": ",", "ru": ";", "kk": ";"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value that a spreadsheet shows as text and never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _language() -> str:
    language = (get_language() or "ru")[:2]
    return language if language in DELIMITERS else "ru"


def headers() -> list[str]:
    """The header row in the active language: "ӘАОЖ (КАТО) коды", "Аудан", "Күні", "Онлайн", "Үйме-үй аралау"."""
    return [capfirst(_(COLUMN_LABELS[key][0])) for key in COLUMNS]


def _records(counts):
    for count in counts:
        yield [count.district.kato, count.district.name, count.date, count.online, count.offline]


def counts_csv(counts) -> bytes:
    """The counts as CSV text in UTF-8 with a BOM, one line per district-day."""
    language = _language()
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITERS[language], lineterminator="\r\n")
    writer.writerow(headers())
    for record in _records(counts):
        record[2] = record[2].isoformat()
        writer.writerow([neutralise(value) for value in record])
    return buffer.getvalue().encode("utf-8")


def counts_xlsx(counts) -> bytes:
    """The counts as an XLSX workbook with one sheet; dates are real dates, figures real numbers."""
    # Here, not at the top: openpyxl takes about 0.2 s to import, paid only by the process that exports one.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers())
    for record in _records(counts):
        date_cell = WriteOnlyCell(sheet, value=record[2])
        date_cell.number_format = "yyyy-mm-dd"
        sheet.append([neutralise(record[0]), neutralise(record[1]), date_cell, record[3], record[4]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Field records per district and day (staffing, door-to-door visits): numbers only ----------------

STAFFING_COLUMNS = ("interviewers", "instructors", "volunteers", "vaccinated")


def district_day_headers(model, columns) -> list[str]:
    """A district-day file's header row in the active language: code, district, date, then each figure's label."""
    names = [capfirst(_(COLUMN_LABELS[key][0])) for key in ("kato", "district", "date")]
    return names + [capfirst(str(model._meta.get_field(field).verbose_name)) for field in columns]


def _district_day_records(rows, columns):
    for row in rows:
        yield [row.district.kato, row.district.name, row.date, *(getattr(row, field) for field in columns)]


def district_days_csv(rows, model, columns) -> bytes:
    """Each district-day's figures (`columns` of `model`) as CSV in UTF-8 with a BOM, delimited the reader's way."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITERS[_language()], lineterminator="\r\n")
    writer.writerow(district_day_headers(model, columns))
    for record in _district_day_records(rows, columns):
        record[2] = record[2].isoformat()
        writer.writerow([neutralise(value) for value in record])
    return buffer.getvalue().encode("utf-8")


def district_days_xlsx(rows, model, columns) -> bytes:
    """Each district-day's figures as an XLSX workbook; dates are real dates, figures real numbers."""
    # Here, not at the top, as for counts: openpyxl's import is paid only by the process that exports one.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(district_day_headers(model, columns))
    for record in _district_day_records(rows, columns):
        date_cell = WriteOnlyCell(sheet, value=record[2])
        date_cell.number_format = "yyyy-mm-dd"
        sheet.append([neutralise(record[0]), neutralise(record[1]), date_cell, *record[3:]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
