#!/usr/bin/env bash
# Every sanitizer suppression carries a written reason: each entry line in
# sanitizers/*.supp must be directly preceded by a "# reason: ..." line.
set -euo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
check() {  # check FILE: prints offending entries as file:line
  awk -v file="$1" '
    /^[[:space:]]*$/ { prev = ""; next }
    /^[[:space:]]*#/ { prev = $0; next }
    { if (prev !~ /^#[[:space:]]*reason:[[:space:]]*[^[:space:]]/) printf "%s:%d: suppression without a \"# reason:\" line above: %s\n", file, NR, $0; prev = $0 }
  ' "$1"
}
# The checker itself must bite: an unexplained entry is reported.
sample="${TEST_TMPDIR:-/tmp}/sample.supp"
printf '# reason: libfoo races in its own init, upstream bug 123\nrace:libfoo_init\n\nrace:unexplained\n' >"$sample"
got="$(check "$sample")"
[ "$got" = "$sample:4: suppression without a \"# reason:\" line above: race:unexplained" ] ||
  { echo "FAIL: checker self-test: $got"; exit 1; }

bad=""
for f in "$root"/sanitizers/*.supp; do bad+="$(check "$f")"; done
if [ -n "$bad" ]; then echo "FAIL:"; echo "$bad"; exit 1; fi
echo "PASS: every suppression is justified"
