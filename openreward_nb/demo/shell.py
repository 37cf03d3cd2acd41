"""A tiny shell over an in-memory file system: what the demo's ``bash`` tool runs.

Nothing here touches the real machine: no subprocesses, no real files. It knows the
handful of commands a CTF agent reaches for (ls, cat, find, grep, base64, tr, echo,
head, tail, wc, cd, pwd, file, whoami), pipes, and ``;`` / ``&&`` / ``||`` lists.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

from .cmdline import Token, command_lists, tokenize

HOME = "/home/ctf"
_LONG_DATE = "Mar  3 12:00"


class ShellError(Exception):
    """A command failed: its message goes to the output, ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _split_flags(args: list[str], with_value: str = "") -> tuple[set[str], dict[str, str], list[str]]:
    """Short options (``-la`` = ``-l -a``), options taking a value, and the operands."""
    flags: set[str] = set()
    values: dict[str, str] = {}
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        if arg.startswith("--") and len(arg) > 2:
            flags.add(arg)
        elif arg.startswith("-") and len(arg) > 1 and not rest:
            letters = arg[1:]
            for i, letter in enumerate(letters):
                if letter in with_value:
                    values[letter] = letters[i + 1 :] or next(it, "")
                    break
                flags.add(letter)
        else:
            rest.append(arg)
    return flags, values, rest


def _expand_tr_set(spec: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out)


def _count_arg(flags: set[str], values: dict[str, str], default: int = 10) -> int:
    if "n" in values:
        return int(values["n"])
    digits = [f for f in flags if f.isdigit()]
    return int("".join(sorted(digits))) if digits else default


class ShellResult(NamedTuple):
    """What a command line printed (stdout and errors interleaved) and its exit status."""

    output: str
    exit_code: int


