#!/usr/bin/env bash
# make demo: build and install the demo application and its add-on into the given interpreter's
# environment, then run the application.
set -euo pipefail
python=${1:-.venv/bin/python}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$python")

echo "== building and installing the application and the add-on (pip install)"
# The add-on's plugins build on the app's base classes, so the app is installed first.
"$python" -m pip install -q --no-build-isolation "$here/app"
"$python" -m pip install -q --no-build-isolation "$here/addon"
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
