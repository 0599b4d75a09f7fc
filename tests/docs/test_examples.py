"""Every example in docs/ and README.md runs, and prints what the page says it prints.

How a page is read (the conventions a writer follows):

- Each page is walked top to bottom in a working directory of its own, with a fresh, empty site
  directory (``site_builder``) and a private plux cache. Blocks run in page order.
- A fenced ``python`` block runs. All python blocks of one page run in one fresh interpreter,
  in order, sharing their globals (a later block may use what an earlier one defined). The
  interpreter sees the Python standard library, plux, and the page's site directory, nothing else.
- A fenced ``text`` block that follows a python block with only blank lines between is that
  block's output: what it prints must equal the text (trailing spaces ignored).
- A fenced ``console`` block is a shell session: each ``$ COMMAND`` line runs in one bash shell
  kept for the whole page (``cd`` and variables carry over), with ``plux`` and ``python`` bound
  to an interpreter that sees plux and the page's site directory. The lines after a command, up
  to the next ``$``, are its output (stdout and stderr together); a command with no lines after
  it must succeed, and what it prints is not checked.
- Fenced blocks of other kinds (``toml``, ``yaml``, ``sh``, ``text`` not following a python
  block) are shown, not run: ``sh`` is for commands too slow for the suite (``make bench``).
- A line holding only a file name in backticks and a colon, right before a block, names the
  file the block is (the reader sees which file it is)::

      `greetings/pyproject.toml`:
      ```toml

  The block is not run: its text is written to PATH (relative to the page's working
  directory) at that point of the page.
- HTML comments right before a block (invisible when the page is rendered) set things up:

  ``<!-- install: DIR ... -->``
      Install each project DIR (in the page's working directory, else in the repository, e.g.
      ``examples/app``) into the site directory, as ``pip install`` would with plux's
      build hook: its packages are copied and its entry points are what ``plux discover``
      finds in it, plus the ones its ``pyproject.toml`` declares. No pip runs, so this is fast.
      A DIR without ``pyproject.toml`` holds an installed distribution as it is (packages and
      a ``*.dist-info`` folder), and is copied into the site directory unchanged.
      The python blocks after an install run in a new interpreter, as an application started
      after the install would.
  ``<!-- not-run: REASON -->``
      The next block is a fragment that cannot run on its own; it is skipped. Keep these rare.

- A page with ``<!-- integration -->`` needs real builds (pip, setuptools, hatchling): it is
  walked by :func:`test_integration_page` in a fresh virtual environment instead, where
  ``plux``, ``pip`` and ``python`` are that environment's, ``$PLUX`` names this checkout, and
  pip installs from the session's wheelhouse (``tests/integration_support.py``), offline.

Shown output may differ from the real output only where it cannot be the same on two machines:
a path ending in ``site-packages`` is written as ``.../site-packages``; the page's working
directory as ``~/work``; times (``12.5 ms``) and object addresses (``0x7f...``) may be any;
runs of spaces inside a line count as one, so that table columns may be aligned differently.

To add an example, write the block with a placeholder output (a line ``X``) and run the page's
test with ``PLUX_DOCS_RECORD=1``: the real output replaces the placeholder (review the diff).

Also checked here: relative links between pages and their ``#anchors`` resolve, and the sources
the shipping guide builds are exactly ``examples/app`` and ``examples/addon``.
"""

from __future__ import annotations

import re

import pytest
from docs_pages import (
    DOCS,
    FENCE,
    LINK,
    PAGES,
    README,
    ROOT,
    anchors,
    is_integration,
    page_id,
    read_page,
)
from docs_sessions import walk_integration_page, walk_page

FAST_PAGES = [p for p in [*PAGES, README] if p.is_file() and not is_integration(p)]
SLOW_PAGES = [p for p in PAGES if is_integration(p)]


@pytest.mark.parametrize("page", FAST_PAGES, ids=page_id)
def test_page_examples_run_as_shown(page, tmp_path, site_builder, cache_dir):
    """Every python and console example of the page runs and prints what the page shows."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    walk_page(page, workdir, site_builder, cache_dir)


@pytest.mark.integration
@pytest.mark.parametrize("page", SLOW_PAGES, ids=page_id)
def test_integration_page(page, tmp_path, wheelhouse):
    """A page that builds and installs real distributions works as written in a fresh venv."""
    walk_integration_page(page, tmp_path, wheelhouse)


def test_ship_guide_files_are_the_examples():
    """The application and add-on the shipping guide builds first are examples/app and addon."""
    page = DOCS / "guides" / "ship-plugins.md"
    shown: dict[str, str] = {}
    for block in read_page(page):
        target = block.marker("file")
        if target and target.startswith(("app/", "addon/")):
            shown.setdefault(target, block.body)  # the first version; later ones change it
    assert shown, "the shipping guide shows no source file"
    for target, body in shown.items():
        assert body == (ROOT / "examples" / target).read_text(), f"{target} differs from examples/"


def test_conventions_are_followed():
    """Every page's markers are known and every python block is either run or a file."""
    for page in [*PAGES, README]:
        if not page.is_file():
            continue
        for match in re.finditer(r"<!--\s*([\w-]+)", page.read_text()):
            assert match[1] in ("install", "not-run", "integration"), (
                f"{page_id(page)}: unknown marker {match[1]!r}"
            )


@pytest.mark.parametrize("page", [*PAGES, README], ids=page_id)
def test_file_names_are_visible(page):
    """A block that is a file says which file above it, where the rendered page shows it."""
    hidden = re.findall(r"<!--\s*file\s*:?\s*(\S+)", page.read_text())
    assert not hidden, f"{page_id(page)}: file names in comments, not shown: {hidden}"


@pytest.mark.parametrize("page", [*PAGES, README], ids=page_id)
def test_links_between_pages_resolve(page):
    """Every relative link names a file that exists, and a heading of it when it has #anchor."""
    text = FENCE.sub("", page.read_text())
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page_id(page)}: link to missing {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{page_id(page)}: no heading for {target}"
