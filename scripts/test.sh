#!/usr/bin/env bash
# Run the test suite in .venv (made by scripts/setup.sh). Extra arguments go to pytest.
# pytest's exit code 5 ("no tests collected") is a failure here, never a silent pass.
set -uo pipefail
cd "$(dirname "$0")/.."
# The tests copy small datasets some 35,000 files a run (about 500 MB): on a RAM-backed /dev/shm with room to
# spare that is several seconds faster than on disk (docs/contributing.md). An explicit TMPDIR is kept.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
  && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -ge 4000000 ] 2>/dev/null; then
  export TMPDIR=/dev/shm
fi
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$rc"
