#!/usr/bin/env bash
# Runs the fast unit tests under every other CPython 3.10+ found on this machine, each in its own
# .venv-3.X with the project's `unit` extra. Says which versions it found and which it did not.
set -euo pipefail
cd "$(dirname "$0")/.."
main_version=$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
status=0
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
wheel=""
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
        # No pip of its own: the main environment's pip installs into it, from a wheel of plux
        # built once for every interpreter (both save a third of the time a new one takes).
        "$interpreter" -m venv --clear --without-pip "$venv"
        if [ -z "$wheel" ]; then
            .venv/bin/python -m pip wheel -q --no-deps --no-build-isolation -w "$wheels" .
            wheel=$(echo "$wheels"/plux-*.whl)
        fi
        .venv/bin/python -m pip --python "$venv/bin/python" install -q "$wheel[unit]"
        touch "$venv/.installed"
    fi
    echo "Python $version ($interpreter): unit tests"
    PYTHONPATH="$PWD" "$venv/bin/python" -m pytest -q -n auto -m "not integration" -p no:cacheprovider || status=1
done
exit $status
