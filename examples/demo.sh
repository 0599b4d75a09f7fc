#!/usr/bin/env bash
# make demo: build and install the demo application and its add-on into the given interpreter's
# environment, then run the application.
set -euo pipefail
python=${1:-.venv/bin/python}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$python")
wheels=$(dirname "$here")/.cache/wheels

echo "== building a wheel of this plux into $wheels, offered to isolated builds (PIP_FIND_LINKS)"
# Until plux 2 is on the package index, the build environments pip makes for the app and the
# add-on find it here; their "plux>=2.0.0.dev0" names a pre-release, so pip may choose it.
rm -f "$wheels"/plux-*.whl "$wheels"/plux_*.whl
"$python" -m pip wheel -q --no-deps -w "$wheels" "$(dirname "$here")"
export PIP_FIND_LINKS="$wheels"
echo
echo "== building and installing the application and the add-on (pip install, build isolation on)"
# The add-on's plugins build on the app's base classes, so the app is installed first.
"$python" -m pip install -q "$here/app"
# The add-on's build environment needs the app too (plux reads its base classes there).
"$python" -m pip wheel -q --no-deps -w "$wheels" "$here/app"
"$python" -m pip install -q "$here/addon"
echo
echo "== entry points plux discovered in the add-on's code while pip built it"
"$python" - <<'PY'
from importlib.metadata import distribution
print(distribution("plux-demo-addon").read_text("entry_points.txt").strip())
PY
echo
echo "== the plugins the application found, and the distribution each comes from"
"$bin/demo-app" plugins
echo
echo "== running sub-commands that come from the add-on distribution"
"$bin/demo-app" hello plux
"$bin/demo-app" shout plugins everywhere
"$bin/demo-app" whisper Quietly Now
