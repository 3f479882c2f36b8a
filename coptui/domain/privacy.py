"""Children's names and case codes kept out of what leaves the centre: typed text is checked.

People type titles and reasons freely («Консултация Т-014», «Мартинчо е болен»). A monthly
report, a calendar file or a sheet on the door must not carry a child. A name is matched the
way Bulgarian bends it: by its stem (a longer name less its last two letters, a short one
whole) at the start of a word, so «Петрова», «Петрови», «Мартинчо», «Марто» are caught by
«Петров» and «Мартин»; in Cyrillic and in Latin letters («Martin Petrov»). A code is matched
whatever stands between its parts («ЦОП 2026 001», «ЦОП‑2026‑001» with a non-breaking hyphen).

It errs on the side of the child: a word that only looks like a name («март» for «Мартин») is
treated as one. What it cannot know (a nickname, a misspelling) it cannot catch; the README says
so where the exports are described.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BLANK = "…"

# Bulgarian's official transliteration (the Streamlined System, 2009).
_LATIN = {
    **dict(zip("абвгдезийклмнопрстуфхъь", "abvgdeziyklmnoprstufhay", strict=True)),
    **{"ж": "zh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ю": "yu", "я": "ya"},
}
_WORD = re.compile(r"[^\W\d_]+")
_PART = re.compile(r"[^\W_]+")
SHORT = 4  # a name this long or shorter is its own stem: «Иван» → «Ивана», «Иванчо»
ENDING = 4  # letters a word may add to a stem: «Мартин» → «Мартинчо», «Петров» → «Петрова»
# Words people write in a name field that name nobody («семейство Петрови»).
_NOT_NAMES = (
    "семейство семейството фамилия фамилията род майка баща родители дете деца брат сестра"
    " баба дядо настойник приемно приемни"
)
NOT_NAMES = frozenset(_NOT_NAMES.split())


def latin(word: str) -> str:
    """``word`` (lower case) in Latin letters as Bulgarian transliterates it."""
    return "".join(_LATIN.get(c, c) for c in word)


def _stems(names: Iterable[str]) -> dict[str, int]:
    """Each stem with the most letters a matching word may add to it.

    A longer name's stem leaves its last two letters to the ending («Петр» of «Петров»,
    «Георги» of «Георгиев»), never fewer than four letters.
    """
    stems: dict[str, int] = {}
    for name in names:
        for word in _WORD.findall(name.casefold()):
            if len(word) < 3 or word in NOT_NAMES:
                continue
            for form in {word, latin(word)}:
                stem = form if len(form) <= SHORT else form[: max(SHORT, len(form) - 2)]
                room = ENDING - 1 if len(form) <= SHORT else ENDING + len(form) - len(stem)
                stems[stem] = max(stems.get(stem, -1), room)
    return stems


class Redactor:
    """Finds and blanks the children's names and case codes given, in typed text.

    Args:
        names: children's and families' names (any number of words each).
        codes: case codes to blank too (a report shows codes: pass none there).
    """

    def __init__(self, names: Iterable[str], codes: Iterable[str] = ()) -> None:
        self._stems = _stems(names)
        parts = [_PART.findall(code.casefold()) for code in codes]
        alternatives = sorted(
            (r"[\W_]*".join(re.escape(p) for p in code) for code in parts if code),
            key=len,
            reverse=True,
        )
        self._codes = (
            re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.IGNORECASE)
            if alternatives
            else None
        )

    def _is_name(self, word: str) -> bool:
        folded = word.casefold()
        for size in range(3, len(folded) + 1):
            room = self._stems.get(folded[:size])
            if room is not None and len(folded) - size <= room:
                return True
        return False

    def names_a_child(self, text: str) -> bool:
        """Whether ``text`` holds a child's or family's name, or a case code."""
        if self._codes is not None and self._codes.search(text):
            return True
        return any(self._is_name(word) for word in _WORD.findall(text))

    def blank(self, text: str) -> str:
        """``text`` with every name and code found replaced by «…»."""
        if self._codes is not None:
            text = self._codes.sub(BLANK, text)
        return _WORD.sub(lambda m: BLANK if self._is_name(m.group()) else m.group(), text)
