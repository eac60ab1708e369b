#!/bin/bash
# Builds the ferrite-clang plugin: tools/ferrite-clang/out/ferrite-clang.so
# (or the path given as $1). Needs clang++-19 and Debian's llvm-19-dev,
# libclang-19-dev and libclang-cpp19-dev (tools/bootstrap installs them).
#
#   tools/ferrite-clang/build.sh
#   clang++-19 -std=c++23 -fplugin=tools/ferrite-clang/out/ferrite-clang.so ...
#
# One library holds both plugins: ferrite-check (FerriteCheck.cpp, lambda
# captures at thread boundaries) and ferrite-audit (FerriteAudit.cpp, notes on
# unsafe constructs; off unless given `-plugin-arg-ferrite-audit on`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out/ferrite-clang.so}"
CXX="${FERRITE_PLUGIN_CXX:-clang++-19}"
LLVM_CONFIG="${FERRITE_LLVM_CONFIG:-llvm-config-19}"
# Its sources: every *.cpp here, or the space-separated list in
# FERRITE_PLUGIN_SOURCES (Bazel's genrule passes its srcs).
if [ -n "${FERRITE_PLUGIN_SOURCES:-}" ]; then
  read -r -a srcs <<<"$FERRITE_PLUGIN_SOURCES"
else
  srcs=("$here"/*.cpp)
fi
mkdir -p "$(dirname "$out")"
# Rebuild only when a source (or this script) is newer than the plugin.
fresh=0
if [ -f "$out" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ]; then
  fresh=1
  for src in "${srcs[@]}"; do
    [ "$out" -nt "$src" ] || fresh=0
  done
fi
[ "$fresh" = 0 ] || exit 0
# llvm-config's -I becomes -isystem: LLVM's headers are not ours to warn about.
read -r -a llvm_flags <<<"$("$LLVM_CONFIG" --cxxflags | sed 's/-I/-isystem /g')"
"$CXX" -shared -fPIC -fno-rtti -O1 -Wall -Wextra -Werror "${llvm_flags[@]}" -std=c++17 \
  "${srcs[@]}" -o "$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
