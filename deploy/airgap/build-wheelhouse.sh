#!/usr/bin/env bash
# Build a wheelhouse: every package Anneal needs, as wheels, in one directory.
#
#   deploy/airgap/build-wheelhouse.sh [DIRECTORY]     (default: ./wheelhouse, in the current directory)
#
# Run it on a machine with internet access and the same Python (3.11) and platform as the
# target. Copy DIRECTORY to the target and install with no index at all:
#
#   python3.11 -m venv /opt/anneal/venv
#   /opt/anneal/venv/bin/pip install --no-index --find-links DIRECTORY \
#       anneal anneal-enterprise anneal-webhooks anneal-prompts
#
# The core, the enterprise package and both example plugins are built as wheels from this
# checkout; their dependencies are downloaded at the versions pinned in
# requirements/constraints.txt. PYTHON selects the interpreter (default: python3.11, python3).
set -euo pipefail
DEST="${1:-wheelhouse}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"   # relative to where the script was called from
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
cd "$(dirname "$0")/../.."

"$PYTHON" -m pip wheel --disable-pip-version-check --no-cache-dir --quiet \
  --wheel-dir "$DEST" -c requirements/constraints.txt \
  . ./enterprise ./plugins/webhooks ./plugins/prompts

# pip and the build backend too, so the target can upgrade pip and build nothing from source.
"$PYTHON" -m pip download --disable-pip-version-check --no-cache-dir --quiet \
  --only-binary=:all: --dest "$DEST" pip setuptools wheel

count=$(find "$DEST" -maxdepth 1 -name '*.whl' | wc -l)
non_wheels=$(find "$DEST" -maxdepth 1 -type f ! -name '*.whl' | wc -l)
if [ "$non_wheels" -gt 0 ]; then
  echo "The wheelhouse holds files that are not wheels; a no-index install would build them:" >&2
  find "$DEST" -maxdepth 1 -type f ! -name '*.whl' >&2
  exit 1
fi
echo "Wheelhouse ready: $count wheels in $DEST"
