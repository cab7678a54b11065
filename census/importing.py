"""Reading a spreadsheet of counts (CSV or XLSX) into rows for census.services.import_counts().

Files come from Excel in whatever shape an office produces: UTF-8 with or
without a BOM, cp1251, UTF-16; `;`, `,` or tab; headers in English, Russian or
Kazakh; districts by KATO code or by name in any language; dates as 2021-10-27
or 27.10.2021. Limits (size, an XLSX's uncompressed size, entry count and
markup) are checked before anything is parsed, rows are counted as they are
read and the reading stops at the first row over the limit, and every problem
is reported with its line and column. Nothing here writes: the rows go to the service.
"""

import codecs
import csv
import datetime
import functools
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from census.errors import ImportRejected
from census.models import REASON_MAX_LENGTH
from census.services import CountRow
from regions.models import District

# Header spellings seen in office files, after normalise_header(); the first column that matches wins. The UI's
# own words for each column, in every language, are added to these by header_aliases().
HEADER_ALIASES = {
    "kato": {
        "kato", "като", "код като", "kato code", "код", "code", "коды", "като коды",
        # The Kazakh name of the classifier and the hybrid spelling offices still use (locale/kk/GLOSSARY.md).
        "әаож", "әаож коды", "қато", "қато коды",
    },
    "district": {
        "district", "район", "аудан", "district name", "name", "наименование", "название", "атауы",
        "район/город", "аудан/қала", "district/city",
    },
    "date": {"date", "дата", "күні", "күн", "as of", "на дату", "дата отчета", "день"},
    "online": {"online", "онлайн", "online count", "переписано онлайн"},
    "offline": {
        "offline", "офлайн", "door-to-door", "door to door", "поквартирный обход", "обход", "пәтерлерді аралау", "аралау",
        "сплошной обход", "үйме-үй аралау",
    },
    "reason": {"reason", "причина", "себебі", "себеп", "comment", "комментарий", "түсініктеме"},
}  # fmt: skip
# The labels the pages and the export give each column (msgids): whatever a language's catalog makes of them
# is a header the importer accepts, so a file headed with the words on screen always reads.
COLUMN_LABELS = {
    "kato": (gettext_noop("KATO code"),),
    "district": (gettext_noop("District"),),
    "date": (gettext_noop("Date"),),
    "online": (gettext_noop("Online"),),
    "offline": (gettext_noop("Door-to-door"),),
    "reason": (gettext_noop("Reason"),),
}
REQUIRED = ("date", "online", "offline")
# Words that name what kind of place it is, not which: "Taskala District" is "Taskala".
GENERIC_WORDS = {
    "район", "ауданы", "аудан", "district", "city", "г", "г.", "г.а.", "город", "қ.ә.", "қ.", "қаласы", "city of",
    "region", "область", "облысы",
}  # fmt: skip
# A row whose district cell starts with one of these is a total line, not a district: skipped.
TOTAL_WORDS = ("итого", "всего", "total", "барлығы", "жиыны", "барлыгы")
# 2021-10-27 or 27.10.2021 (a day and month may have one digit), with the midnight Excel sometimes adds to a date as text.
DATE_TEXT = re.compile(r"(?:([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}))(?:[ T]0?0:00(?::00)?)?")
# A title or a blank line or two above the header is common; the header is looked for this far down.
HEADER_SEARCH_ROWS = 10
XLSX_MAGIC = b"PK\x03\x04"
# Cells right of this column are not read: a count file has a handful of columns, and a cell at XFD would
# otherwise make every row 16,384 cells wide.
XLSX_MAX_COLUMNS = 100
# Tags a workbook may hold per row the limit allows: a cell is two to four (<c><v></v></c>), so this leaves
# room for some 30 columns of text plus the styles. openpyxl builds every element of the sheet's XML (and
# of the whole sheet if it lacks a <dimension>), so this, not the unpacked size, bounds its time and memory.
XLSX_TAGS_PER_ROW = 120
# How much of a cell's text an error message quotes.
SHOWN_LENGTH = 60
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format


class FileRejected(ImportRejected):
    """The file as a whole cannot be read (too large, not a spreadsheet, no header): nothing was parsed or written."""

    def __init__(self, message: str):
        self.message = message
        super().__init__([(0, "", message)])


