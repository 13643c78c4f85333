"""Lists sorted as their reader's language sorts them: pinyin in Chinese, alphabetical by the
name shown in English (domain/collation.py, forms/choices.py for the country lists)."""

from __future__ import annotations

from definitions.loader import form_schema
from domain.collation import sort_key
from forms.choices import enum_choices

COUNTRY = form_schema("partner_application.v1")["properties"]["country"]


def test_chinese_names_sort_by_pinyin_not_by_code_point():
    names = ["中国", "巴西", "澳大利亚", "阿富汗", "德国", "秘鲁", "美国"]
    assert sorted(names, key=lambda n: sort_key(n, "zh_Hans")) == \
        ["阿富汗", "澳大利亚", "巴西", "秘鲁", "德国", "美国", "中国"]  # 秘鲁 is bì lǔ, not mì
    assert sorted(names) != sorted(names, key=lambda n: sort_key(n, "zh_Hans"))


def test_pinyin_letters_before_tones_and_any_chinese_locale_tag():
    # ba (八) before bai (白) whatever the tones; bā (八) before bà (爸).
    assert sorted(["白", "爸", "八"], key=lambda n: sort_key(n, "zh-CN")) == ["八", "爸", "白"]


def test_english_is_alphabetical_accents_aside():
    names = ["Zambia", "Côte d’Ivoire", "Åland Islands", "Canada", "Albania", "cuba"]
    assert sorted(names, key=lambda n: sort_key(n, "en")) == \
        ["Åland Islands", "Albania", "Canada", "Côte d’Ivoire", "cuba", "Zambia"]


def test_the_country_list_is_in_pinyin_order_in_chinese_and_by_name_in_english():
    chinese = [c.label for c in enum_choices(COUNTRY, "zh_Hans")]
    assert chinese[0] == "阿尔巴尼亚"
    assert chinese.index("澳大利亚") < chinese.index("巴西") < chinese.index("中国")
    assert chinese.index("巴西") < chinese.index("秘鲁") < chinese.index("德国")
    english = [c.label for c in enum_choices(COUNTRY, "en")]
    assert english.index("Brazil") < english.index("China") < english.index("Peru")
    assert {c.value for c in enum_choices(COUNTRY, "zh_Hans")} == set(COUNTRY["enum"])
