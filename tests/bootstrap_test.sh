#!/usr/bin/env bash
# tools/bootstrap: a corrupted source tarball stops it with a clear message,
# before any network work, and a missing one is fetched (here: attempted).
set -euo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
bootstrap="$root/tools/bootstrap"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"

# A fake apt-get/apt-cache that records any call: the network stand-in.
mkdir -p "$tmp/bin"
for tool in apt-get apt-cache; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/network.log"\nexit 100\n' "$tool" "$tmp" >"$tmp/bin/$tool"
  chmod +x "$tmp/bin/$tool"
done
export PATH="$tmp/bin:$PATH"

fail() { echo "FAIL: $*"; exit 1; }

# 1. Corrupted tarball: exit 1, message names the file and both checksums, no network.
dist="$tmp/dist-corrupt"
mkdir -p "$dist"
echo "not a tarball" >"$dist/googletest_1.12.1.orig.tar.gz"
if out=$(FERRITE_DISTDIR="$dist" "$bootstrap" 2>&1); then fail "bootstrap accepted a corrupted tarball"; fi
grep -q "checksum mismatch for $dist/googletest_1.12.1.orig.tar.gz" <<<"$out" || fail "unclear message: $out"
grep -q "expected sha256 81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2" <<<"$out" ||
  fail "message lacks the expected checksum: $out"
[ ! -e "$tmp/network.log" ] || fail "bootstrap went to the network before rejecting: $(cat "$tmp/network.log")"
[ -f "$dist/googletest_1.12.1.orig.tar.gz" ] || fail "bootstrap deleted the user's file"

# 2. Missing tarballs: bootstrap goes to apt (our fake fails) and reports the failure.
dist="$tmp/dist-empty"
mkdir -p "$dist"
if out=$(FERRITE_DISTDIR="$dist" "$bootstrap" 2>&1); then fail "bootstrap succeeded without sources"; fi
grep -q "apt-get update (deb-src) failed" <<<"$out" || fail "unexpected message: $out"
grep -q "update" "$tmp/network.log" || fail "bootstrap did not try to fetch"
echo "PASS"
