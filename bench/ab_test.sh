#!/usr/bin/env bash
# bench/ab: runs every binary and the crossbeam peer interleaved, prints each
# binary's median and its ratio to crossbeam's median, and refuses bad input
# with a clear message. Stand-in binaries print fixed times per repetition.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
ab="$root/bench/ab"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

# A stand-in prints the next of its times (one per call) for the asked workload.
stand_in() {  # name, times...
  local name=$1; shift
  printf '%s\n' "$@" >"$tmp/$name.times"
  cat >"$tmp/$name" <<SH
#!/usr/bin/env bash
n=\$(cat "$tmp/$name.calls" 2>/dev/null || echo 0); echo \$((n + 1)) >"$tmp/$name.calls"
t=\$(sed -n "\$((n + 1))p" "$tmp/$name.times")
w=\${@: -1}; case "\$w" in ^*\\$) w=\${w#^}; w=\${w%\\$};; esac
echo "some other line"
echo "\$w $name \$t"
SH
  chmod +x "$tmp/$name"
}
stand_in before 0.30 0.10 0.20
stand_in after 0.05 0.15 0.10
stand_in crossbeam 0.20 0.20 0.40

out="$("$ab" --bins "$tmp/before,$tmp/after" --crossbeam "$tmp/crossbeam" \
  --messages 1000 --repetitions 3 bounded0_spsc)" || fail "ab failed: $out"
line="$(grep '^bounded0_spsc' <<<"$out")" || fail "no result line: $out"
grep -q "crossbeam 0.2000" <<<"$line" || fail "crossbeam median: $line"
grep -q "before 0.2000 (1.00)" <<<"$line" || fail "before median/ratio: $line"
grep -q "after 0.1000 (0.50)" <<<"$line" || fail "after median/ratio: $line"
[ "$(cat "$tmp/before.calls")" = 3 ] || fail "before ran $(cat "$tmp/before.calls") times"

# --whole: one run per binary and repetition with no filter; the named
# workloads are read from everything it printed, for the chosen --impl only.
whole() {  # name, implementation it prints, spsc times, mpmc times (one per call)
  local name=$1 impl=$2 spsc=$3 mpmc=$4
  printf '%s\n' $spsc >"$tmp/$name.spsc"; printf '%s\n' $mpmc >"$tmp/$name.mpmc"
  cat >"$tmp/$name" <<SH
#!/usr/bin/env bash
n=\$(cat "$tmp/$name.calls" 2>/dev/null || echo 0); echo \$((n + 1)) >"$tmp/$name.calls"
case " \$* " in *" --filter "*) echo "filtered run" >&2; exit 9;; esac
echo "bounded0_spsc other-impl 9.0"
echo "bounded0_spsc $impl \$(sed -n "\$((n + 1))p" "$tmp/$name.spsc")"
echo "boundedN_mpmc $impl \$(sed -n "\$((n + 1))p" "$tmp/$name.mpmc")"
SH
  chmod +x "$tmp/$name"
}
whole mine mine "0.10 0.30 0.20" "0.40 0.40 0.40"
whole cb crossbeam-channel "0.20 0.20 0.20" "0.80 0.80 0.80"
out="$("$ab" --whole --impl mine --bins "$tmp/mine" --crossbeam "$tmp/cb" \
  --messages 1000 --repetitions 3 bounded0_spsc boundedN_mpmc)" || fail "--whole failed: $out"
grep -q "one process per binary" <<<"$out" || fail "--whole mode not named: $out"
grep -q "^bounded0_spsc .*crossbeam 0.2000 .*mine 0.2000 (1.00)" <<<"$out" \
  || fail "--whole spsc line: $out"
grep -q "^boundedN_mpmc .*crossbeam 0.8000 .*mine 0.4000 (0.50)" <<<"$out" \
  || fail "--whole mpmc line: $out"
