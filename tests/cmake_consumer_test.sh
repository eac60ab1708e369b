#!/usr/bin/env bash
# The CMake build and the installed package, as a CMake or pkg-config user
# meets them: configure, build and install ferrite into a temporary prefix,
# then build tests/cmake_consumer/ against that prefix twice — with
# find_package(ferrite CONFIG) + ferrite::ferrite, and with
# `$(pkg-config --cflags --libs ferrite)` — and run both programs.
#
# FERRITE_TEST_MODE=asan|tsan builds ferrite and both consumers with that
# sanitizer (the flags of sanitizers/defs.bzl), so the installed library is
# exercised instrumented too. cmake and pkg-config are required (tools/bootstrap
# installs them): without them the test fails, it never skips.
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }

root="$TEST_SRCDIR/$TEST_WORKSPACE"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
mode="${FERRITE_TEST_MODE:-plain}"
cxx="${FERRITE_CXX:-clang++-19}"
jobs="$(nproc 2>/dev/null || echo 2)"

for tool in cmake pkg-config "$cxx"; do
  command -v "$tool" >/dev/null ||
    fail "$tool is not installed; run tools/bootstrap (Debian packages cmake, pkgconf, clang-19)"
done

case "$mode" in
  plain) cxxflags="" ldflags="" ;;
  asan)
    cxxflags="-D_GLIBCXX_ASSERTIONS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    ldflags="-fsanitize=address,undefined -fsanitize-link-c++-runtime -fuse-ld=lld"
    export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    ;;
  tsan)
    cxxflags="-D_GLIBCXX_ASSERTIONS -fsanitize=thread -fno-omit-frame-pointer"
    ldflags="-fsanitize=thread -fuse-ld=lld"
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
    ;;
  *) fail "unknown FERRITE_TEST_MODE=$mode" ;;
esac

# A private copy of the sources (the runfiles are symlinks into Bazel's tree).
src="$tmp/src" build="$tmp/build" prefix="$tmp/prefix"
rm -rf "$src" "$build" "$prefix" "$tmp/consumer-build"
mkdir -p "$src/tests"
cp -RL "$root/CMakeLists.txt" "$root/cmake" "$root/include" "$root/lib" "$src/"
cp -RL "$root/tests/cmake_consumer" "$src/tests/"

step() {  # step NAME COMMAND...: runs it, shows its output only if it fails
  local log="$tmp/$1.log"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    fail "$*"
  fi
}

echo "== ferrite: configure, build, install into $prefix ($mode)"
step configure cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_COMPILER=$cxx" "-DCMAKE_CXX_FLAGS=$cxxflags" \
  "-DCMAKE_EXE_LINKER_FLAGS=$ldflags" "-DCMAKE_INSTALL_PREFIX=/nonexistent"
step build cmake --build "$build" -j "$jobs"
# --prefix at install time, unlike the configured one: the package must be relocatable.
step install cmake --install "$build" --prefix "$prefix"

for f in include/ferrite/ferrite.h include/ferrite/version.h include/ferrite/detail \
  lib/cmake/ferrite/ferriteConfig.cmake lib/cmake/ferrite/ferriteConfigVersion.cmake \
  lib/cmake/ferrite/ferriteTargets.cmake lib/pkgconfig/ferrite.pc; do
  [ -e "$prefix/$f" ] || fail "the install lacks $f"
done
ls "$prefix"/lib/libferrite.* >/dev/null 2>&1 || fail "the install lacks libferrite"
grep -q -- '-Werror\|-Wunsafe-buffer\|-Wthread-safety' "$prefix"/lib/cmake/ferrite/*.cmake "$prefix/lib/pkgconfig/ferrite.pc" &&
  fail "ferrite's warning flags leak into what consumers inherit"

echo "== consumer: find_package(ferrite CONFIG) + ferrite::ferrite"
step consumer-configure cmake -S "$src/tests/cmake_consumer" -B "$tmp/consumer-build" \
  "-DCMAKE_CXX_COMPILER=$cxx" "-DCMAKE_PREFIX_PATH=$prefix" \
  "-DCMAKE_CXX_FLAGS=$cxxflags" "-DCMAKE_EXE_LINKER_FLAGS=$ldflags"
step consumer-build cmake --build "$tmp/consumer-build" -j "$jobs"
"$tmp/consumer-build/consumer" || fail "the CMake consumer failed"

echo "== consumer: \$(pkg-config --cflags --libs ferrite)"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion ferrite)" = "$(sed -n 's/^#define FERRITE_VERSION_MAJOR //p;s/^#define FERRITE_VERSION_MINOR //p;s/^#define FERRITE_VERSION_PATCH //p' \
  "$src/include/ferrite/version.h" | paste -sd.)" ] || fail "ferrite.pc's version differs from version.h"
# shellcheck disable=SC2046,SC2086  # the flags are meant to split into words
step pkg-config-build "$cxx" $cxxflags -o "$tmp/pc-consumer" "$src/tests/cmake_consumer/main.cc" \
  $(pkg-config --cflags --libs ferrite) $ldflags
"$tmp/pc-consumer" || fail "the pkg-config consumer failed"

echo "PASS: ferrite installs with CMake and both consumers build and run ($mode)"
