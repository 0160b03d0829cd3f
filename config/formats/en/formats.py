"""Dates as English pages show them: day, month, year — the order the Chinese pages use
read the other way round, never the ambiguous 11/30/2026."""

DATE_FORMAT = "j M Y"  # 30 Nov 2026
MONTH_DAY_FORMAT = "j M"  # 30 Nov
