"""Reading a file of people to invite, as a French spreadsheet writes it.

One line per person: Prénom, Nom, E-mail, Mobile (optional), then one column per right holding
"oui" or "non" (also x, 1, o, vrai / 0, n, faux, or an empty cell), then "Jusqu’au" (optional):
the last day of all that person's rights, 31/03/2027 or 2027-03-31; empty, the end dates chosen
on the page (or none). A file without right columns takes the rights ticked on the page for
everyone. UTF-8 (with or without BOM) or Windows-1252;
cells separated by ";" or ",". Lines starting with "#" are notes, and blank lines are ignored.

Reading only checks the file's shape; who may be invited is the batch service's business.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.csv import BOM, text_cell
from permissions.catalogue import CATALOGUE, Right
from permissions.end_dates import EndDateRefused, parse_end_date

BATCH_FILE_MAX_BYTES = 1024 * 1024
BATCH_FILE_MAX_INVITEES = 500
NOTE = "#"
YES = frozenset({"oui", "o", "x", "1", "vrai", "yes", "y", "true"})
NO = frozenset({"non", "n", "0", "faux", "no", "false", ""})

PERSON_COLUMNS = ("first_name", "last_name", "email", "mobile")
UNTIL = "until"
_PERSON_HEADERS = {
    "first_name": ("prenom", "firstname", "prenoms"),
    "last_name": ("nom", "lastname", "nomdefamille"),
    "email": ("email", "adresseemail", "courriel", "mail", "adressemail"),
    "mobile": ("mobile", "telephone", "portable", "telephonemobile", "numerodemobile", "tel"),
    UNTIL: ("jusquau", "until", "datedefin", "fin", "enddate"),
}
_RIGHT_HEADERS = {
    Right.DOCUMENTS: ("documents",),
    Right.FUND_OPERATIONS: ("gestiondesfonds", "fundoperations"),
    Right.COMPANY_REQUESTS: ("demandesdelentreprise", "demandes", "companyrequests"),
    Right.TREASURY: ("suividetresorerie", "tresorerie", "treasury"),
    Right.BANK_DETAILS: ("changementderib", "rib", "bankdetails"),
    Right.EARLY_BUYOUT: ("rachatanticipe", "earlybuyout"),
}


def _folded(text: str) -> str:
    """A header as compared: no accents, case, spaces or punctuation ("E-mail" → "email")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.lower())


_HEADERS: dict[str, str] = {
    **{name: column for column, names in _PERSON_HEADERS.items() for name in names},
    **{name: right.value for right, names in _RIGHT_HEADERS.items() for name in names},
    **{_folded(str(spec.right.value)): spec.right.value for spec in CATALOGUE.values()},
}


_ALL = (*PERSON_COLUMNS, *(spec.right.value for spec in CATALOGUE.values()), UNTIL)


def template_headers() -> list[str]:
    """The template file's first line, in the page's language."""
    return [
        _("Prénom"),
        _("Nom"),
        _("E-mail"),
        _("Mobile"),
        *(str(spec.short_label) for spec in CATALOGUE.values()),
        _("Jusqu’au"),
    ]


@dataclass(frozen=True)
class FileRow:
    """One person as the file writes them; `rights` None when the file has no right column."""

    line: int
    first_name: str
    last_name: str
    email: str
    mobile: str
    rights: tuple[str, ...] | None
    problems: tuple[str, ...] = ()
    # the last day of all this person's rights; None: the page's end dates, if any
    ends_on: datetime.date | None = None


@dataclass
class BatchFile:
    rows: list[FileRow] = field(default_factory=list)
    has_rights: bool = False


class BatchFileUnreadable(Exception):
    """The file as a whole cannot be read (size, encoding, header, too many lines)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _decoded(content: bytes) -> str:
    if len(content) > BATCH_FILE_MAX_BYTES:
        raise BatchFileUnreadable(
            _("Le fichier dépasse %(max)s Mo : scindez-le en plusieurs fichiers.")
            % {"max": BATCH_FILE_MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise BatchFileUnreadable(
            _(
                "Ce fichier n’est pas un fichier CSV lisible (ni UTF-8 ni Windows-1252). "
                "Enregistrez-le depuis votre tableur au format « CSV »."
            )
        ) from None


def _is_note(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith(NOTE)


def _delimiter(text: str) -> str:
    """ ";" (French spreadsheets) or "," : whichever the first real line uses more."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(NOTE):
            return "," if line.count(",") > line.count(";") else ";"
    return ";"


