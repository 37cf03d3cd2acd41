"""The demo CTF tasks: a small file system per task with a hidden flag, decoys and encodings."""

from __future__ import annotations

import base64
import codecs
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SPLITS = ("train", "test")

PROMPT = """You are playing a capture-the-flag challenge in a Linux sandbox.

Challenge: {title} ({category}, {difficulty})
{description}

The challenge files are under /challenge. Explore them with the `bash` tool.
Flags look like flag{{...}}. When you have found the flag, submit it with the
`submit_flag` tool. You have one attempt."""

_BASE_FILES = {
    "/etc/hostname": "ctf-box\n",
    "/etc/passwd": (
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "ctf:x:1000:1000:CTF player:/home/ctf:/bin/bash\n"
    ),
    "/home/ctf/.bashrc": "export PS1='ctf@ctf-box:\\w$ '\nalias ll='ls -la'\n",
}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


@dataclass(frozen=True)
class Challenge:
    """One task: what the player is told, the files it can explore and the flag that wins."""

    id: str
    split: str
    title: str
    category: str
    difficulty: str
    description: str
    flag: str
    files: Mapping[str, str] = field(repr=False)

    @property
    def task_spec(self) -> dict[str, Any]:
        """The task as ``list_tasks`` hands it out (no flag in it)."""
        return {"id": self.id, "title": self.title, "category": self.category, "difficulty": self.difficulty}

    @property
    def prompt(self) -> str:
        """The task statement the agent starts from."""
        return PROMPT.format(
            title=self.title, category=self.category, difficulty=self.difficulty, description=self.description
        )

    def file_system(self) -> dict[str, str]:
        """Every file of this task's sandbox, path -> text."""
        return {**_BASE_FILES, **self.files}


def _access_log(secret_line: int, secret: str) -> str:
    pages = ["/", "/login", "/static/app.css", "/api/items?page=2", "/favicon.ico", "/about"]
    lines = [
        f'10.0.0.{7 + i % 5} - - [03/Mar/2026:12:{i:02d}:11 +0000] "GET {pages[i % len(pages)]} HTTP/1.1" '
        f"200 {512 + 37 * i}"
        for i in range(24)
    ]
    lines.insert(
        secret_line, f'10.0.0.66 - - [03/Mar/2026:12:{secret_line:02d}:42 +0000] "GET {secret} HTTP/1.1" 200 17'
    )
    return "\n".join(lines) + "\n"


def _haystack(n_parts: int, needle_part: int, needle: str) -> dict[str, str]:
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "tempor"]
    parts = {}
    for p in range(n_parts):
        lines = [" ".join(words[(p + i + j) % len(words)] for j in range(7)) for i in range(6)]
        if p == needle_part:
            lines.insert(3, f"note to self: {needle}")
        parts[f"/challenge/haystack/part_{p:02d}.txt"] = "\n".join(lines) + "\n"
    return parts


