#!/usr/bin/env bash
# Runs the fast unit tests under every other CPython 3.10+ found on this machine, each in its own
# .venv-3.X with the project's `unit` extra. Says which versions it found and which it did not.
set -euo pipefail
cd "$(dirname "$0")/.."
main_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
status=0
for minor in 10 11 12 13 14; do
    version="3.$minor"
    [ "$version" = "$main_version" ] && { echo "Python $version: the main suite ran under it"; continue; }
    interpreter=""
    for candidate in "$(command -v "python$version" 2>/dev/null || true)" \
        "$HOME"/.pyenv/versions/"$version".*/bin/python"$version"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c pass 2>/dev/null; then
            interpreter=$candidate
            break
        fi
    done
    if [ -z "$interpreter" ]; then
        echo "Python $version: not found on this machine, unit tests not run under it"
        continue
    fi
    venv=".venv-$version"
    if [ ! -x "$venv/bin/python" ] || [ pyproject.toml -nt "$venv/.installed" ]; then
        "$interpreter" -m venv --clear "$venv"
        "$venv/bin/python" -m pip install -q --upgrade pip
        "$venv/bin/python" -m pip install -q '.[unit]'
        touch "$venv/.installed"
    fi
    echo "Python $version ($interpreter): unit tests"
    PYTHONPATH="$PWD" "$venv/bin/python" -m pytest -q -n auto -m "not integration" -p no:cacheprovider || status=1
done
exit $status
