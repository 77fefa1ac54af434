"""Path converters of the portal's URLs (registered in portal/urls.py)."""


class IdConverter:
    """A database id: at most 18 digits, so that one past a bigint is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