[ "$(cat "$tmp/mine.calls")" = 3 ] || fail "--whole ran mine $(cat "$tmp/mine.calls") times"
# --all: every repetition, sorted, under each workload.
rm -f "$tmp/mine.calls" "$tmp/cb.calls"
out="$("$ab" --whole --all --impl mine --bins "$tmp/mine" --crossbeam "$tmp/cb" \
  --messages 1000 --repetitions 3 bounded0_spsc)" || fail "--all failed: $out"
grep -qx "    $tmp/mine: 0.1000 0.2000 0.3000" <<<"$out" || fail "--all repetitions: $out"
grep -qx "    crossbeam: 0.2000 0.2000 0.2000" <<<"$out" || fail "--all crossbeam: $out"
expect_error_whole() { "$ab" --whole --impl mine --bins "$tmp/mine" --crossbeam "$tmp/cb" \
  --messages 1000 --repetitions 1 "$@" 2>&1 >/dev/null; }
err="$(expect_error_whole bounded1_mpmc)" && fail "--whole accepted a workload nobody printed"
grep -q "printed no result for bounded1_mpmc" <<<"$err" || fail "--whole missing error: $err"

# --cpu: each process's CPU time replaces the seconds it printed (a stand-in
# that burns CPU for one workload is slower than one that does not).
burn() {  # name, seconds of CPU to burn
  cat >"$tmp/$1" <<SH
#!/usr/bin/env bash
w=\${@: -1}; case "\$w" in ^*\\$) w=\${w#^}; w=\${w%\\$};; esac
end=\$((SECONDS + $2)); while [ \$SECONDS -lt \$end ]; do :; done
echo "\$w $1 0.5"
SH
  chmod +x "$tmp/$1"
}
burn idle 0
burn busy 2  # at least one whole second of the clock: SECONDS ticks
out="$("$ab" --cpu --bins "$tmp/idle,$tmp/busy" --crossbeam "$tmp/idle" \
  --messages 1000 --repetitions 1 bounded0_spsc)" || fail "--cpu failed: $out"
grep -q "median CPU seconds" <<<"$out" || fail "--cpu measure not named: $out"
line="$(grep '^bounded0_spsc' <<<"$out")" || fail "no --cpu result line: $out"
idle="$(sed -n 's/.*idle \([0-9.]*\) .*/\1/p' <<<"$line")"
busy="$(sed -n 's/.*busy \([0-9.]*\) .*/\1/p' <<<"$line")"
python3 -c "import sys; sys.exit(0 if float('$idle') < float('$busy') < 5 else 1)" \
  || fail "--cpu busy stand-in: $line"
grep -q "idle 0.5000" <<<"$line" && fail "--cpu printed the wall seconds: $line"

# Bad input: a clear error and a non-zero exit, nothing run.
expect_error() {  # pattern, args...
  local pattern=$1; shift
  local err; err="$("$ab" "$@" 2>&1 >/dev/null)" && fail "accepted: $*"
  grep -q "$pattern" <<<"$err" || fail "error for '$*' was: $err"
}
expect_error "not an executable" --bins "$tmp/missing" --crossbeam "$tmp/crossbeam" bounded0_spsc
expect_error "not a workload" --bins "$tmp/after" --crossbeam "$tmp/crossbeam" spsc
expect_error "does not combine with --whole" --cpu --whole --bins "$tmp/after" \
  --crossbeam "$tmp/crossbeam" bounded0_spsc
expect_error "must be positive" --bins "$tmp/after" --crossbeam "$tmp/crossbeam" \
  --repetitions 0 bounded0_spsc

# A binary that fails: reported, non-zero exit.
printf '#!/usr/bin/env bash\necho boom >&2\nexit 3\n' >"$tmp/broken"; chmod +x "$tmp/broken"
expect_error "failed (3)" --bins "$tmp/broken" --crossbeam "$tmp/crossbeam" bounded1_mpmc
echo PASS
