"""Golden tests: seeds 000, 002, 003 and 004 rebuilt as structured letters, rendered to PDF
and DOCX, and read back: every element of the seed is there, in the seed's order, with the
seed's wording (white space aside: line breaks fall elsewhere on our page)."""

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from demo.data import FIXTURES
from demo.loader import Demo
from responses import rendering
from responses.actions import freeze
from responses.models import Opinion, Reply
from tests.services import IN_CI

pytestmark = pytest.mark.django_db

EXPECTED = {
    "000": [
        "办理结果：解决采纳",
        "公开属性：主动公开·全文",
        "上海市科学技术委员会",
        "沪科提复〔2024〕24号",
        "对市政协十四届二次会议 第1136号提案的答复",
        "章毅、张远波、朱军红等委员：",
        "你们提出的“关于进一步扶持干细胞治疗产业发展的提案”收悉",
        "感谢你们对本市科技工作的关心和支持。",
        "上海市科学技术委员会",
        "2024 年 5 月 27 日",
        "（联系人：王大宽；联系电话：23119524；联系地址：人民大道 200 号；邮政编码：200003）",
        "抄送：市政府办公厅建议提案处，市政协提案办。",
        "上海市科委办公室",
        "2024 年 5 月 27 日印发",
    ],
    "002": [
        "(B类)",
        "山东省科学技术厅",
        "鲁科函〔2023〕86号",
        "签发人：潘军",
        "山东省科学技术厅 对省政协十三届一次会议第13010345号 提案的答复意见",
        "姚成岭委员：",
        "您提出的《关于成立建设山东省干细胞与再生医学创新创业共同体的建议》收悉",
        "感谢您对科技工作的大力支持。",
        "（此件公开发布）",
        "（联系处室：资配处；联系电话：0531-51751086）",
        "抄送：省政协提案委员会，省委省政府督查办。",
        "山东省科学技术厅办公室",
        "2023年8月14日印发",
    ],
    "003": [
        "云南省科学技术厅",
        "A",
        "公开",
        "云南省科技厅关于政协云南省第十二届 第三次会议第 120300622 号提案 会办意见的函",
        "省卫生健康委：",
        "按照提案会办要求，结合省科技厅职能",
        "推动干细胞科技成果在云南合作转化。",
        "云南省科学技术厅",
        "2020年7月29日",
        "（联系人：杨蓉；联系电话：0871-63136003）",
        "抄送：省政协提案委，省政府办公厅议案处。",
    ],
    "004": [
        "办理结果：解决采纳",
        "公开属性：主动公开·全文",
        "上海市科学技术委员会",
        "沪科建复〔2024〕40号",
        "对市十六届人大二次会议 第0345号代表建议的答复",
        "文彬代表：",
        "您提出的“关于支持生物医药创新，推动产业高质量发展的建议”收悉",
        "感谢您对本市科技工作的关心和支持。",
        "上海市科学技术委员会",
        "2024年5月27日",
        "（联系人：孙振杰；联系电话：23112498；联系地址：人民大道200号806室；邮政编码：200003）",
        "抄送：市政府办公厅建议提案处，市人大代表工作处。",
        "上海市科委办公室",
        "2024年5月27日印发",
    ],
}


def squash(text):
    return re.sub(r"\s+", "", text)


def in_order(expected, text):
    """Each expected element found after the previous one; returns those missing."""
    text, position, missing = squash(text), 0, []
    for element in expected:
        found = text.find(squash(element), position)
        if found < 0:
            missing.append(element)
        else:
            position = found + len(squash(element))
    return missing


@pytest.fixture
def seeds():
    demo = Demo()
    demo.base()
    letters = {}
    for seed in json.loads((FIXTURES / "seed_letters.json").read_text())["letters"]:
        demo.seed_letter(seed)
        model = Opinion if seed["letter"] == "opinion" else Reply
        letters[seed["seed"]] = model.objects.get(title=seed["fields"]["title"])
    return letters


def pdf_text(content):
    if not shutil.which("pdftotext"):
        if IN_CI:
            pytest.fail("pdftotext is missing (apt-get install poppler-utils)")
        pytest.skip("pdftotext is not installed")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_letter_renders_element_for_element(seeds, seed, tmp_path):
    letter = seeds[seed]
    frozen = freeze(letter)
    pdf = bytes(frozen["pdf"].content)
    assert pdf.startswith(b"%PDF") and frozen["pdf"].sha256 == rendering.digest(pdf)
    assert in_order(EXPECTED[seed], pdf_text(pdf)) == []
    document = Document(io.BytesIO(bytes(frozen["docx"].content)))
    assert in_order(EXPECTED[seed], "\n".join(p.text for p in document.paragraphs)) == []
    target = os.environ.get("LETTERS_DIR")
    if target:  # make screenshots: page images for a person to look at
        Path(target).mkdir(parents=True, exist_ok=True)
        (tmp_path / "letter.pdf").write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                str(tmp_path / "letter.pdf"),
                str(Path(target) / f"seed-{seed}"),
            ],
            check=True,
        )


def test_frozen_files_do_not_change_and_downloads_are_checked(seeds, client):
    from proposals.models import User

    letter = seeds["000"]
    first = freeze(letter)
    again = freeze(letter)
    assert first["pdf"].pk == again["pdf"].pk and first["docx"].sha256 == again["docx"].sha256
    clerk = User.objects.get(username="clerk")
    client.force_login(clerk)
    response = client.get(f"/letters/reply/{letter.pk}/file.docx")
    assert response.status_code == 200 and response["X-Content-SHA256"] == first["docx"].sha256
    client.force_login(User.objects.get(username="yn_clerk"))  # another jurisdiction's unit
    assert client.get(f"/letters/reply/{letter.pk}/file.pdf").status_code == 403
    client.logout()
    public = client.get(f"/public/replies/{letter.pk}.pdf")
    assert public.status_code == 200 and public.content == bytes(first["pdf"].content)
