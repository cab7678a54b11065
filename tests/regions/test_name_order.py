"""Names sorted the way a Kazakh (or Russian) reader looks them up: Қ after К, Ө after О, not everything after Я."""

import random

import pytest

from regions.models import name_sort_key

# Our own names, one per letter Kazakh adds to the Russian alphabet, between ordinary ones.
KAZAKH_ORDER = [
    "Абай",
    "Әйтеке би",
    "Бөрлі",
    "Ғабит Мүсірепов",
    "Достық",
    "Ембі",
    "Жаңақала",
    "Казталов",
    "Қазталов",
    "Қаратөбе",
    "Нұра",
    "Ңғ-тест",
    "Орал",
    "Өскемен",
    "Сырым",
    "Ұлытау",
    "Үржар",
    "Хромтау",
    "Һ-ауданы",
    "Шыңғырлау",
    "Ыстықкөл",
    "Іле",
    "Ясный",
]


def test_kazakh_names_follow_the_kazakh_alphabet():
    shuffled = KAZAKH_ORDER[:]
    random.Random(7).shuffle(shuffled)

    assert sorted(shuffled, key=name_sort_key) == KAZAKH_ORDER


def test_code_point_order_is_what_it_fixes():
    # The bug: Python's (and JavaScript's) plain order puts Қ, Ө, Ү, Ұ, І after every Russian letter.
    assert sorted(["Қазталов", "Шыңғырлау"]) == ["Шыңғырлау", "Қазталов"]
    assert sorted(["Қазталов", "Шыңғырлау"], key=name_sort_key) == ["Қазталов", "Шыңғырлау"]


@pytest.mark.parametrize(
    "names",
    [
        ["Акжаикский район", "Бурлинский район", "город Уральск", "Ёлкино", "Жангалинский район", "Чингирлауский район"],
        ["Akzhaik District", "burli District", "Taskala District", "Uralsk City", "Zhangala District"],
    ],
)
def test_russian_and_english_names_keep_their_own_order_ignoring_case(names):
    shuffled = names[:]
    random.Random(3).shuffle(shuffled)

    assert sorted(shuffled, key=name_sort_key) == names


def test_the_key_ignores_case_and_is_a_plain_string_the_page_script_can_compare():
    assert name_sort_key("ҚАЗТАЛОВ") == name_sort_key("қазталов")
    assert isinstance(name_sort_key("Қ"), str)
    assert all(ord(character) < 0x10000 for character in name_sort_key("Әйтеке би Ұлытау"))  # no surrogate pairs in JS
