"""The scripted agent behind the offline demo "models": it plays the demo CTF tasks from what it observes.

It never peeks at the answer: it lists the files, reads them, decodes what looks encoded and
submits the first flag whose context does not give it away as a decoy. The models differ in
skill, drawn once per (model, task prompt, seed) so a rollout is reproducible:
``demo-strong`` reads two files at a time, greps big trees and sees through decoys;
``demo-weak`` wanders, sometimes misses an encoding or submits a decoy, and runs out of turns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
import re
from dataclasses import dataclass, field

from .episode import Action, Episode, Observation, Step

FLAG = re.compile(r"flag\{[^}\s]*\}")
ROT13_FLAG = re.compile(r"synt\{[^}\s]*\}")
BASE64_WORD = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
DECOY_WORDS = re.compile(r"\b(example|decoy|revoked|expired|old|nice try|replace|fake)\b", re.IGNORECASE)
ROT13_TR = "tr 'A-Za-z' 'N-ZA-Mn-za-m'"
LIST_FILES = "find /challenge -type f"
GREP_FLAGS = 'grep -rn "flag{" /challenge'


@dataclass(frozen=True)
class Skill:
    """How a demo model plays: per-episode chances of each habit, and its turn budget."""

    fooled_by_decoys: float
    misses_encodings: float
    wanders: float
    reads_in_parallel: float
    greps_big_trees: bool
    max_turns: int


MODELS: dict[str, Skill] = {
    "demo-strong": Skill(0.05, 0.0, 0.1, 0.7, True, 12),
    "demo-weak": Skill(0.5, 0.4, 0.6, 0.1, False, 7),
}
DEFAULT_MODEL = "demo-strong"


@dataclass(frozen=True)
class Habits:
    """The habits one episode is played with (drawn from a :class:`Skill`)."""

    fooled: bool
    blind: bool
    wanders: bool
    parallel: bool
    greps: bool
    max_turns: int


def habits(model: str, prompt: str, seed: int = 0) -> Habits:
    """The habits of ``model`` on the task with this prompt.

    A vendor prefix is ignored (``openrouter/demo-weak`` plays as ``demo-weak``); unknown
    model names play like ``demo-strong``.
    """
    name = model.rsplit("/", 1)[-1]
    skill = MODELS.get(name, MODELS[DEFAULT_MODEL])
    digest = hashlib.sha256(f"{name}\x00{seed}\x00{prompt}".encode()).digest()
    rng = random.Random(digest)
    return Habits(
        fooled=rng.random() < skill.fooled_by_decoys,
        blind=rng.random() < skill.misses_encodings,
        wanders=rng.random() < skill.wanders,
        parallel=rng.random() < skill.reads_in_parallel,
        greps=skill.greps_big_trees,
        max_turns=skill.max_turns,
    )


@dataclass(frozen=True)
class Candidate:
    """A flag seen in some output, and whether its context reads like a decoy."""

    flag: str
    source: str
    credible: bool


@dataclass
class Notes:
    """What the agent has learned so far, rebuilt from the observations each turn."""

    commands: list[str] = field(default_factory=list)
    listing: list[str] | None = None
    read: dict[str, str] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    encoded: list[tuple[str, str]] = field(default_factory=list)  # (decode command, raw text)
    submitted: Observation | None = None

    @classmethod
    def of(cls, observations: list[Observation]) -> Notes:
        notes = cls()
        for obs in observations:
            if obs.action.name == "submit_flag":
                notes.submitted = obs
            elif obs.action.name == "bash":
                notes._learn(str(obs.action.arguments.get("command", "")), obs.output)
        return notes

    def _learn(self, command: str, output: str) -> None:
        self.commands.append(command)
        if command == LIST_FILES:
            self.listing = [line for line in output.splitlines() if line.startswith("/")]
        source = f"the output of `{command}`"
        if command.startswith("cat ") and " " not in command[4:]:
            source = command[4:]
            self.read[source] = output
        for line in output.splitlines():
            for flag in FLAG.findall(line):
                credible = not DECOY_WORDS.search(line) and not DECOY_WORDS.search(flag.replace("_", " "))
                self.candidates.append(Candidate(flag, source, credible))
        for word in ROT13_FLAG.findall(output):
            self.encoded.append((f"echo '{word}' | {ROT13_TR}", word))
        if source in self.read:
            self._learn_base64(source, output)

    def _learn_base64(self, path: str, content: str) -> None:
        for word in BASE64_WORD.findall(content):
            if _looks_like_base64_text(word):
                whole_file = word == content.strip()
                self.encoded.append((f"base64 -d {path}" if whole_file else f"echo {word} | base64 -d", word))

    def unread(self) -> list[str]:
        """Files listed but not read yet, the promising ones first."""
        files = [path for path in self.listing or [] if path not in self.read]
        return sorted(files, key=_reading_priority)

    @property
    def guess(self) -> str:
        """What to submit with no flag in sight: the first encoded string seen, else a placeholder."""
        return self.encoded[0][1] if self.encoded else "flag{unknown}"

    def pending_decodes(self) -> list[tuple[str, str]]:
        return [(command, raw) for command, raw in self.encoded if command not in self.commands]


def _looks_like_base64_text(word: str) -> bool:
    try:
        raw = base64.b64decode(word, validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(raw) and all(32 <= b < 127 or b in (9, 10, 13) for b in raw)


def _reading_priority(path: str) -> int:
    name = path.rsplit("/", 1)[-1].lower()
    if name.startswith("readme"):
        return 0
    return 1 if any(hint in name for hint in ("flag", "secret", "key", "token", "env")) else 2


def _bash(command: str) -> Action:
    return Action("bash", {"command": command})


def _submit(flag: str, title: str, reasoning: str) -> Step:
    return Step(title, reasoning, (Action("submit_flag", {"flag": flag}),))


def next_step(model: str, episode: Episode, seed: int = 0) -> Step:
    """The model's next turn, given the episode so far."""
    if "bash" not in episode.tools or "/challenge" not in episode.prompt:
        return Step(
            "Answering directly",
            "This is not one of the demo CTF tasks, so there is nothing to explore.",
            text=f"I am {model}, an offline demo model: I play the demo CTF tasks with the bash and "
            "submit_flag tools, and cannot help with anything else.",
        )
    notes = Notes.of(episode.observations)
    if notes.submitted is not None:
        return _after_submission(notes.submitted)
    return _play(habits(model, episode.prompt, seed), notes, episode.turns)


