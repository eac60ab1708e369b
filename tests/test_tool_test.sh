#!/usr/bin/env bash
# tools/test's own arguments: bad values for --repeat and --load are refused
# with a clear message and exit 2, before anything is installed or built.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
tool="$root/tools/test"
fail() { echo "FAIL: $*"; exit 1; }

expect_usage() {  # expect_usage MESSAGE ARGS...: exit 2, MESSAGE on stderr
  local want="$1"; shift
  local err rc
  err="$(bash "$tool" "$@" 2>&1 >/dev/null)"; rc=$?
  [ $rc -eq 2 ] || fail "tools/test $*: exit $rc, want 2 ($err)"
  grep -qF -- "$want" <<<"$err" || fail "tools/test $*: '$err' lacks '$want'"
  grep -qF "usage: tools/test" <<<"$err" || fail "tools/test $*: no usage line in '$err'"
}

expect_usage "--repeat must be at least 1" --repeat 0
expect_usage "--repeat needs a whole number, got 'many'" --repeat many
expect_usage "--repeat needs a whole number, got '-3'" --repeat -3
expect_usage "--load needs a whole number, got '1.5'" --load 1.5
expect_usage "" --repeat
expect_usage "" --repeat 20 --load
echo "PASS"
