"""A template says which letters it is for: its role (答复函 or 会办意见, the former `kind`)
and the item's kind it was written for (提案, 建议, or both). Existing templates are classified
by their text: one that names 委员/提案/政协 was written for 提案, one that names 代表/人大 or
speaks of a 建议 for 建议; one that names neither (or both) serves both. Their role is kept:
each was already marked 答复函 or 会办意见 by whoever wrote it."""

import re

from django.db import migrations, models

# Institution names and the adjective read like the words but are not (上海市科学技术委员会,
# 具有代表性); placeholders are not the template's own wording.
NOT_KIND_WORDS = re.compile(r"委员会|代表性|【[^【】\n]*】")
PROPOSAL_WORDS = ("委员", "提案", "政协")
SUGGESTION_WORDS = ("代表", "人大")


def kind_by_wording(body):
    text = NOT_KIND_WORDS.sub("", body)
    for_proposal = any(word in text for word in PROPOSAL_WORDS)
    for_suggestion = any(word in text for word in SUGGESTION_WORDS)
    if for_proposal and not for_suggestion:
        return "proposal"
    if for_suggestion and not for_proposal:
        return "suggestion"
    # 提案 replies speak of the member's 建议 too ("你们的建议具有很强的针对性"), so 建议 alone
    # decides only when nothing names a 提案.
    if not for_proposal and "建议" in text:
        return "suggestion"
    return ""


def classify(apps, schema_editor):
    LetterTemplate = apps.get_model("responses", "LetterTemplate")
    for template in LetterTemplate.objects.all():
        kind = kind_by_wording(template.body)
        if kind:
            LetterTemplate.objects.filter(pk=template.pk).update(kind=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0011_delivery_resends"),
    ]

    operations = [
        migrations.RenameField("lettertemplate", "kind", "role"),
        migrations.AddField(
            model_name="lettertemplate",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[("", "提案和建议"), ("proposal", "提案"), ("suggestion", "建议")],
                help_text="写有“委员”“提案”等字样的模板只适用于提案；用【称谓】【类别】可两者通用。",
                max_length=12,
                verbose_name="适用于",
                default="",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(classify, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="lettertemplate",
            options={
                "ordering": ["unit_id", "role", "kind", "class_label", "name"],
                "verbose_name": "公文模板",
                "verbose_name_plural": "公文模板",
            },
        ),
    ]
