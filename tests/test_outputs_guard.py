"""What the output layer guards against: CSV text that Excel would run as a formula (and only that:
what Excel reads as a number is left as it is), and text longer than an xlsx cell holds (cut, and
said)."""

from __future__ import annotations

import pandas as pd
import pytest

from backlog_cli import outputs

# Excel reads these as numbers when it opens a CSV: written as they are (quoted where they hold a comma).
NUMBERS = {
    "-5000": "-5000",
    "-0.5": "-0.5",
    "-.5": "-.5",
    "+7": "+7",
    "-5%": "-5%",
    "-1,000": '"-1,000"',
    "-1,000.50": '"-1,000.50"',
    "-12,345,678.9%": '"-12,345,678.9%"',
    "+1.5E3": "+1.5E3",
    "-2e-3": "-2e-3",
}
# Not numbers to Excel, or not numbers alone: marked with a leading '.
TEXTS = {
    "+86 010 1234": "'+86 010 1234",
    "-12.5万": "'-12.5万",
    "-1,00": "\"'-1,00\"",
    "-1234,567": "\"'-1234,567\"",
    "-1,000,00": "\"'-1,000,00\"",
    "-5 ": "'-5 ",
    "- 5": "'- 5",
    "-": "'-",
    "+": "'+",
    "-%": "'-%",
    "-5%%": "'-5%%",
    "-e5": "'-e5",
    "-５": "'-５",  # a full-width digit: text to Excel
    "-1+1": "'-1+1",
    "=1": "'=1",
    "@1": "'@1",
    "\t5": "'\t5",
}


@pytest.mark.parametrize(("value", "field"), [*NUMBERS.items(), *TEXTS.items()])
def test_csv_marks_text_that_is_no_number_to_excel(value, field):
    frame = pd.DataFrame({"party": pd.Series([value, "x"], dtype="str")})
    assert outputs.to_csv(frame) == f"party\n{field}\nx\n"


def test_csv_guard_in_a_column_of_many_fields_and_a_mixed_column():
    frame = pd.DataFrame({
        "a": pd.Series(["-1,000", "张三", "+86 010 1234", "-5%", "", None], dtype="str"),
        "o": pd.Series(["-12.5万", -1, "-0.5", "@x", 2.5, None], dtype=object),
    })
    assert outputs.to_csv(frame).splitlines() == [
        "a,o", '"-1,000",\'-12.5万', "张三,-1", "'+86 010 1234,-0.5", "-5%,'@x", ",2.5", ","]
