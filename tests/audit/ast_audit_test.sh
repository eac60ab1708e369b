#!/usr/bin/env bash
# The ferrite-audit plugin (tools/ferrite-clang/FerriteAudit.cpp):
#  - tests/audit/ast/evasions.cc compiles cleanly without it, and with it
#    (auditing tests/audit/ast/ as if it were ferrite's own code) is rejected
#    at exactly the lines marked `// REJECT: <kinds>`, with those kinds;
#  - tests/audit/ast/noted.cc compiles with it, and each construct is recorded
#    with the id its line names after `// COVERS:`;
#  - every construct in include/ and lib/ has its note, and
#    docs/AUDIT.sites.jsonl (the register's raw data) is current.
#
# Under Bazel the plugin is //tools/ferrite-clang:plugin; run by hand
# (tests/audit/ast_audit_test.sh) it is built by tools/ferrite-clang/build.sh.
set -uo pipefail
# The plugin, the compiler and the repository: tests/support/plugin_env.sh.
if [ -n "${TEST_SRCDIR:-}" ]; then
  source "$TEST_SRCDIR/$TEST_WORKSPACE/tests/support/plugin_env.sh"
else
  source "$(dirname "${BASH_SOURCE[0]}")/../support/plugin_env.sh"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags=(-std=c++23 -fsyntax-only -Iinclude -Wall -Wextra -Werror -Werror=unsafe-buffer-usage)
audit() {  # audit OUT SOURCE: the plugin on SOURCE, auditing tests/audit/ast/
  "$CXX" "${flags[@]}" "-fplugin=$plugin" \
    -Xclang -plugin-arg-ferrite-audit -Xclang on \
    -Xclang -plugin-arg-ferrite-audit -Xclang prefix=tests/audit/ast/ \
    -Xclang -plugin-arg-ferrite-audit -Xclang "out=$1" "$2"
}
status=0
fail() { echo "FAIL: $*"; status=1; }

# Lines "LINE KIND", sorted, from the marks `// MARK: a, b` in a file.
marks() {
  grep -n "// $2: " "$1" | grep -vE '^[0-9]+:[[:space:]]*//' | sed -E "s|^([0-9]+):.*// $2: (.*)$|\1 \2|" |
    awk '{ line = $1; $1 = ""; n = split($0, kinds, /[, ]+/);
           for (i = 1; i <= n; i++) if (kinds[i] != "") print line, kinds[i] }' | LC_ALL=C sort
}

src=tests/audit/ast/evasions.cc
if ! out=$("$CXX" "${flags[@]}" "$src" 2>&1); then
  fail "$src must compile without the plugin:"; echo "$out"
fi
audit "$work/evasions.jsonl" "$src" >"$work/evasions.log" 2>&1 && fail "$src compiled with the plugin"
sed -nE "s|^$src:([0-9]+):[0-9]+: error: ([^ ]+) without .*\[ferrite-audit\]$|\1 \2|p" \
  "$work/evasions.log" | LC_ALL=C sort -u >"$work/rejected"
marks "$src" REJECT >"$work/expected"
if diff -u "$work/expected" "$work/rejected"; then
  echo "PASS: $src: $(wc -l <"$work/expected") constructs rejected, each at its line with its kind"
else
  fail "$src: rejections (+) differ from the REJECT marks (-)"; cat "$work/evasions.log"
fi
if grep -E 'error:' "$work/evasions.log" | grep -qv '\[ferrite-audit\]'; then
  fail "$src: an error other than the audit's:"; grep 'error:' "$work/evasions.log"
fi

src=tests/audit/ast/noted.cc
if ! audit "$work/noted.jsonl" "$src" >"$work/noted.log" 2>&1; then
  fail "$src must compile with the plugin:"; cat "$work/noted.log"
fi
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["line"], r["id"])
' "$work/noted.jsonl" | LC_ALL=C sort -u >"$work/covered"
marks "$src" COVERS >"$work/expected"
if diff -u "$work/expected" "$work/covered"; then
  echo "PASS: $src: every construct recorded with its note"
else
  fail "$src: the recorded notes (+) differ from the COVERS marks (-)"
fi

if ROOT="$root" PLUGIN="$plugin" tools/ferrite-clang/audit-sites.sh --check; then
  echo "PASS: every construct in include/ and lib/ has its note; docs/AUDIT.sites.jsonl is current"
else
  fail "the project's audit (above)"
fi
exit $status
