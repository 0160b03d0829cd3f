"""Chinese numerals as official documents print them (十四届, 一百零五)."""

DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 14 → 十四, 20 → 二十, 105 → 一百零五 (counts up to 9999)."""
    if n < 0 or n > 9999:
        raise ValueError(n)
    if n == 0:
        return DIGITS[0]
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero_pending = [], False
    for value, name in units:
        digit, n = divmod(n, value)
        if digit:
            if zero_pending and out:
                out.append(DIGITS[0])
            out.append(DIGITS[digit] + name)
            zero_pending = False
        elif out:
            zero_pending = True
    text = "".join(out)
    # 十四 not 一十四 when the number starts at the tens.
    return text[1:] if text.startswith("一十") else text
