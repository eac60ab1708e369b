#!/usr/bin/env bash
# The ferrite-clang plugin (tools/ferrite-clang): every snippet in reject/
# compiles without the plugin (its first line, `// EXPECT: <text>`, names a
# race C++ alone cannot see) and is rejected with it, the first error line
# containing <text>; every snippet in accept/ compiles with it.
#
# Under Bazel the plugin is //tools/ferrite-clang:check; run by hand
# (tests/plugin/plugin_test.sh) it is built by tools/ferrite-clang/build.sh.
set -uo pipefail
# The plugin, the compiler and the repository: tests/support/plugin_env.sh.
if [ -n "${TEST_SRCDIR:-}" ]; then
  source "$TEST_SRCDIR/$TEST_WORKSPACE/tests/support/plugin_env.sh"
else
  source "$(dirname "${BASH_SOURCE[0]}")/../support/plugin_env.sh"
fi
flags=(-std=c++23 -fsyntax-only -Wall -Wextra -Werror "-I$root/include")
with_plugin=("${flags[@]}" "-fplugin=$plugin")

status=0
fail() { echo "FAIL: $*"; status=1; }

for src in "$root"/tests/plugin/reject/*.cc; do
  name="tests/plugin/reject/$(basename "$src")"
  expect=$(head -n1 "$src" | sed -n 's|^// EXPECT: ||p')
  if [ -z "$expect" ]; then
    fail "$name must start with a line '// EXPECT: <text of the first error>'"
    continue
  fi
  if ! out=$("$CXX" "${flags[@]}" "$src" 2>&1); then
    fail "$name must compile without the plugin (the race is one only the plugin sees):"
    echo "$out"
    continue
  fi
  if out=$("$CXX" "${with_plugin[@]}" "$src" 2>&1); then
    fail "$name compiled with the plugin, but it must be rejected with: $expect"
    continue
  fi
  first=$(grep -m1 -F 'error:' <<<"$out")
  if ! grep -qF -- "$expect" <<<"$first"; then
    fail "$name was rejected, but its first error lacks: $expect"
    echo "$out" | head -n 20
    continue
  fi
  echo "PASS: $name rejected: ${first#*error: }"
done

for src in "$root"/tests/plugin/accept/*.cc; do
  name="tests/plugin/accept/$(basename "$src")"
  if ! out=$("$CXX" "${with_plugin[@]}" "$src" 2>&1); then
    fail "$name must compile with the plugin:"
    echo "$out" | head -n 20
    continue
  fi
  echo "PASS: $name accepted"
done
exit $status
