"""Dates as English pages show them: day, month, year — the order the Chinese pages use
read the other way round, never the ambiguous 11/30/2026."""

DATE_FORMAT = "j M Y"  # 30 Nov 2026
MONTH_DAY_FORMAT = "j M"  # 30 Nov
# The admin's and the lists' times: 24-hour, the date as above (not "Sept. 4, 2026, 10 a.m.").
DATETIME_FORMAT = "j M Y, H:i"  # 30 Nov 2026, 10:00
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
