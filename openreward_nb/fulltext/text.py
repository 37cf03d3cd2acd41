"""What a search reads of an event: its text fields, one by one (where a match is reported) and
joined into the one text the index holds."""

from __future__ import annotations

#: the fields a match is looked for in, in this order: the message, tool arguments or tool output;
#: a reasoning summary; a tool's name
FIELDS: tuple[str, ...] = ("content", "summary", "name")
#: the text the index holds for an event (``events`` columns, unqualified): its fields joined by spaces.
#: A match across two fields is no match; the index only narrows what is read, matches are checked field by field.
INDEXED_TEXT_SQL = "coalesce(name, '') || ' ' || coalesce(content, '') || ' ' || coalesce(summary, '')"
#: the shortest text a trigram index can look up
MIN_INDEXED = 3
