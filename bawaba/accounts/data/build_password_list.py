"""Build passwords.txt.gz, the bundled list of common and breached passwords (see README.md).

Run from the project root after changing iraq-common.txt or upgrading Django:

    .venv/bin/python bawaba/accounts/data/build_password_list.py

Every entry is written as BreachedPasswordValidator compares it: digits in ASCII, lower case, no
surrounding space. The output is sorted so that a rebuild shows as a readable diff of the list.
"""

import gzip
import importlib.util
from collections.abc import Iterable, Iterator
from pathlib import Path

import django

from bawaba.accounts.passwords import password_list_key

HERE = Path(__file__).resolve().parent
DJANGO_LIST = Path(django.__file__).resolve().parent / "contrib" / "auth" / "common-passwords.txt.gz"
IRAQ_LIST = HERE / "iraq-common.txt"
OUTPUT = HERE / "passwords.txt.gz"

# What people add to a word to pass a length rule.
ENDINGS = ["", "1", "12", "123", "1234", "12345", "123456", "@123", "123!", "!", "@", "2000", "1990"]
ENDINGS += [str(year) for year in range(1970, 2031)]
# First digits of Iraqi mobile numbers after 07: Korek 75, Omnnea 76, Asiacell 77, Zain 78 and 79.
MOBILE_PREFIXES = [f"07{operator}{digit}" for operator in "56789" for digit in "0123456789"]
# How the last seven digits of a made-up number usually look.
NUMBER_TAILS = ["1234567", "7654321", "0000000", "1212121", "1231234", "1122334", "0123456", "9876543"]
NUMBER_TAILS += [digit * 7 for digit in "123456789"]


def django_passwords() -> Iterator[str]:
    with gzip.open(DJANGO_LIST, "rt", encoding="utf-8") as lines:
        yield from lines


def iraq_words() -> list[str]:
    lines = IRAQ_LIST.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def iraq_passwords() -> Iterator[str]:
    for word in iraq_words():
        for ending in ENDINGS:
            yield word + ending
    for prefix in MOBILE_PREFIXES:
        for tail in NUMBER_TAILS:
            number = prefix + tail
            yield from (number, number[1:], "964" + number[1:], "+964" + number[1:])
    for digit in "0123456789":
        for length in range(6, 17):
            yield digit * length
    runs = "01234567890", "1234567890", "9876543210", "0987654321"
    for run in runs:
        for length in range(6, len(run) + 1):
            yield run[:length]
    for pair in ("12", "21", "69", "77", "11"):
        yield from (pair * 4, pair * 5, pair * 6)
    for triple in ("123", "321", "786", "313", "110"):
        yield from (triple * 3, triple * 4)
    yield from ("11223344", "1122334455", "112233445566", "12341234", "123412341234", "1234512345")


def zxcvbn_passwords() -> Iterable[str]:
    """The zxcvbn frequency lists' passwords, when the package happens to be installed (it is optional)."""
    if importlib.util.find_spec("zxcvbn") is None:
        return []
    frequency_lists = importlib.import_module("zxcvbn.frequency_lists")
    passwords: list[str] = frequency_lists.FREQUENCY_LISTS.get("passwords", [])
    return passwords


def main() -> None:
    entries = {
        password_list_key(line)
        for source in (django_passwords(), iraq_passwords(), zxcvbn_passwords())
        for line in source
    }
    entries.discard("")
    OUTPUT.write_bytes(gzip.compress("".join(f"{entry}\n" for entry in sorted(entries)).encode(), mtime=0))
    print(f"{len(entries)} passwords written to {OUTPUT.name}")  # noqa: T201


if __name__ == "__main__":
    main()
