"""What every CSV the portal hands out shares: cells a spreadsheet will not run as formulas."""

# a spreadsheet runs a cell that starts with one of these as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a UTF-8 file as UTF-8 only when it starts with this
BOM = "\ufeff"


def text_cell(text: str) -> str:
    """Free text (a label, a name) as a cell: a leading quote keeps a formula from running."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