@dataclass(frozen=True)
class Limits:
    """How much an upload may hold; checked before it is parsed (settings CENSUS_IMPORT_*)."""

    max_bytes: int
    max_rows: int
    max_xlsx_uncompressed: int
    max_xlsx_entries: int
    max_xlsx_tags: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=settings.CENSUS_IMPORT_MAX_BYTES,
            max_rows=settings.CENSUS_IMPORT_MAX_ROWS,
            max_xlsx_uncompressed=settings.CENSUS_IMPORT_MAX_XLSX_UNCOMPRESSED,
            max_xlsx_entries=settings.CENSUS_IMPORT_MAX_XLSX_ENTRIES,
            max_xlsx_tags=(settings.CENSUS_IMPORT_MAX_ROWS + 1) * XLSX_TAGS_PER_ROW,
        )

    def too_many_rows(self) -> "FileRejected":
        return FileRejected(
            _("The file has more than %(rows)s rows; split it into smaller files.")
            % {"rows": formats.number_format(self.max_rows, force_grouping=True)}
        )


@dataclass(frozen=True)
class RowError:
    """A problem with one cell or line of the file: where it is (line, column as headed in the file) and what is wrong."""

    line: int
    column: str
    message: str


@dataclass
class ReadFile:
    """A file read into rows: those that can go to the service, the problems found, and how the file was read."""

    rows: list[CountRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    file_format: str = ""
    encoding: str = ""
    delimiter: str = ""
    skipped_lines: int = 0

    @property
    def delimiter_label(self) -> str:
        return _("tabs") if self.delimiter == "\t" else f"“{self.delimiter}”"

    def column(self, key: str) -> str:
        """The file's own header for a service field (online, offline, date, reason), for error messages."""
        return self.columns.get(key, "")


def _shown(value) -> str:
    """A cell as an error message quotes it: its start only, so that a pasted page does not fill the preview."""
    text = _text(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…"


def _size(value: int) -> str:
    # "5,0 МБ" in Kazakh and Russian, "5.0 MB" in English.
    return _("%(size)s MB") % {"size": formats.number_format(round(value / 1_000_000, 1), decimal_pos=1)}


def normalise_header(text) -> str:
    text = str(text or "").replace("\ufeff", "").strip().casefold().replace("ё", "е")
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(":*").strip()


def _normalise_name(text: str) -> str:
    text = str(text).casefold().replace("ё", "е").replace("\xa0", " ")
    return re.sub(r"\s+", " ", text).strip().strip("'\"")


def _short_name(normalised: str) -> str:
    """A name without its kind words and punctuation: "г.а. уральск" and "уральск" meet here."""
    words = [w for w in re.split(r"[\s()]+", normalised) if w and w not in GENERIC_WORDS]
    return " ".join(words)


class DistrictIndex:
    """Finds a district by KATO code or by its name in any of the three languages, among a set of districts.

    Built once per file; each distinct cell text is looked up once (a file names the same districts on
    every day it covers).
    """

    def __init__(self, districts):
        self.found: dict[str, tuple[District | None, bool]] = {}
        self.by_kato: dict[str, District] = {}
        self.by_name: dict[str, set[District]] = {}
        self.by_short: dict[str, set[District]] = {}
        for district in districts:
            self.by_kato[district.kato] = district
            for name in (district.name_kk, district.name_ru, district.name_en):
                if name:
                    full = _normalise_name(name)
                    self.by_name.setdefault(full, set()).add(district)
                    self.by_short.setdefault(_short_name(full), set()).add(district)

    def find(self, text: str) -> tuple[District | None, bool]:
        """(district, ambiguous): the one district the text names, or None and whether several matched."""
        if text not in self.found:
            self.found[text] = self._find(text)
        return self.found[text]

    def _find(self, text: str) -> tuple[District | None, bool]:
        if re.fullmatch(r"\d{9}", text):
            return self.by_kato.get(text), False
        name = _normalise_name(text)
        for index, key in ((self.by_name, name), (self.by_short, _short_name(name))):
            found = index.get(key, set())
            if len(found) == 1:
                return next(iter(found)), False
            if len(found) > 1:
                return None, True
        return None, False


# --- Reading the bytes ---------------------------------------------------------------------------


def _decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding: a BOM decides, else UTF-8, else cp1251."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"
    if b"\x00" in raw:
        raise UnicodeDecodeError("binary", raw, 0, 1, "NUL byte")
    return decode_utf8_or_cp1251(raw)


def decode_utf8_or_cp1251(raw: bytes) -> tuple[str, str]:
    """The text of a file saved from Excel and the name of its encoding: UTF-8 (Excel's BOM dropped), else cp1251.

    Raises UnicodeDecodeError for bytes that are neither (cp1251 leaves one byte, 0x98, undefined).
    """
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        # Russian Excel's "CSV (comma delimited)" is cp1251; it cannot hold Kazakh letters.
        return raw.decode("cp1251"), "Windows-1251"


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return controls > 0


def sniff_delimiter(sample: str) -> str:
    """The delimiter of the first lines: whichever of ; , tab they hold most of (Russian Excel writes ;)."""
    return max([";", ",", "\t"], key=sample.count)


def _csv_records(raw: bytes, limits: Limits, read: ReadFile):
    try:
        text, read.encoding = _decode(raw)
    except (UnicodeDecodeError, UnicodeError):
        raise FileRejected(
            _("The file is not a text (CSV) file in a known encoding. Save it from Excel as CSV (UTF-8) or as XLSX.")
        ) from None
    if _looks_binary(text):
        raise FileRejected(_("The file is not a text (CSV) file. Save it from Excel as CSV (UTF-8) or as XLSX."))
    sample = [line for line in text[:65536].splitlines()[: HEADER_SEARCH_ROWS * 2] if line.strip()][:HEADER_SEARCH_ROWS]
    read.delimiter = sniff_delimiter("\n".join(sample))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=read.delimiter)
    try:
        # Rows are counted as the reader yields them, not by "\n": a file may end its lines with CR alone,
        # and a quoted value may hold line breaks. The reading stops at the first row over the limit.
        for count, record in enumerate(reader, start=1):
            if count > limits.max_rows + 1:
                raise limits.too_many_rows()
            yield reader.line_num, record
    except csv.Error as exc:
        raise FileRejected(
            _("Line %(line)s cannot be read as CSV (%(problem)s).") % {"line": reader.line_num, "problem": exc}
        ) from None


def _check_xlsx_container(raw: bytes, limits: Limits) -> None:
    """Refuse a zip that is not a workbook or would unpack to too much, before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRejected(_("The file is not a valid XLSX workbook. Save it from Excel as XLSX or CSV.")) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_xlsx_entries:
            raise FileRejected(
                _("The workbook holds more than %(entries)s parts; save the sheet on its own as XLSX or CSV.")
                % {"entries": limits.max_xlsx_entries}
            )
        # Declared sizes are a true bound: zipfile never inflates an entry past its declared size.
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > limits.max_xlsx_uncompressed:
            raise FileRejected(
                _("The workbook would unpack to %(size)s, more than the %(limit)s allowed; save the sheet on its own.")
                % {"size": _size(unpacked), "limit": _size(limits.max_xlsx_uncompressed)}
            )
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise FileRejected(_("The file is not a valid XLSX workbook. Save it from Excel as XLSX or CSV."))
        tags = 0
        for entry in entries:
            # Counted on the inflated bytes of every part (a sheet may be named anything), a chunk at a time:
            # a few hundred milliseconds for the largest workbook allowed, where openpyxl took seconds and
            # hundreds of megabytes for a few megabytes of empty <c/> tags.
            try:
                with archive.open(entry) as part:
                    while chunk := part.read(1 << 20):
                        tags += chunk.count(b"<")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError):
                # A bad checksum, a damaged stream, encryption or an unknown compression method.
                raise FileRejected(_("The file is not a valid XLSX workbook. Save it from Excel as XLSX or CSV.")) from None
            if tags > limits.max_xlsx_tags:
                raise FileRejected(
                    _(
                        "The workbook holds more cells and markup than %(rows)s rows of counts need; save only the counts as XLSX or CSV."
                    )
                    % {"rows": formats.number_format(limits.max_rows, force_grouping=True)}
                )


def _xlsx_records(raw: bytes, limits: Limits, read: ReadFile):
    _check_xlsx_container(raw, limits)
    # Here, not at the top: openpyxl takes about 0.2 s to import, and most imports and every page load of a
    # process that never reads a workbook would pay it.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        # openpyxl raises many kinds of errors for a damaged workbook; to a person they all mean the same.
        raise FileRejected(_("The workbook cannot be opened; it may be damaged. Save it again from Excel.")) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's <dimension> is the writer's claim, not its content: A1:XFD1048576 would pad every row
        # to 16,384 cells, and a too small one would drop rows. Only the cells the sheet holds are read,
        # up to XLSX_MAX_COLUMNS; rows are counted as they come (a row numbered 1,048,576 comes after
        # as many empty ones) and the reading stops at the first one over the limit.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True), start=1):
            if number > limits.max_rows + 1:
                raise limits.too_many_rows()
            yield number, values
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(_("The workbook cannot be opened; it may be damaged. Save it again from Excel.")) from None
    finally:
        workbook.close()


# --- Cells -----------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_typed_date(text: str) -> datetime.date | None:
    """A date as a person types it: 2021-10-27 or 27.10.2021; None if it is neither.

    For one value at a time (a baseline's date, a page's ?as_of=); a count file's date column goes through
    parse_date, which also takes a workbook's date cells and a midnight time, and is faster on many rows.
    """
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_date(value) -> datetime.date | None:
    """A date cell as a date: 2021-10-27, 27.10.2021, or a real date from a workbook; None if it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    # One regular expression instead of strptime per pattern: strptime was a third of the time a file took to read.
    found = DATE_TEXT.fullmatch(_text(value))
    if found is None:
        return None
    year, month, day = (int(part) for part in (found[1] or found[6], found[2] or found[5], found[3] or found[4]))
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _number_cell(value):
    """A figure as the service takes it: numbers stay numbers, text keeps its digits (and any mistake, for the message)."""
    if isinstance(value, str):
        return value.strip().lstrip("'")
    return value


def sample_file(district: District, first_day: datetime.date) -> str:
    """The example the import page shows: a header row in the reader's language, the words on screen (so it reads
    as the reader would write it and the importer accepts it), then one row naming the district and one giving its
    KATO code, on the day given and the next."""
    header = [_(COLUMN_LABELS[key][0]) for key in ("district", "date", "online", "offline")]
    second_day = first_day + datetime.timedelta(days=1)
    rows = [
        [district.name, f"{first_day:%d.%m.%Y}", "210", "340"],
        [district.kato, f"{second_day:%d.%m.%Y}", "190", "315"],
    ]
    return "\n".join(";".join(row) for row in [header, *rows])


@functools.cache
def header_aliases() -> dict[str, frozenset[str]]:
    """HEADER_ALIASES plus the UI's label of each column in every language the site offers (read once per process)."""
    aliases = {key: set(names) for key, names in HEADER_ALIASES.items()}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for key, labels in COLUMN_LABELS.items():
                aliases[key].update(normalise_header(translation.gettext(label)) for label in labels)
    return {key: frozenset(names) for key, names in aliases.items()}


def _find_columns(header: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    aliases = header_aliases()
    for position, cell in enumerate(header):
        name = normalise_header(cell)
        for key, names in aliases.items():
            if name in names and key not in columns:
                columns[key] = position
    return columns


def _has_required_columns(columns: dict[str, int]) -> bool:
    return all(key in columns for key in REQUIRED) and ("kato" in columns or "district" in columns)


def _missing_columns_message(found: list) -> str:
    """Names each missing column by its label in the reader's language, and quotes the headers the file has."""
    columns = _find_columns(found)
    missing = []
    if "kato" not in columns and "district" not in columns:
        missing.append(f"{_(COLUMN_LABELS['district'][0])} / {_(COLUMN_LABELS['kato'][0])}")
    missing.extend(_(COLUMN_LABELS[key][0]) for key in REQUIRED if key not in columns)
    headers = ", ".join(_shown(cell) for cell in found if _text(cell)) or "—"
    return _("The header row lacks columns the import needs: %(missing)s. Columns found: %(found)s.") % {
        "missing": ", ".join(missing),
        "found": headers,
    }


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file over the size limit; called on an upload's declared size before it is read."""
    if size > limits.max_bytes:
        raise FileRejected(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": _size(size), "limit": _size(limits.max_bytes)}
        )


def read_counts(raw: bytes, *, filename: str, scope_districts, all_districts=None, limits: Limits | None = None) -> ReadFile:
    """Read an uploaded file into CountRows for the districts in `scope_districts`.

    Raises FileRejected for a file that cannot be read at all; row-level
    problems (unknown district, bad date, duplicate line) are collected in
    `errors` with line and column. `all_districts` tells "not in your area"
    apart from "no such district".
    """
    limits = limits or Limits.from_settings()
    check_size(len(raw), limits)
    if not raw.strip():
        raise FileRejected(_("The file is empty."))
    read = ReadFile()
    name = (filename or "").casefold()
    if raw.startswith(OLE_MAGIC):
        raise FileRejected(_("This is an old-style Excel file (.xls). Save it from Excel as XLSX or CSV."))
    if raw.startswith(XLSX_MAGIC):
        read.file_format = "XLSX"
        records = _xlsx_records(raw, limits, read)
    elif name.endswith((".xlsx", ".xlsm")):
        raise FileRejected(_("The file is named .xlsx but is not an Excel workbook. Save it from Excel as XLSX or CSV."))
    else:
        read.file_format = "CSV"
        records = _csv_records(raw, limits, read)

    header = None
    # Of the rows the header is looked for in, the one with most known headers: what the error quotes.
    best_row, best_matched = None, -1
    rows_before_header = 0
    columns: dict[str, int] = {}
    in_scope = DistrictIndex(scope_districts)
    everywhere = DistrictIndex(all_districts) if all_districts is not None else None
    seen: dict[tuple[int, datetime.date], int] = {}
    for line, record in records:
        if _is_blank(record):
            continue
        if header is None:
            columns = _find_columns(record)
            if len(columns) > best_matched:
                best_row, best_matched = record, len(columns)
            if _has_required_columns(columns):
                header = record
                read.columns = {key: _text(record[position]) for key, position in columns.items()}
                read.skipped_lines += rows_before_header
            elif rows_before_header + 1 >= HEADER_SEARCH_ROWS:
                raise FileRejected(_missing_columns_message(best_row))
            else:
                rows_before_header += 1
            continue
        row = _read_row(line, record, columns, read, in_scope, everywhere)
        if row is None:
            continue
        key = (row.district.pk, row.date)
        if key in seen:
            read.errors.append(
                RowError(
                    line, read.column("date"), _("The same district and date are already on line %(line)s.") % {"line": seen[key]}
                )
            )
            continue
        seen[key] = line
        read.rows.append(row)
    if header is None:
        raise FileRejected(_missing_columns_message(best_row) if best_row is not None else _("The file is empty."))
    if not read.rows and not read.errors:
        raise FileRejected(_("The file has a header but no rows of counts."))
    return read


def _is_blank(record) -> bool:
    # Stops at the first cell with a value: for a row of counts, the first one.
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in record)


def _cell(record, position: int | None):
    if position is None or position >= len(record):
        return None
    return record[position]


def _read_row(line, record, columns, read: ReadFile, in_scope: DistrictIndex, everywhere: DistrictIndex | None):
    kato = _text(_cell(record, columns.get("kato")))
    name = _text(_cell(record, columns.get("district")))
    if not kato and name.casefold().startswith(TOTAL_WORDS):
        read.skipped_lines += 1
        return None
    district_column = read.column("kato") if kato else read.column("district")
    wanted = kato or name
    problems = []
    district = None
    if not wanted:
        problems.append(RowError(line, district_column or read.column("district"), _("No district is given.")))
    else:
        district, ambiguous = in_scope.find(wanted)
        if district is None:
            if ambiguous:
                message = _("“%(name)s” matches more than one district; give its KATO code.") % {"name": _shown(wanted)}
            elif everywhere is not None and everywhere.find(wanted)[0] is not None:
                message = _("“%(name)s” is outside your area.") % {"name": _shown(wanted)}
            else:
                message = _("No district “%(name)s” is known (by KATO code or by name).") % {"name": _shown(wanted)}
            problems.append(RowError(line, district_column, message))
    date = parse_date(_cell(record, columns["date"]))
    if date is None:
        problems.append(
            RowError(
                line,
                read.column("date"),
                _("“%(value)s” is not a date; write 2021-10-27 or 27.10.2021.")
                % {"value": _shown(_cell(record, columns["date"]))},
            )
        )
    reason = _text(_cell(record, columns.get("reason")))
    if len(reason) > REASON_MAX_LENGTH:
        # As in the forms: a reason goes into the audit trail, which keeps everything for good.
        problems.append(
            RowError(
                line,
                read.column("reason"),
                _("The reason has %(length)s characters; at most %(limit)s are kept. Shorten it.")
                % {
                    "length": formats.number_format(len(reason), force_grouping=True),
                    "limit": formats.number_format(REASON_MAX_LENGTH, force_grouping=True),
                },
            )
        )
    if problems:
        read.errors.extend(problems)
        return None
    return CountRow(
        line=line,
        district=district,
        date=date,
        online=_number_cell(_cell(record, columns["online"])),
        offline=_number_cell(_cell(record, columns["offline"])),
        reason=reason,
    )


def outcome_errors(read: ReadFile, summary) -> list[RowError]:
    """Every problem in one list, by line: the file's own and those the service found, on the file's column names."""
    errors = list(read.errors)
    for outcome in summary.failed:
        line = outcome.row.line
        if outcome.action == "conflict":
            errors.append(RowError(line, "", _("The record was changed by someone else; try again.")))
            continue
        for field_name, messages in (outcome.errors or {}).items():
            for message in messages:
                errors.append(RowError(line, read.column(field_name), message))
    return sorted(errors, key=lambda error: error.line)
