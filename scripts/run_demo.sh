#!/usr/bin/env bash
# Start the task worker in the background and the web server in the foreground (Ctrl+C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

VAR_DIR="${SMARTUNION_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"
$PY manage.py db_worker --interval 1 >"$VAR_DIR/worker.log" 2>&1 &
worker=$!
# Stop the worker however the server ends (Ctrl+C, a signal, or an error).
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

cat <<INFO

  SmartUnion is running:   http://${HOST}:${PORT}/
  Member portal (phone):   http://${HOST}:${PORT}/m/
  Officers' console:       http://${HOST}:${PORT}/console/
  Task worker log:         ${VAR_DIR}/worker.log

  Log in with a staff number (工号) from the list above; the password is Demo@2026.
  Stop with Ctrl+C.

INFO
$PY manage.py runserver "${HOST}:${PORT}"
