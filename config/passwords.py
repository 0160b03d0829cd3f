"""The password policy (等保 level 3 asks for length and complexity): at least 12 characters,
from at least three of lower case, upper case, digits and symbols.

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
    if char.isdigit():
        return "digit"
    if char.islower():
        return "lower"
    if char.isupper():
        return "upper"
    return "symbol"  # punctuation, spaces, and letters without case (汉字 count here)


class CharacterClassValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if len({_kind(char) for char in password}) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、符号中的至少%(count)d类。") % {
            "count": self.min_classes
        }
