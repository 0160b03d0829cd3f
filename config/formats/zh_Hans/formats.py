"""Dates as Chinese pages show them. Templates name these formats (|date:"DATE_FORMAT"),
never a pattern, so an English page shows English dates (config/formats/en)."""

DATE_FORMAT = "Y年n月j日"  # 2026年11月30日
MONTH_DAY_FORMAT = "n月j日"  # 11月30日
