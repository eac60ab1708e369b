#!/bin/bash
# Runs the ferrite-audit plugin (FerriteAudit.cpp) over every translation unit
# of ferrite's own code: each lib/**/*.cc, and one unit that includes every
# header under include/ferrite. Every unsafe construct there must sit under
# its SAFETY/ORDERING note (a missing note fails the compile). The plugin's
# records, one JSON object a line, sorted and without repeats, are the raw
# data of the register: tools/audit renders docs/AUDIT.md from them.
#
#   tools/ferrite-clang/audit-sites.sh           write docs/AUDIT.sites.jsonl
#   tools/ferrite-clang/audit-sites.sh --check   fail if that file is stale
#
# ROOT (the repository) and PLUGIN (the built plugin) may be set; by default
# the plugin is built by build.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${ROOT:-$(cd "$here/../.." && pwd)}"
check=0
[ "${1:-}" = "--check" ] && check=1
if [ -z "${PLUGIN:-}" ]; then
  "$here/build.sh"
  PLUGIN="$here/out/ferrite-clang.so"
fi
CXX="${FERRITE_CXX:-clang++-19}"
sites="docs/AUDIT.sites.jsonl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
{
  echo "// Every header of ferrite, for the audit."
  find include/ferrite -name '*.h' | LC_ALL=C sort | sed 's|^include/\(.*\)|#include "\1"|'
} >"$work/all_headers.cc"
units=("$work/all_headers.cc")
while IFS= read -r unit; do units+=("$unit"); done < <(find lib -name '*.cc' | LC_ALL=C sort)

status=0
for i in "${!units[@]}"; do
  arg() { printf -- '-Xclang\n-plugin-arg-ferrite-audit\n-Xclang\n%s\n' "$1"; }
  mapfile -t plugin_args < <(arg on; arg "out=$work/$i.jsonl")
  # The library's other plugin (ferrite-check) runs too; only the audit's
  # own errors, or a unit the audit could not record, fail this script.
  if ! "$CXX" -std=c++23 -fsyntax-only -Iinclude -Wall -Wextra -Werror -Wthread-safety \
      -Werror=unsafe-buffer-usage "-fplugin=$PLUGIN" "${plugin_args[@]}" "${units[$i]}" \
      >"$work/$i.log" 2>&1; then
    if grep -q '\[ferrite-audit\]' "$work/$i.log" || [ ! -f "$work/$i.jsonl" ]; then
      cat "$work/$i.log" >&2
      echo "audit-sites: ${units[$i]}: a construct lacks its note (errors above)" >&2
      status=1
    fi
  fi
done
[ "$status" = 0 ] || exit 1
LC_ALL=C sort -u "$work"/*.jsonl >"$work/sites.jsonl"
if [ "$check" = 1 ]; then
  if ! diff -u "$sites" "$work/sites.jsonl" >&2; then
    echo "audit-sites: $sites is stale; run tools/ferrite-clang/audit-sites.sh, then tools/audit" >&2
    exit 1
  fi
  exit 0
fi
cp "$work/sites.jsonl" "$sites"