class Shell:
    """A shell session: ``run(command)`` returns what the terminal would show."""

    def __init__(self, files: Mapping[str, str], cwd: str = "/challenge") -> None:
        self.files = dict(files)
        self.cwd = cwd
        self._dirs = {"/"}
        for path in self.files:
            parent = posixpath.dirname(path)
            while parent not in self._dirs:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)
        self._commands: dict[str, Callable[[list[str], str | None], str]] = {
            "ls": self._ls,
            "cat": self._cat,
            "find": self._find,
            "grep": self._grep,
            "base64": self._base64,
            "echo": self._echo,
            "tr": self._tr,
            "head": self._head,
            "tail": self._tail,
            "wc": self._wc,
            "pwd": lambda args, stdin: self.cwd + "\n",
            "cd": self._cd,
            "file": self._file,
            "whoami": lambda args, stdin: "ctf\n",
        }

    # --- running ---------------------------------------------------------------------
    def run(self, command: str) -> ShellResult:
        """Run a command line; stdout and error messages come back interleaved, as in a terminal."""
        try:
            tokens = tokenize(command)
        except ValueError as exc:
            return ShellResult(f"bash: syntax error: {exc}\n", 2)
        output: list[str] = []
        status = 0
        op = ";"
        for pipeline, next_op in command_lists(tokens):
            if op == ";" or (op == "&&" and status == 0) or (op == "||" and status != 0):
                text, status = self._pipeline(pipeline)
                output.append(text)
            op = next_op
        return ShellResult("".join(output), status)

    def _pipeline(self, tokens: list[Token]) -> tuple[str, int]:
        stages: list[list[str]] = [[]]
        for token in tokens:
            if token.operator == "|":
                stages.append([])
            elif token.operator:
                return "bash: redirections and background jobs are not available in this sandbox\n", 1
            else:
                stages[-1].extend(self._expand(token))
        stdin: str | None = None
        errors = ""
        status = 0
        for stage in stages:
            if not stage:
                return "bash: syntax error near unexpected token `|'\n", 2
            name, args = stage[0], stage[1:]
            handler = self._commands.get(name)
            if handler is None:
                errors += f"bash: {name}: command not found\n"
                stdin, status = "", 127
                continue
            try:
                stdin, status = handler(args, stdin), 0
            except ShellError as exc:
                errors += f"{name}: {exc}\n" if str(exc) else ""
                stdin, status = "", exc.code
        return errors + (stdin or ""), status

    def _expand(self, token: Token) -> list[str]:
        """Pathname expansion of an unquoted ``*``, ``?`` or ``[`` word; without a match it stays as is."""
        if not token.glob:
            return [token.text]
        pattern = self._abs(token.text)
        depth = pattern.count("/")
        matches = sorted(
            p
            for p in (*self.files, *self._dirs)
            if p.count("/") == depth and fnmatch.fnmatchcase(p, pattern) and not posixpath.basename(p).startswith(".")
        )
        if not matches or token.text.startswith("/"):
            return matches or [token.text]
        base = self.cwd.rstrip("/") + "/"
        return [p[len(base) :] if p.startswith(base) else p for p in matches]

    # --- the file system -------------------------------------------------------------
    def _abs(self, path: str) -> str:
        if path == "~" or path.startswith("~/"):
            path = HOME + path[1:]
        return posixpath.normpath(posixpath.join(self.cwd, path))

    def _children(self, directory: str) -> list[str]:
        prefix = directory.rstrip("/") + "/"
        names = {p[len(prefix) :].split("/", 1)[0] for p in (*self.files, *self._dirs) if p.startswith(prefix)}
        return sorted(n for n in names if n)

    def _read(self, path: str) -> str:
        full = self._abs(path)
        if full in self._dirs:
            raise ShellError(f"{path}: Is a directory")
        if full not in self.files:
            raise ShellError(f"{path}: No such file or directory")
        return self.files[full]

    def _inputs(self, operands: list[str], stdin: str | None) -> list[tuple[str, str]]:
        if not operands:
            return [("(standard input)", stdin or "")]
        return [(name, self._read(name)) for name in operands]

    def _walk(self, directory: str) -> list[str]:
        out = [directory]
        for name in self._children(directory):
            child = posixpath.join(directory, name)
            out.extend(self._walk(child) if child in self._dirs else [child])
        return out

    # --- commands ----------------------------------------------------------------------
    def _ls(self, args: list[str], stdin: str | None) -> str:
        flags, _, paths = _split_flags(args)
        show_all, long = "a" in flags, "l" in flags
        targets = paths or ["."]
        out: list[str] = []
        for n, path in enumerate(targets):
            full = self._abs(path)
            if full in self.files:
                out.append(self._ls_entry(full, path, long))
                continue
            if full not in self._dirs:
                raise ShellError(f"cannot access '{path}': No such file or directory", 2)
            names = self._children(full)
            if not show_all:
                names = [name for name in names if not name.startswith(".")]
            elif long:
                names = [".", "..", *names]
            if len(targets) > 1:
                out.append(("\n" if n else "") + f"{path}:")
            if long:
                out.append(f"total {4 * len(names)}")
            out.extend(self._ls_entry(posixpath.normpath(posixpath.join(full, name)), name, long) for name in names)
        return "".join(line + "\n" for line in out)

    def _ls_entry(self, full: str, shown: str, long: bool) -> str:
        if not long:
            return shown
        if full in self._dirs:
            return f"drwxr-xr-x 2 ctf ctf {4096:>5} {_LONG_DATE} {shown}"
        return f"-rw-r--r-- 1 ctf ctf {len(self.files[full].encode()):>5} {_LONG_DATE} {shown}"

    def _cat(self, args: list[str], stdin: str | None) -> str:
        return "".join(text for _, text in self._inputs(args, stdin))

    def _find(self, args: list[str], stdin: str | None) -> str:
        starts: list[str] = []
        while args and not args[0].startswith("-"):
            starts.append(args.pop(0))
        kind: str | None = None
        pattern: str | None = None
        fold = False
        while args:
            option = args.pop(0)
            if option in ("-type", "-name", "-iname") and not args:
                raise ShellError(f"missing argument to `{option}'")
            if option == "-type":
                kind = args.pop(0)
            elif option in ("-name", "-iname"):
                pattern, fold = args.pop(0), option == "-iname"
            else:
                raise ShellError(f"unknown predicate `{option}'")
        out: list[str] = []
        for start in starts or ["."]:
            full = self._abs(start)
            if full not in self._dirs and full not in self.files:
                raise ShellError(f"'{start}': No such file or directory")
            for path in self._walk(full) if full in self._dirs else [full]:
                is_dir = path in self._dirs
                if kind is not None and (kind == "d") != is_dir:
                    continue
                base = posixpath.basename(path) or "/"
                if pattern is not None and not fnmatch.fnmatchcase(
                    base.lower() if fold else base, pattern.lower() if fold else pattern
                ):
                    continue
                out.append(start.rstrip("/") + path[len(full) :] if path != full else start)
        return "".join(line + "\n" for line in out)

    def _grep(self, args: list[str], stdin: str | None) -> str:
        flags, values, operands = _split_flags(args, with_value="e")
        if "e" in values:
            pattern = values["e"]
        elif operands:
            pattern = operands.pop(0)
        else:
            raise ShellError("usage: grep [OPTION]... PATTERNS [FILE]...", 2)
        recursive = bool(flags & {"r", "R"})
        if "F" in flags:
            pattern = re.escape(pattern)
        try:
            regex = re.compile(pattern, re.IGNORECASE if "i" in flags else 0)
        except re.error:
            regex = re.compile(re.escape(pattern), re.IGNORECASE if "i" in flags else 0)
        if recursive:
            names = [p for op in operands or ["."] for p in self._walk_files(op)]
            sources = [(name, self._read(name)) for name in names]
        else:
            sources = self._inputs(operands, stdin)
        prefix = recursive or len(sources) > 1
        out: list[str] = []
        for name, text in sources:
            for number, line in enumerate(text.splitlines(), 1):
                found = regex.findall(line) if "o" in flags else [line] if regex.search(line) else []
                if "v" in flags:
                    found = [] if regex.search(line) else [line]
                if found and "l" in flags:
                    out.append(name)
                    break
                for piece in found:
                    out.append((f"{name}:" if prefix else "") + (f"{number}:" if "n" in flags else "") + piece)
        if not out:
            raise ShellError("", 1)  # no match: exit status 1, nothing printed
        return "".join(line + "\n" for line in out)

    def _walk_files(self, operand: str) -> list[str]:
        full = self._abs(operand)
        if full in self.files:
            return [operand]
        if full not in self._dirs:
            raise ShellError(f"{operand}: No such file or directory", 2)
        return [operand.rstrip("/") + p[len(full) :] for p in self._walk(full) if p in self.files]

    def _base64(self, args: list[str], stdin: str | None) -> str:
        flags, _, operands = _split_flags(args, with_value="w")
        ((_, text),) = self._inputs(operands[:1], stdin)
        if flags & {"d", "--decode"}:
            try:
                raw = base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise ShellError("invalid input") from None
            return raw.decode("utf-8", errors="replace")
        return base64.b64encode(text.encode()).decode() + "\n"

    def _echo(self, args: list[str], stdin: str | None) -> str:
        newline = True
        if args and args[0] == "-n":
            newline, args = False, args[1:]
        return " ".join(args) + ("\n" if newline else "")

    def _tr(self, args: list[str], stdin: str | None) -> str:
        flags, _, sets = _split_flags(args)
        text = stdin or ""
        if "d" in flags and len(sets) == 1:
            return text.translate({ord(c): None for c in _expand_tr_set(sets[0])})
        if len(sets) != 2:
            raise ShellError("missing operand")
        source, target = _expand_tr_set(sets[0]), _expand_tr_set(sets[1])
        target = target + target[-1:] * (len(source) - len(target))
        return text.translate({ord(a): b for a, b in zip(source, target, strict=False)})

    def _head(self, args: list[str], stdin: str | None) -> str:
        flags, values, operands = _split_flags(args, with_value="n")
        n = _count_arg(flags, values)
        return "".join("".join(text.splitlines(True)[:n]) for _, text in self._inputs(operands, stdin))

    def _tail(self, args: list[str], stdin: str | None) -> str:
        flags, values, operands = _split_flags(args, with_value="n")
        n = _count_arg(flags, values)
        return "".join("".join(text.splitlines(True)[-n:] if n else []) for _, text in self._inputs(operands, stdin))

    def _wc(self, args: list[str], stdin: str | None) -> str:
        flags, _, operands = _split_flags(args)
        wanted = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
        out: list[str] = []
        for name, text in self._inputs(operands, stdin):
            counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
            fields = [str(counts[k]) for k in wanted] + ([name] if operands else [])
            out.append(" ".join(fields))
        return "".join(line + "\n" for line in out)

    def _cd(self, args: list[str], stdin: str | None) -> str:
        target = self._abs(args[0] if args else HOME)
        if target not in self._dirs:
            raise ShellError(f"{args[0]}: No such file or directory")
        self.cwd = target
        return ""

    def _file(self, args: list[str], stdin: str | None) -> str:
        out: list[str] = []
        for name in args:
            full = self._abs(name)
            kind = "directory" if full in self._dirs else "ASCII text" if full in self.files else None
            if kind is None:
                kind = "cannot open (No such file or directory)"
            out.append(f"{name}: {kind}")
        return "".join(line + "\n" for line in out)
