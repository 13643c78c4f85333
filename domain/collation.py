"""Sorting names the way a reader of the language looks for them.

Chinese readers find a name by its pinyin (阿富汗 a-fu-han before 澳大利亚 ao-da-li-ya before
巴西 ba-xi), not by the code points of its characters, which follow radicals and strokes of a
1990s encoding. Everyone else: alphabetical, accents aside (Côte d'Ivoire among the C's).

pypinyin is loaded the first time a Chinese list is sorted (its phrase dictionary, which gets
秘鲁 right as bi-lu, costs about 0.5 s and 50 MB), and keys are kept: a list is sorted from memory
after that.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


def sort_key(name: str, locale: str | None = "en") -> tuple:
    """The key to sort `name` by for a reader of `locale` ("zh_Hans", "zh-CN", "en", ...)."""
    if (locale or "").replace("-", "_").split("_", 1)[0].lower() == "zh":
        return pinyin_key(name)
    return (alphabetic_key(name),)


@lru_cache(maxsize=8192)
def alphabetic_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=8192)
def pinyin_key(name: str) -> tuple:
    """Syllable by syllable (letters, then tone: ba before bai, bā before bà), the name itself
    last so that two names read alike keep one order."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
    spelled = tuple((s.rstrip("012345").casefold() or s, s[-1] if s[-1:].isdigit() else "0")
                    for part in syllables for s in part.split())
    return spelled + ((name, ""),)
