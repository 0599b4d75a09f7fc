"""Reading the pages of docs/ and README.md: fenced blocks, setup markers, shown output.

The conventions are described in ``test_examples.py``; this module only parses and compares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
README = ROOT / "README.md"

FENCE = re.compile(
    r"^(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
MARKER = re.compile(r"<!--\s*(?P<kind>install|not-run|integration)\s*:?\s*(?P<arg>.*?)\s*-->")
CAPTION = re.compile(r"`(?P<path>[^`\s]+)`:")
"""A line holding only a file name in backticks and a colon, right before a block: the block is
that file's text."""


# --- reading a page ------------------------------------------------------------------------------


@dataclass
class Block:
    """One fenced block, with the markers written right before it."""

    info: str
    body: str
    line: int
    markers: list[tuple[str, str]] = field(default_factory=list)
    output: Block | None = None
    span: tuple[int, int] = (0, 0)
    """Where the body is in the page's text."""

    def marker(self, kind: str) -> str | None:
        for found, arg in self.markers:
            if found == kind:
                return arg
        return None


def read_page(path: Path) -> list[Block]:
    """The page's fenced blocks in order; each python block knows the text block it prints."""
    text = path.read_text()
    blocks: list[Block] = []
    previous_end = 0
    for match in FENCE.finditer(text):
        between = text[previous_end : match.start()]
        caption = _caption(between)
        if caption is not None:
            between = between.rstrip().rpartition("\n")[0]
        markers = [
            (m["kind"], m["arg"]) for m in MARKER.finditer(between) if m["kind"] != "integration"
        ]
        # markers count only when nothing but blank lines follows them
        tail = MARKER.sub("", between.rsplit("-->", 1)[-1]) if markers else ""
        if tail.strip():
            markers = []
        if caption is not None:
            markers.append(("file", caption))
        block = Block(
            info=match["info"].strip().split(" ")[0] if match["info"].strip() else "",
            body=match["body"],
            line=text.count("\n", 0, match.start()) + 1,
            markers=markers,
            span=(match.start("body"), match.end("body")),
        )
        if (
            block.info == "text"
            and blocks
            and blocks[-1].info == "python"
            and not between.strip()
            and not blocks[-1].marker("file")
        ):
            blocks[-1].output = block
            block.info = "output"
        blocks.append(block)
        previous_end = match.end()
    return blocks


def _caption(between: str) -> str | None:
    """The file name the caption line ending ``between`` shows, if it ends with one."""
    last = between.rstrip().rpartition("\n")[2].strip()
    found = CAPTION.fullmatch(last)
    return found["path"] if found else None


def is_integration(path: Path) -> bool:
    return "<!-- integration -->" in path.read_text()


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- normalising shown and real output -----------------------------------------------------------

SITE_PATH = re.compile(r"(?:[A-Za-z]:)?[^\s'\"(]*site-packages")
TIMES = re.compile(r"\b\d+(?:\.\d+)? ms\b|(?<=_ms\": )\d+(?:\.\d+)?")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")
# what an environment holds depends on the interpreter and the tools' current dependencies
INDEX_TAG = re.compile(r"(?<=entry-points\.)[\w.-]+?(?=\.index\b)")
COUNTS = re.compile(r"\b\d+(?= (?:distributions?|entry points?|path entr(?:y|ies))\b)")


def normalise(text: str, workdir: Path | None = None) -> str:
    if workdir is not None:
        text = text.replace(str(workdir.resolve()), "~/work").replace(str(workdir), "~/work")
    text = SITE_PATH.sub(".../site-packages", text)
    text = TIMES.sub("N ms", text)
    text = ADDRESS.sub("0x...", text)
    text = INDEX_TAG.sub("TAG", text)
    text = COUNTS.sub("N", text)
    # columns of tables widen with the numbers in them: compare runs of spaces as one
    lines = [re.sub(r"(?<=\S)  +", " ", line.rstrip()) for line in text.strip("\n").splitlines()]
    return "\n".join(lines)


def console_steps(body: str) -> list[tuple[str, str | None]]:
    """``$ command`` lines and the output shown after each (None when none is shown)."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"console block must start with '$ ': {line!r}")
    return [(cmd, "\n".join(out) if any(s.strip() for s in out) else None) for cmd, out in steps]


def as_shown(output: str, workdir: Path) -> str:
    """Real output as a page shows it: machine-specific paths replaced, nothing else."""
    text = output.replace(str(workdir.resolve()), "~/work").replace(str(workdir), "~/work")
    text = SITE_PATH.sub(".../site-packages", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def rewrite(page: Path, recorded: list[tuple[tuple[int, int], str]]) -> None:
    text = page.read_text()
    for (start, end), body in sorted(recorded, reverse=True):
        text = text[:start] + body + text[end:]
    page.write_text(text)


LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """The heading anchors a code host makes for ``page`` (GitHub's rules)."""
    found: set[str] = set()
    text = FENCE.sub("", page.read_text())
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found
