#!/usr/bin/env bash
# tools/test_summary: counts Bazel test targets from `bazel test` logs, treats
# cached passes as passes, and counts every expected target without a PASSED
# line (failed, timed out, never built) as failed.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
summary="$root/tools/test_summary"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

cat >"$tmp/main.log" <<'LOG'
(00:46:05) INFO: Elapsed time: 341.803s, Critical Path: 21.35s
//tests:a_test                                                  (cached) PASSED in 0.9s
//tests:a_test_asan                                                      PASSED in 0.3s
//tests:b_test                                                           FAILED in 2.0s
  /root/.cache/bazel/.../tests/b_test/test.log
//tests:c_test                                                           TIMEOUT in 60.0s
//tests:d_test                                                  FAILED TO BUILD
Executed 3 out of 5 tests: 2 tests pass and 3 fail locally.
LOG
cat >"$tmp/consumer.log" <<'LOG'
consumer//:consumer_test                                                 PASSED in 0.1s
LOG

out="$("$summary" --expected 6 "$tmp/main.log" "$tmp/consumer.log")"; rc=$?
[ $rc -eq 1 ] || fail "exit $rc with failures, want 1"
[ "$(tail -n1 <<<"$out")" = "3 passed, 3 failed" ] || fail "summary: $out"
grep -q "FAILED: //tests:b_test" <<<"$out" || fail "failing target not listed: $out"
grep -q "TIMEOUT: //tests:c_test" <<<"$out" || fail "timed-out target not listed: $out"

# A target that never reported (the build broke before it ran) counts as failed.
out="$("$summary" --expected 8 "$tmp/main.log" "$tmp/consumer.log")"
[ "$(tail -n1 <<<"$out")" = "3 passed, 5 failed" ] || fail "missing targets not counted: $out"

# All green: exit 0.
grep -v -e FAILED -e TIMEOUT "$tmp/main.log" >"$tmp/green.log"
out="$("$summary" --expected 3 "$tmp/green.log" "$tmp/consumer.log")"; rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "3 passed, 0 failed" ] || fail "green run: exit $rc: $out"
echo PASS