def _after_submission(obs: Observation) -> Step:
    flag = obs.action.arguments.get("flag", "")
    if obs.output.startswith("Correct"):
        return Step("Wrapping up", "The checker accepted the flag.", text=f"Solved: the flag is {flag}.")
    return Step(
        "Wrapping up",
        "The checker rejected the flag and there are no attempts left.",
        text=f"I submitted {flag}, but it was not the right flag.",
    )


def _play(habits: Habits, notes: Notes, turn: int) -> Step:
    out_of_turns = turn >= habits.max_turns - 1
    trusted = [c for c in notes.candidates if c.credible]
    if trusted:
        return _submit(
            trusted[0].flag,
            "Submitting the flag",
            f"{trusted[0].flag} turned up in {trusted[0].source} and nothing around it suggests a decoy.",
        )
    if notes.candidates and (habits.fooled or out_of_turns):
        return _submit(
            notes.candidates[0].flag, "Submitting the flag", f"Found {notes.candidates[0].flag}; submitting it."
        )
    if out_of_turns:
        return _submit(notes.guess, "Running out of time", "I have not found a clear flag; submitting my best guess.")
    if turn == 0 and habits.wanders:
        return Step("Getting my bearings", "Let me check where I am first.", (_bash("ls -la ~"),))
    if notes.listing is None:
        return Step(
            "Surveying the files",
            "I'll start by listing every file under /challenge to see what I'm working with.",
            (_bash(LIST_FILES),),
        )
    if habits.wanders and "cat /etc/passwd" not in notes.commands:
        return Step("Checking the system", "Maybe the users on this box give a hint.", (_bash("cat /etc/passwd"),))
    pending = [] if habits.blind else notes.pending_decodes()
    if pending:
        return Step(
            "Decoding",
            f"`{pending[0][1][:40]}` looks encoded rather than plain text; decoding it.",
            (_bash(pending[0][0]),),
        )
    unread = notes.unread()
    if habits.greps and len(unread) > 6 and GREP_FLAGS not in notes.commands:
        return Step(
            "Searching instead of reading",
            f"There are {len(unread)} files; grepping for the flag format is faster than reading them all.",
            (_bash(GREP_FLAGS),),
        )
    if unread:
        batch = unread[: 2 if habits.parallel else 1]
        return Step(
            "Reading the files",
            f"Reading {' and '.join(batch)}" + (" together." if len(batch) > 1 else "."),
            tuple(_bash(f"cat {path}") for path in batch),
        )
    if notes.candidates:
        flag = notes.candidates[0].flag
        return _submit(flag, "Taking the only lead", f"Every flag I found looks suspicious; {flag} is the best lead.")
    return _submit(notes.guess, "Guessing", "I read everything without finding a flag; submitting my best guess.")
