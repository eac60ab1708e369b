#!/usr/bin/env bash
# bench/device_scaling.sh run: bench/report --scaling over the prebuilt
# binaries in DEVICE_DIR (stand-ins here), the table printed and saved in
# $OUT; a clear error when the binaries were not prepared.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
script="$root/bench/device_scaling.sh"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

dir="$tmp/device"
mkdir -p "$dir" "$tmp/out"
cat >"$dir/channel_bench" <<SH
#!/usr/bin/env bash
[ "\$1" = "--help" ] && { echo "usage: [--threads N]"; exit 0; }
echo "\$*" >>"$tmp/ferrite.log"
impl=""; threads=""
while [ \$# -gt 0 ]; do
  case "\$1" in --impl) impl=\$2;; --threads) threads=\$2;; esac; shift
done
echo "bounded0_mpmc \$impl 0.\$threads"
SH
cat >"$dir/crossbeam-channel" <<SH
#!/usr/bin/env bash
echo "bounded0_mpmc crossbeam-channel 0.8"
SH
chmod +x "$dir/channel_bench" "$dir/crossbeam-channel"

out="$(DEVICE_DIR="$dir" OUT="$tmp/out" "$script" run --repetitions 1 2>&1)" \
  || fail "run failed: $out"
grep -q "device_scaling: [0-9]* CPUs" <<<"$out" || fail "no machine line: $out"
for t in 2 4 8 16; do
  grep -Eq "^bounded0_mpmc +$t +0\.800 +0\.${t}0* \(" "$tmp/out/scaling.txt" \
    || fail "no row for $t threads: $(cat "$tmp/out/scaling.txt")"
done
grep -q -- "--messages 1000000 --threads 16 --filter _mpsc|_mpmc --impl ferrite-channel" \
  "$tmp/ferrite.log" || fail "ferrite calls: $(cat "$tmp/ferrite.log")"

# Not prepared: a clear error, non-zero exit.
err="$(DEVICE_DIR="$tmp/empty" OUT="$tmp/out" "$script" run 2>&1)" && fail "ran unprepared"
grep -q "missing: run 'prepare' here and carry .device" <<<"$err" || fail "error was: $err"
err="$("$script" 2>&1)" && fail "ran without a mode"
grep -q "usage:" <<<"$err" || fail "usage error was: $err"
echo PASS
