#!/usr/bin/env bash
# make demo: build and install the demo application and its add-on into the given interpreter's
# environment, then run the application.
set -euo pipefail
python=${1:-.venv/bin/python}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$python")

echo "== building and installing the application and the add-on (pip install)"
"$python" -m pip install -q --no-build-isolation "$here/app" "$here/addon"
echo
echo "== the plugins the application found, and the distribution each comes from"
"$bin/demo-app" plugins
echo
echo "== running sub-commands that come from the add-on distribution"
"$bin/demo-app" hello plux
"$bin/demo-app" shout plugins everywhere
"$bin/demo-app" whisper Quietly Now
