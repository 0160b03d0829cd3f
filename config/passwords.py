"""The password policy (等保 level 3 asks for length and complexity): at least 12 characters,
from at least three of lower case, upper case, digits and symbols (spaces are none of them), at
least eight different characters, no more spaces than anything else, and not the username.
The change page also refuses the password already in use (config/account_views.py).

Twelve, not Django's eight: a clerk or a leader signs in with the password alone (the second
factor is theirs to choose), so the password must stand by itself; twelve characters of three
classes are far beyond any online guessing that django-axes lets through, yet still typeable.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator:
    """Django's own, with its message in the product's words (and in Chinese first)."""

    def __init__(self, min_length=12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self):
        return _("密码至少须有 %(count)d 个字符。") % {"count": self.min_length}


def _kind(char):
    if char.isspace():
        return None  # spaces pad a password out; they make it no harder to guess
    if char.isdigit():
        return "digit"
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    return "symbol"  # punctuation, and letters without case (汉字 count here)


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len({_kind(char) for char in password} - {None}) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(count)d类。") % {
            "count": self.min_classes
        }


class VarietyValidator:
    """At least `min_distinct` different characters, spaces not counted (`Aa1Aa1Aa1Aa1` has
    three), and no more spaces than other characters."""

    def __init__(self, min_distinct=8):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        spaces = sum(char.isspace() for char in password)
        if spaces * 2 > len(password):
            raise ValidationError(_("密码不能主要由空格组成。"), code="password_mostly_spaces")
        if len({char for char in password if not char.isspace()}) < self.min_distinct:
            raise ValidationError(self.get_help_text(), code="password_too_repetitive")

    def get_help_text(self):
        return _("密码须包含至少 %(count)d 个不同的字符（空格不计）。") % {
            "count": self.min_distinct
        }


class UsernameValidator:
    """Not the username, nor a password that contains it (in any case): Django's similarity
    check lets `clerk2Clerk2!` through for clerk2. Usernames shorter than three characters are
    not looked for (they would forbid too many passwords for too little)."""

    min_username = 3

    def validate(self, password, user=None):
        username = (user.get_username() or "") if user is not None else ""
        if len(username) >= self.min_username and username.casefold() in password.casefold():
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self):
        return _("密码不能包含用户名。")