CHALLENGES: tuple[Challenge, ...] = (
    Challenge(
        id="train-000",
        split="train",
        title="Sticky note",
        category="misc",
        difficulty="easy",
        description="Our intern keeps his secrets on sticky notes. We scanned his whole desk.",
        flag="flag{st1cky_n0tes_ar3_n0t_s3cure}",
        files={
            "/challenge/README.txt": "We digitised the intern's desk. Somewhere in here is the flag.\n",
            "/challenge/desk/calendar.txt": "Mon: standup\nTue: security training (skipped)\nFri: pizza\n",
            "/challenge/desk/drawer/note_3.txt": "don't forget: flag{st1cky_n0tes_ar3_n0t_s3cure}\n",
            "/challenge/desk/monitor_note.txt": "wifi: coffee-guest / espresso42\n",
        },
    ),
    Challenge(
        id="train-001",
        split="train",
        title="Log dive",
        category="forensics",
        difficulty="easy",
        description="The web server logged a request it should not have. The logs were rotated since.",
        flag="flag{l0gs_r3member_3veryth1ng}",
        files={
            "/challenge/README.txt": "Access logs from the staging web server.\n",
            "/challenge/logs/access.log": _access_log(17, "/debug?token=flag{l0gs_r3member_3veryth1ng}"),
            "/challenge/logs/access.log.1": "# rotated 2026-02-28\n# old token (revoked): flag{0ld_t0ken_rev0ked}\n",
        },
    ),
    Challenge(
        id="train-002",
        split="train",
        title="Backup token",
        category="crypto",
        difficulty="easy",
        description="The nightly backup script reads an API token. It does not look like a flag at first sight.",
        flag="flag{b4se64_is_n0t_encrypti0n}",
        files={
            "/challenge/README.txt": "Backup tooling from the ops team.\n",
            "/challenge/backup/backup.sh": (
                "#!/bin/sh\n# nightly backup\nTOKEN=$(cut -d' ' -f2 /challenge/backup/token.txt)\n"
                "tar czf /tmp/backup.tgz /srv\n"
            ),
            "/challenge/backup/token.txt": f"token: {_b64('flag{b4se64_is_n0t_encrypti0n}')}\n",
        },
    ),
    Challenge(
        id="train-003",
        split="train",
        title="Dear diary",
        category="crypto",
        difficulty="easy",
        description="Julius wrote in his diary every day. He liked to rotate things by thirteen.",
        flag="flag{r0t13_r0t13_r0t13}",
        files={
            "/challenge/README.txt": "Two pages of a diary.\n",
            "/challenge/diary/day1.txt": _rot13("Dear diary, today I hid my flag where nobody will look.\n"),
            "/challenge/diary/day2.txt": _rot13("The flag is flag{r0t13_r0t13_r0t13}. Do not tell anyone.\n"),
        },
    ),
    Challenge(
        id="train-004",
        split="train",
        title="Example trap",
        category="misc",
        difficulty="medium",
        description="A small web app. Its documentation is more helpful than it should be.",
        flag="flag{c0nfig_f1les_l3ak}",
        files={
            "/challenge/README.txt": (
                "Flags look like flag{example_flag_format}.\nThe real one is somewhere in the app.\n"
            ),
            "/challenge/app/config.py": "DEBUG = False\nSECRET_KEY = 'flag{c0nfig_f1les_l3ak}'\n",
            "/challenge/app/main.py": "from config import DEBUG\n\nprint('hello from the app', DEBUG)\n",
        },
    ),
    Challenge(
        id="train-005",
        split="train",
        title="Not that one",
        category="forensics",
        difficulty="medium",
        description="Not everything is what it seems, and some files prefer not to be seen.",
        flag="flag{h1dden_f1les_m4tter}",
        files={
            "/challenge/README.txt": "There is a flag.txt. Is it the flag, though?\n",
            "/challenge/flag.txt": "flag{n1ce_try_but_n0}  <- nice try, this one is a decoy\n",
            "/challenge/.cache/.s3cret": "flag{h1dden_f1les_m4tter}\n",
        },
    ),
    Challenge(
        id="train-006",
        split="train",
        title="Double wrapped",
        category="crypto",
        difficulty="hard",
        description="We encoded the flag. Then we encoded it again, differently.",
        flag="flag{tw0_l4yers_0f_enc0ding}",
        files={
            "/challenge/README.txt": "One message, two layers.\n",
            "/challenge/message.b64": _b64(_rot13("flag{tw0_l4yers_0f_enc0ding}")) + "\n",
        },
    ),
    Challenge(
        id="train-007",
        split="train",
        title="Haystack",
        category="forensics",
        difficulty="medium",
        description="Twelve files of filler text. One line in one of them matters.",
        flag="flag{gr3p_is_y0ur_fr1end}",
        files={
            "/challenge/README.txt": "Reading everything will take a while.\n",
            **_haystack(12, 7, "flag{gr3p_is_y0ur_fr1end}"),
        },
    ),
    Challenge(
        id="test-000",
        split="test",
        title="Environment leak",
        category="web",
        difficulty="medium",
        description="A web app's deployment folder. Configuration has a way of leaking.",
        flag="flag{d0tenv_f1les_are_s3crets}",
        files={
            "/challenge/webapp/.env": (
                f"DB_URL=postgres://app@db/app\nSECRET_FLAG_B64={_b64('flag{d0tenv_f1les_are_s3crets}')}\n"
            ),
            "/challenge/webapp/.env.example": "SECRET_FLAG=flag{replace_me_in_production}  # example value\n",
            "/challenge/webapp/app.py": "import os\n\nSECRET = os.environ['SECRET_FLAG_B64']\n",
        },
    ),
    Challenge(
        id="test-001",
        split="test",
        title="Rotated logs",
        category="forensics",
        difficulty="medium",
        description="The backup daemon writes notes into the auth log. Some of them are scrambled.",
        flag="flag{gr3p_and_r0tate}",
        files={
            "/challenge/logs/auth.log": (
                "Mar  3 03:14:01 ctf-box sshd[812]: Accepted publickey for ops\n"
                f"Mar  3 03:14:15 ctf-box backupd[77]: note: {_rot13('flag{gr3p_and_r0tate}')}\n"
                "Mar  3 03:15:40 ctf-box sshd[812]: session closed for user ops\n"
            ),
            "/challenge/logs/auth.log.1": (
                "Feb 27 22:01:09 ctf-box backupd[77]: old flag (revoked): flag{y0u_ar3_t00_l4te}\n"
            ),
        },
    ),
    Challenge(
        id="test-002",
        split="test",
        title="Deep dive",
        category="misc",
        difficulty="easy",
        description="The flag is buried a few directories down.",
        flag="flag{n3sted_d1rect0ries}",
        files={
            "/challenge/README.txt": "Dig deeper.\n",
            "/challenge/a/README.txt": "Keep going.\n",
            "/challenge/a/b/c/nothing.txt": "Nothing to see here.\n",
            "/challenge/a/b/c/d/e/treasure.txt": "flag{n3sted_d1rect0ries}\n",
        },
    ),
    Challenge(
        id="test-003",
        split="test",
        title="Mixed signals",
        category="crypto",
        difficulty="hard",
        description="Two keys, one of them current.",
        flag="flag{curr3nt_k3ys_0nly}",
        files={
            "/challenge/README.txt": "Only the current key is valid.\n",
            "/challenge/flag_old.txt": "flag{expired_2023} (revoked, do not use)\n",
            "/challenge/keys/current.key": _b64("flag{curr3nt_k3ys_0nly}") + "\n",
        },
    ),
)

_BY_ID = {c.id: c for c in CHALLENGES}


def challenges(split: str) -> list[Challenge]:
    """The tasks of one split, in index order."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; the demo environment has {list(SPLITS)}")
    return [c for c in CHALLENGES if c.split == split]


def challenge_for(task_spec: Mapping[str, Any]) -> Challenge:
    """The task a ``task_spec`` (as ``list_tasks`` gave it) stands for."""
    task_id = task_spec.get("id") if isinstance(task_spec, Mapping) else None
    if task_id not in _BY_ID:
        raise ValueError(f"not a demo CTF task: {task_spec!r}")
    return _BY_ID[task_id]
