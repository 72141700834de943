#!/usr/bin/env bash
# Serves the app and runs the task worker beside it; Ctrl-C stops both.
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-8000}
cd "$(dirname "$0")/.."
# The worker yields the CPU to the server (nice): in a surge people get their answer first and the
# queue of declarations to match absorbs the peak.
nice -n 10 .venv/bin/python src/manage.py db_worker --queue-name default >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "  Phòng Dịch: http://$host:$port/   (worker log: var/worker.log)"
echo
exec_status=0
.venv/bin/python src/manage.py runserver "$host:$port" --noreload || exec_status=$?
exit $exec_status
