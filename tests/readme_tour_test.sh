#!/usr/bin/env bash
# The README's excerpt of what `tools/tour` prints is what the tour prints:
# the excerpt's lines (up to its closing "...") are the tour's first lines,
# word for word.
set -euo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

# The first ```text block after the sentence that introduces the tour's output.
awk '
  /What the tour prints/ { found = 1; next }
  found && !inside && /^```text$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }
' "$root/README.md" >"$tmp/excerpt"
[ -s "$tmp/excerpt" ] || { echo "FAIL: README.md has no tour excerpt (a text block after: What the tour prints)"; exit 1; }
# The excerpt is abridged: a last line "..." stands for the rest.
if [ "$(tail -n 1 "$tmp/excerpt")" = "..." ]; then sed -i '$d' "$tmp/excerpt"; fi
lines="$(wc -l <"$tmp/excerpt")"

(cd "$root" && examples/tour) >"$tmp/tour" 2>"$tmp/tour.err" || {
  echo "FAIL: the tour exited non-zero"; cat "$tmp/tour.err"; exit 1; }
head -n "$lines" "$tmp/tour" >"$tmp/head"
if ! diff -u --label README.md --label 'tools/tour output' "$tmp/excerpt" "$tmp/head"; then
  echo "FAIL: README.md's tour excerpt differs from the tour's output (above); update the excerpt"
  exit 1
fi
echo "PASS: README.md's tour excerpt ($lines lines) matches the tour's output"