def _columns(header: list[str], line: int) -> list[str]:
    columns: list[str] = []
    unknown: list[str] = []
    # the template in English names the rights in English
    known = {**_HEADERS, **{_folded(h): c for h, c in zip(template_headers(), _ALL, strict=True)}}
    for cell in header:
        column = known.get(_folded(cell))
        if column is None and cell.strip():
            unknown.append(cell.strip())
        columns.append(column or "")
    if unknown:
        raise BatchFileUnreadable(
            _(
                "Colonne inconnue : %(names)s. Les colonnes possibles sont celles du modèle : "
                "%(expected)s."
            )
            % {
                "names": ", ".join(f"« {name[:40]} »" for name in unknown),
                "expected": ", ".join(template_headers()),
            },
            line=line,
        )
    missing = [
        label
        for column, label in zip(PERSON_COLUMNS[:3], template_headers()[:3], strict=True)
        if column not in columns
    ]
    if missing:
        raise BatchFileUnreadable(
            _("Colonne manquante : %(names)s. La première ligne du fichier nomme les colonnes.")
            % {"names": ", ".join(missing)},
            line=line,
        )
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise BatchFileUnreadable(
            _("Une même colonne figure deux fois : %(names)s.") % {"names": ", ".join(twice)},
            line=line,
        )
    return columns


def _rights(values: dict[str, str], right_columns: list[str]) -> tuple[tuple[str, ...], list[str]]:
    chosen: list[str] = []
    problems: list[str] = []
    for code in right_columns:
        value = _folded(values.get(code, ""))
        if value in YES:
            chosen.append(code)
        elif value not in NO:
            problems.append(
                _("« %(value)s » dans la colonne %(column)s : écrivez oui ou non.")
                % {
                    "value": values.get(code, "").strip()[:40],
                    "column": CATALOGUE[Right(code)].short_label,
                }
            )
    if not chosen and not problems:
        problems.append(_("Aucun droit : écrivez oui dans la colonne d’au moins un droit."))
    return tuple(chosen), problems


def batch_file_read(content: bytes) -> BatchFile:
    """The people of the file, each with its line number and what is wrong with its shape."""
    text = _decoded(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    result = BatchFile()
    columns: list[str] | None = None
    right_columns: list[str] = []
    try:
        for cells in reader:
            if _is_note(cells):
                continue
            if columns is None:
                columns = _columns(cells, reader.line_num)
                right_columns = [c for c in columns if c and c not in PERSON_COLUMNS and c != UNTIL]
                result.has_rights = bool(right_columns)
                continue
            if len(result.rows) == BATCH_FILE_MAX_INVITEES:
                raise BatchFileUnreadable(
                    _(
                        "Le fichier compte plus de %(max)s personnes (ligne %(line)s) : un envoi "
                        "en compte %(max)s au plus. Scindez-le en plusieurs fichiers."
                    )
                    % {"max": BATCH_FILE_MAX_INVITEES, "line": reader.line_num},
                    line=reader.line_num,
                )
            result.rows.append(_row(cells, columns, right_columns, reader.line_num))
    except csv.Error:
        raise BatchFileUnreadable(
            _("La ligne %(line)s du fichier est mal formée (guillemets ou cellule trop longue).")
            % {"line": reader.line_num},
            line=reader.line_num,
        ) from None
    if not result.rows:
        raise BatchFileUnreadable(
            _("Le fichier ne contient aucune personne : une ligne par personne sous les titres.")
        )
    return result


def _row(cells: list[str], columns: list[str], right_columns: list[str], line: int) -> FileRow:
    problems: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problems.append(_("Cette ligne a plus de cellules que la ligne des titres."))
    values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
    rights: tuple[str, ...] | None = None
    if right_columns:
        rights, right_problems = _rights(values, right_columns)
        problems.extend(right_problems)
    ends_on: datetime.date | None = None
    if until := values.get(UNTIL, "").strip():
        try:
            ends_on = parse_end_date(until)
        except EndDateRefused as refusal:
            problems.append(refusal.message)
    return FileRow(
        line=line,
        first_name=values.get("first_name", "").strip(),
        last_name=values.get("last_name", "").strip(),
        email=values.get("email", "").strip(),
        mobile=values.get("mobile", "").strip(),
        rights=rights,
        problems=tuple(problems),
        ends_on=ends_on,
    )


def template_csv() -> str:
    """The file to fill: titles, how to fill it (notes), an example as a note, for Excel."""
    rights = [str(spec.short_label) for spec in CATALOGUE.values()]
    lines = [
        template_headers(),
        [
            NOTE
            + " "
            + _(
                "Une ligne par personne, %(max)s au plus. Mobile facultatif. Pour chaque droit, "
                "écrivez oui ou non (x et 1 valent oui). Sans colonnes de droits, les droits "
                "cochés sur la page valent pour tous. Jusqu’au (facultatif) : le dernier jour "
                "des droits de la personne, par exemple 31/03/2027. Les lignes commençant par # "
                "sont ignorées."
            )
            % {"max": BATCH_FILE_MAX_INVITEES}
        ],
        [
            NOTE + " " + _("Léa"),
            _("Martin"),
            _("lea.martin@exemple.fr"),
            "06 12 34 56 78",
            *[_("oui") if index == 0 else _("non") for index in range(len(rights))],
            "",
        ],
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([[text_cell(cell) for cell in line] for line in lines])
    return BOM + out.getvalue()
