#!/usr/bin/env bash
# Runs tools/audit's own tests (tests/audit/audit_test.py) against the runfiles
# copy of the repository: every region has its note, docs/AUDIT.md is current,
# and deleting any note makes the audit fail.
set -euo pipefail
export FERRITE_ROOT="$TEST_SRCDIR/$TEST_WORKSPACE"
exec python3 "$FERRITE_ROOT/tests/audit/audit_test.py" -v
