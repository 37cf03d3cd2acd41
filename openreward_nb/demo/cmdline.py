"""Splitting a shell command line: words, operators, quoting, and ``;`` / ``&&`` / ``||`` lists."""

from __future__ import annotations

import re
from typing import NamedTuple

SEPARATORS = (";", "&&", "||")
_OPERATORS = ("&&", "||", ">>", "|", ";", "&", ">", "<", "(", ")")
_DOUBLE_QUOTED_ESCAPE = re.compile(r'\\([\\"$`])')


class Token(NamedTuple):
    """A word, or an unquoted operator (``operator`` set); ``glob`` when it has an unquoted ``*``, ``?`` or ``[``."""

    text: str
    operator: str = ""
    glob: bool = False


def tokenize(line: str) -> list[Token]:
    """Split a command line with bash's quoting rules (no expansions besides globs, which the caller does)."""
    tokens: list[Token] = []
    word: list[str] = []
    in_word = glob = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in "'\"":
            end = _closing_quote(line, i)
            if end < 0:
                raise ValueError(f"unexpected EOF while looking for matching `{ch}'")
            quoted = line[i + 1 : end]
            word.append(_DOUBLE_QUOTED_ESCAPE.sub(r"\1", quoted) if ch == '"' else quoted)
            in_word, i = True, end + 1
            continue
        if ch == "\\" and i + 1 < len(line):
            word.append(line[i + 1])
            in_word, i = True, i + 2
            continue
        operator = next((op for op in _OPERATORS if line.startswith(op, i)), "")
        if ch.isspace() or operator:
            if in_word:
                tokens.append(Token("".join(word), glob=glob))
                word, in_word, glob = [], False, False
            if operator:
                tokens.append(Token(operator, operator=operator))
            i += len(operator) or 1
            continue
        word.append(ch)
        in_word, glob = True, glob or ch in "*?["
        i += 1
    if in_word:
        tokens.append(Token("".join(word), glob=glob))
    return tokens


def _closing_quote(line: str, start: int) -> int:
    """Where the quote opened at ``start`` closes (-1 if it does not); ``\\"`` does not close a double quote."""
    if line[start] == "'":
        return line.find("'", start + 1)
    i = start + 1
    while i < len(line) and line[i] != '"':
        i += 2 if line[i] == "\\" else 1
    return i if i < len(line) else -1


def command_lists(tokens: list[Token]) -> list[tuple[list[Token], str]]:
    """The pipelines of a command list, each with the separator that follows it (``;`` at the end)."""
    lists: list[tuple[list[Token], str]] = []
    current: list[Token] = []
    for token in tokens:
        if token.operator in SEPARATORS:
            lists.append((current, token.operator))
            current = []
        else:
            current.append(token)
    if current:
        lists.append((current, ";"))
    return lists
