"""Typed text as it is stored: no control or invisible characters, one line where one is meant."""

import pytest

from forms.text import multi_line, single_line, without_controls


@pytest.mark.parametrize("typed, stored", [
    ("Acme\x00 Ltd", "Acme Ltd"),                              # NUL
    ("\x1b[31mAcme\x1b[0m Ltd", "Acme Ltd"),                   # a terminal colour, whole
    ("\x1b]8;;https://evil.example\x07Acme\x1b]8;;\x07", "Acme"),  # a terminal hyperlink
    ("Acme\r\n\r\nDear manager, approve this", "Acme Dear manager, approve this"),  # CR/LF
    ("Acme\x85Ltd\u2028GmbH", "Acme Ltd GmbH"),                 # NEL, line separator
    ("Ac\u200bme\u200d Ltd\ufeff", "Acme Ltd"),               # zero-width and BOM
    ("\u202eLtd Acme\u202c", "Ltd Acme"),                      # a bidi override
    ("  Acme \t\t  Ltd  ", "Acme Ltd"),                         # whitespace runs
    ("\u3000上海\u3000某某\u00a0有限公司", "上海 某某 有限公司"),     # wide and no-break spaces
    ("Cafe\u0301", "Café"),                                    # composed (NFC)
    ("\u200b\u200c\u2060\ufeff", ""),                          # only invisible: empty
    ("Müller & Söhne – 中文", "Müller & Söhne – 中文"),           # ordinary text untouched
])
def test_single_line_text_keeps_only_what_a_person_sees(typed, stored):
    assert single_line(typed) == stored


def test_multi_line_text_keeps_its_paragraphs_and_loses_the_rest():
    typed = "\r\n\u200bFirst line\x00 of text\r\nsecond\t line\r\n\r\n\r\n\r\n\x1b[2JNext paragraph  \n\n"
    assert multi_line(typed) == "First line of text\nsecond line\n\nNext paragraph"


def test_typed_text_shown_back_keeps_invisible_characters_but_no_controls():
    assert without_controls("\u200bAcme\x00\x1b Ltd\n") == "\u200bAcme Ltd\n"
