# Sourced by the ferrite-clang plugin's script tests (tests/plugin/,
# tests/audit/): sets `root` (the repository), `plugin` (the built
# ferrite-clang.so) and `CXX`, and makes the repository the working folder.
#
# Under Bazel the plugin is a data dependency of the test; run by hand it is
# built by tools/ferrite-clang/build.sh. FERRITE_PLUGIN and FERRITE_CXX
# override either.
if [ -n "${TEST_SRCDIR:-}" ]; then
  root="$TEST_SRCDIR/$TEST_WORKSPACE"
  plugin="${FERRITE_PLUGIN:-$root/tools/ferrite-clang/ferrite-clang.so}"
else
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  plugin="${FERRITE_PLUGIN:-$root/tools/ferrite-clang/out/ferrite-clang.so}"
  [ -n "${FERRITE_PLUGIN:-}" ] || "$root/tools/ferrite-clang/build.sh" || exit 1
fi
CXX="${FERRITE_CXX:-clang++-19}"
[ -f "$plugin" ] || { echo "FAIL: no plugin at $plugin"; exit 1; }
cd "$root" || exit 1
