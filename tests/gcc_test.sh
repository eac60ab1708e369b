#!/usr/bin/env bash
# ferrite with GCC: builds the library (lib/) and every unit-test suite of
# tests/ with Debian's GCC (12 or later, -std=c++23) against Debian's
# GoogleTest sources, and runs each suite. The clang-only checks (the
# unsafe-buffer warnings, the thread-safety analysis, the compile-fail
# diagnostics) do not apply; everything else must build without a warning
# and pass.
#
# FERRITE_TEST_MODE=asan|tsan builds and runs it all with that sanitizer.
# Run it from a checkout with `bash tests/gcc_test.sh` (docs/TESTING.md says
# which suites GCC 12 builds and passes today).
# g++ and the googletest sources are required (tools/bootstrap installs the
# Debian packages g++ and googletest): without them the test fails, it never
# skips.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }

if [ -n "${TEST_SRCDIR:-}" ]; then
  root="$TEST_SRCDIR/$TEST_WORKSPACE"
else
  root="$(cd "$(dirname "$0")/.." && pwd)"
fi
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
mode="${FERRITE_TEST_MODE:-plain}"
cxx="${FERRITE_GCC:-g++}"
gtest="${FERRITE_GTEST_SRC:-/usr/src/googletest/googletest}"
jobs="$(nproc 2>/dev/null || echo 2)"

command -v "$cxx" >/dev/null || fail "$cxx is not installed; run tools/bootstrap (Debian package g++)"
[ -f "$gtest/src/gtest-all.cc" ] ||
  fail "no GoogleTest sources in $gtest; run tools/bootstrap (Debian package googletest)"
"$cxx" --version | head -1 | grep -q "g++" || fail "$cxx is not GCC: $("$cxx" --version | head -1)"
major="$("$cxx" -dumpversion | cut -d. -f1)"
[ "$major" -ge 12 ] || fail "GCC $major is too old: ferrite needs GCC 12 or later"

# The suites: every tests/*_test.cc (GoogleTest suites, one per header).
mapfile -t suites < <(cd "$root/tests" && ls -1 -- *_test.cc | sed 's/\.cc$//')
[ ${#suites[@]} -gt 10 ] || fail "found only ${#suites[@]} suites in tests/"
# Flags a suite's Bazel target adds (tests/BUILD.bazel).
suite_flags() {
  case "$1" in
    vec_release_test) echo "-DFERRITE_CHECKED_BORROWS=0" ;;
    # It replaces the global operator new/delete with malloc/free, which GCC's
    # -Wmismatched-new-delete takes for a mismatch.
    channel_oom_test) echo "-Wno-mismatched-new-delete" ;;
  esac
}

common=(-std=c++23 -O1 -g -pthread)
case "$mode" in
  plain) sanitize=() ;;
  asan)
    sanitize=(-D_GLIBCXX_ASSERTIONS -fsanitize=address,undefined -fno-sanitize-recover=all
      -fno-omit-frame-pointer)
    export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    ;;
  tsan)
    sanitize=(-D_GLIBCXX_ASSERTIONS -fsanitize=thread -fno-omit-frame-pointer)
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
    ;;
  *) fail "unknown FERRITE_TEST_MODE=$mode" ;;
esac
warnings=(-Wall -Wextra -Werror)
includes=(-I"$root/include" -I"$root" -isystem "$gtest/include" -isystem "$gtest")

out="$tmp/gcc-$mode"
rm -rf "$out"
mkdir -p "$out/lib" "$out/tests"

compile() {  # compile OUT SRC FLAGS...: shows the compiler's output only on failure
  local obj=$1 src=$2
  shift 2
  if ! "$cxx" "${common[@]}" "${sanitize[@]}" "$@" -c "$src" -o "$obj" >"$obj.log" 2>&1; then
    cat "$obj.log"
    echo "FAIL: $cxx could not compile ${src#"$root/"}"
    return 1
  fi
}

echo "== $("$cxx" --version | head -1), mode $mode"
echo "== GoogleTest and lib/"
compile "$out/gtest-all.o" "$gtest/src/gtest-all.cc" "${includes[@]}" || exit 1
compile "$out/gtest_main.o" "$gtest/src/gtest_main.cc" "${includes[@]}" || exit 1
mapfile -t lib_sources < <(cd "$root" && find -L lib -name '*.cc' | sort)
[ ${#lib_sources[@]} -gt 5 ] || fail "found only ${#lib_sources[@]} sources in lib/"
for src in "${lib_sources[@]}"; do
  compile "$out/lib/$(echo "$src" | tr / _).o" "$root/$src" "${warnings[@]}" "${includes[@]}" ||
    exit 1
done

echo "== the suites"
failed=()
for suite in "${suites[@]}"; do
  src="$root/tests/$suite.cc"
  [ -f "$src" ] || fail "tests/$suite.cc is missing"
  # shellcheck disable=SC2046 # suite_flags prints zero or more words
  if ! compile "$out/tests/$suite.o" "$src" "${warnings[@]}" "${includes[@]}" \
      $(suite_flags "$suite"); then
    failed+=("$suite (build)")
    continue
  fi
  if ! "$cxx" "${common[@]}" "${sanitize[@]}" "$out/tests/$suite.o" "$out"/lib/*.o \
      "$out/gtest-all.o" "$out/gtest_main.o" -o "$out/tests/$suite" >"$out/tests/$suite.link.log" 2>&1; then
    cat "$out/tests/$suite.link.log"
    failed+=("$suite (link)")
    continue
  fi
  if "$out/tests/$suite" --gtest_brief=1 >"$out/tests/$suite.log" 2>&1; then
    echo "   $suite: passed"
  else
    tail -40 "$out/tests/$suite.log"
    failed+=("$suite")
  fi
done
[ ${#failed[@]} -eq 0 ] || fail "with GCC: ${failed[*]}"
echo PASS
