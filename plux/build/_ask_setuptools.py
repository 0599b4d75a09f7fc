"""Run in a child interpreter: which packages the installed setuptools ships from a project's
``setup.cfg`` and ``pyproject.toml`` (its own discovery), as JSON on stdout.

A child, because importing setuptools changes the process (it puts its vendored libraries on
``sys.path``, and reading ``setup.cfg`` changes the working directory for a while). Exit status
3: setuptools is not installed; 1: setuptools cannot tell (``{"error": ...}`` on stdout).
"""

from __future__ import annotations

import json
import os
import sys
import warnings


def main(root: str) -> int:
    try:
        from setuptools.dist import Distribution
    except ImportError:
        return 3
    files = [os.path.join(root, f) for f in ("setup.cfg", "pyproject.toml")]
    dist = Distribution()
    dist.src_root = root
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = [f for f in files if os.path.isfile(f)]
            dist.parse_config_files(filenames=found, ignore_option_errors=True)
            dist.set_defaults(name=False)
    except Exception as e:  # setuptools' errors have no common base
        first_line = str(e).strip().partition("\n")[0]
        print(json.dumps({"error": f"{type(e).__name__}: {first_line}"}))
        return 1
    shipped = {"packages": dist.packages or [], "py_modules": dist.py_modules or []}
    print(json.dumps({"package_dir": dist.package_dir or {}, **shipped}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
