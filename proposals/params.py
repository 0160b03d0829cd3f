"""Reading numbers out of query strings, the one way every page and the API do it."""

import re


def plain_int(value):
    """A filter value as an int, or None: only ASCII digits and within a database integer
    (str.isdigit accepts '²' and int() then fails; a long number overflows PostgreSQL)."""
    return int(value) if re.fullmatch(r"[0-9]{1,9}", value or "") else None
