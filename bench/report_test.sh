#!/usr/bin/env bash
# bench/report: runs each (implementation, workload) in a process of its own
# (or, with --whole, each implementation), interleaved by repetition with the
# order rotating, optionally pinned (--cpus); builds the table (medians, ratios to
# crossbeam-channel, geometric mean) and the docs section from a results
# file; refuses bad input with a clear message, and names the Debian packages
# it needs instead of installing them. Stand-in binaries only: no build, no
# install, no peers.
set -uo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
report="$root/bench/report"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

# A stand-in channel_bench: logs its arguments, prints two workloads for the
# implementation it was asked for.
cat >"$tmp/bench" <<SH
#!/usr/bin/env bash
[ "\$1" = "--help" ] && { echo "usage: [--threads N]"; exit 0; }
echo "\$*" >>"$tmp/calls.log"
impl=""; while [ \$# -gt 0 ]; do [ "\$1" = "--impl" ] && impl=\$2; shift; done
echo "unbounded_spsc \$impl 0.5"
echo "some other line"
echo "bounded0_mpmc \$impl 0.25"
SH
chmod +x "$tmp/bench"

# 1. Running, the default: one process per implementation, workload and
# repetition; the implementations' order rotates from one repetition to the
# next; a process's lines for other workloads are not counted.
out="$("$report" --ferrite-bin "$tmp/bench" --only ferrite --no-docs --repetitions 2 \
  --messages 1000 --filter unbounded_spsc --filter bounded0_mpmc \
  --results "$tmp/results.txt" 2>&1)" || fail "run failed: $out"
impls=(ferrite-channel ferrite-mpsc lecture mutex-deque tbb moodycamel)
expected="$(for r in 0 1; do for w in unbounded_spsc bounded0_mpmc; do for k in 0 1 2 3 4 5; do
  echo "--messages 1000 --filter $w --impl ${impls[$(((k + r) % 6))]}"; done; done; done)"
[ "$(cat "$tmp/calls.log")" = "$expected" ] || fail "calls were: $(cat "$tmp/calls.log")"
grep -q '^| `unbounded_spsc` *| 0.500 ' <<<"$out" || fail "no unbounded_spsc row: $out"
[ "$(grep -c '^unbounded_spsc ferrite-channel 0.5$' "$tmp/results.txt")" = 2 ] \
  || fail "results file: $(cat "$tmp/results.txt")"
grep -q 'one process per implementation and workload' "$tmp/results.txt" \
  || fail "setup line: $(cat "$tmp/results.txt")"
# Each process's CPU time is kept beside, per workload, and tabulated.
[ "$(grep -c '^unbounded_spsc ferrite-channel ' "$tmp/results.txt.cpu")" = 2 ] \
  || fail "CPU results file: $(cat "$tmp/results.txt.cpu" 2>&1)"
grep -q '^| workload (median CPU s' <<<"$out" || fail "no CPU table: $out"

# 1a. --whole: one process per implementation and repetition, every workload.
: >"$tmp/calls.log"
out="$("$report" --ferrite-bin "$tmp/bench" --only ferrite --no-docs --whole \
  --repetitions 2 --messages 1000 --results "$tmp/results.txt" 2>&1)" || fail "--whole failed: $out"
expected="$(for r in 0 1; do for k in 0 1 2 3 4 5; do
  echo "--messages 1000 --impl ${impls[$(((k + r) % 6))]}"; done; done)"
[ "$(cat "$tmp/calls.log")" = "$expected" ] || fail "--whole calls were: $(cat "$tmp/calls.log")"
[ "$(grep -c '^bounded0_mpmc ferrite-channel 0.25$' "$tmp/results.txt")" = 2 ] \
  || fail "--whole results file: $(cat "$tmp/results.txt")"

# 1c. --impls: only those of channel_bench's implementations.
: >"$tmp/calls.log"
"$report" --ferrite-bin "$tmp/bench" --only ferrite --no-docs --repetitions 1 \
  --messages 1000 --filter unbounded_spsc --impls ferrite-channel,lecture \
  --results "$tmp/r1c.txt" >/dev/null 2>&1 || fail "--impls run failed"
expected="$(printf -- '--messages 1000 --filter unbounded_spsc --impl %s\n' ferrite-channel lecture)"
[ "$(cat "$tmp/calls.log")" = "$expected" ] || fail "--impls calls were: $(cat "$tmp/calls.log")"

# 1e. --blocking-messages: bounded(0) and bounded(1) workloads get their own count.
: >"$tmp/calls.log"
"$report" --ferrite-bin "$tmp/bench" --only ferrite --no-docs --repetitions 1 \
  --messages 1000 --blocking-messages 10 --filter unbounded_spsc --filter bounded0_mpmc \
  --impls ferrite-channel --results "$tmp/r1e.txt" >/dev/null 2>&1 \
  || fail "--blocking-messages run failed"
expected="$(printf -- '--messages %s --filter %s --impl ferrite-channel\n' \
  1000 unbounded_spsc 10 bounded0_mpmc)"
[ "$(cat "$tmp/calls.log")" = "$expected" ] \
  || fail "--blocking-messages calls were: $(cat "$tmp/calls.log")"

# 1d. --cpus: every measured process runs on those CPUs only.
cat >"$tmp/affinity_bench" <<SH
#!/usr/bin/env bash
[ "\$1" = "--help" ] && { echo "usage: [--threads N]"; exit 0; }
grep Cpus_allowed_list /proc/self/status >>"$tmp/affinity.log"
echo "unbounded_spsc ferrite-channel 0.5"
SH
chmod +x "$tmp/affinity_bench"
first_cpu="$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')"
"$report" --ferrite-bin "$tmp/affinity_bench" --only ferrite --no-docs --repetitions 1 \
  --messages 10 --filter unbounded_spsc --cpus "$first_cpu" --results "$tmp/r1d.txt" \
  >/dev/null 2>&1 || fail "--cpus run failed"
[ "$(sort -u "$tmp/affinity.log")" = "$(printf 'Cpus_allowed_list:\t%s' "$first_cpu")" ] \
  || fail "--cpus affinity: $(cat "$tmp/affinity.log")"
grep -q "on CPUs $first_cpu" "$tmp/r1d.txt" || fail "--cpus not in the setup line"

# 1b. --scaling: ferrite's implementations only (the table compares them with
# crossbeam), at each thread count, on the mpsc and mpmc workloads only.
: >"$tmp/calls.log"
out="$("$report" --ferrite-bin "$tmp/bench" --only ferrite --scaling 2,4 \
  --repetitions 1 --messages 1000 2>&1)" || fail "--scaling failed: $out"
expected="$(for t in 2 4; do for f in unbounded bounded0 bounded1 boundedN; do
  for w in mpsc mpmc; do for i in ferrite-channel ferrite-mpsc; do
  echo "--messages 1000 --threads $t --filter ${f}_$w --impl $i"; done; done; done; done)"
[ "$(cat "$tmp/calls.log")" = "$expected" ] || fail "--scaling calls were: $(cat "$tmp/calls.log")"
grep -q '^bounded0_mpmc  *2  ' <<<"$out" || fail "--scaling table: $out"
grep -q '^unbounded_spsc' <<<"$out" && fail "--scaling kept a non-mpsc/mpmc row: $out"

# 1c. --peers-dir: prebuilt peers instead of building bench/peers; those
# missing are left out with a note.
mkdir -p "$tmp/peers"
cat >"$tmp/peers/crossbeam-channel" <<SH
#!/usr/bin/env bash
echo "\$*" >>"$tmp/peer_calls.log"
echo "bounded0_mpmc crossbeam-channel 0.5"
SH
chmod +x "$tmp/peers/crossbeam-channel"
out="$("$report" --peers-dir "$tmp/peers" --only crossbeam-channel --no-docs \
  --repetitions 1 --messages 1000 --filter bounded0_mpmc --results "$tmp/peer_results.txt" 2>&1)" \
  || fail "--peers-dir failed: $out"
[ "$(cat "$tmp/peer_calls.log")" = "--messages 1000 bounded0_mpmc" ] \
  || fail "peer calls: $(cat "$tmp/peer_calls.log")"
grep -q '^| `bounded0_mpmc` *| 0.500 ' <<<"$out" || fail "--peers-dir table: $out"
out="$("$report" --peers-dir "$tmp/peers" --only rust --no-docs \
  --repetitions 1 --messages 1000 --results "$tmp/peer_results.txt" 2>&1)" \
  || fail "--peers-dir --only rust failed: $out"
grep -q "flume: not in $tmp/peers, left out" <<<"$out" || fail "no note for flume: $out"

# 2. From a results file: medians, ratios, geometric mean, and the docs
# section replaced between its markers (the rest of the file kept).
cat >"$tmp/saved.txt" <<'TXT'
# command: bench/report --messages 10
# machine: test machine
# date: 2026-01-01
# versions: none
# setup: 10 messages, 4 threads, median of 3 repetitions
unbounded_spsc crossbeam-channel 0.4
unbounded_spsc crossbeam-channel 0.2
unbounded_spsc crossbeam-channel 0.3
unbounded_spsc ferrite-channel 0.1
unbounded_spsc ferrite-channel 0.15
unbounded_spsc ferrite-channel 0.9
bounded0_mpmc crossbeam-channel 1.0
bounded0_mpmc ferrite-channel 0.6
TXT
mkdir -p "$tmp/docs"
printf '# benchmarks\n\nbefore\n\n<!-- report:begin -->\nold table\n<!-- report:end -->\n\nafter\n' \
  >"$tmp/docs/BENCHMARKS.md"
out="$("$report" --from-results "$tmp/saved.txt" --docs-dir "$tmp/docs" 2>&1)" \
  || fail "--from-results failed: $out"
# unbounded_spsc: medians 0.3 and 0.15, ratio 0.50; per repetition the
# ratios are 0.1/0.4, 0.15/0.2 and 0.9/0.3, so their range is 0.25-3.00;
# bounded0_mpmc 0.60; geometric mean sqrt(0.5 * 0.6) = 0.55.
grep -q '^| `unbounded_spsc` *| 0.300 *| 0.150 (0.50, 0.25–3.00)' <<<"$out" \
  || fail "spsc row: $out"
grep -q '^| `bounded0_mpmc` *| 1.000 *| 0.600 (0.60)' <<<"$out" || fail "mpmc row: $out"
grep -q 'geometric mean of ratios.*\*\*0.55\*\* (n=2)' <<<"$out" || fail "geomean: $out"
doc="$(cat "$tmp/docs/BENCHMARKS.md")"
grep -q "old table" <<<"$doc" && fail "old section kept: $doc"
grep -q '^| `unbounded_spsc`' <<<"$doc" || fail "no table in docs: $doc"
grep -q "^before$" <<<"$doc" && grep -q "^after$" <<<"$doc" || fail "surroundings lost: $doc"
[ "$(grep -c 'report:begin' <<<"$doc")" = 1 ] || fail "markers duplicated: $doc"

# 3. Bad input: a clear error and a non-zero exit.
expect_error() {  # pattern, args...
  local pattern=$1; shift
  local err; err="$("$report" "$@" 2>&1 >/dev/null)" && fail "accepted: $*"
  grep -q "$pattern" <<<"$err" || fail "error for '$*' was: $err"
}
expect_error "must be at least 1" --repetitions 0
expect_error "cannot read" --from-results "$tmp/missing.txt" --no-docs
: >"$tmp/empty.txt"
expect_error "holds no results" --from-results "$tmp/empty.txt" --no-docs
expect_error "unknown 'nonsense'" --only nonsense
expect_error "is not a directory" --peers-dir "$tmp/no-such-dir"
expect_error "not a CPU number" --cpus x --no-docs
expect_error "are not available" --cpus 100000 --no-docs

# 4. A missing package: named, nothing installed, nothing built, exit 1.
# A stand-in dpkg-query reports every package as not installed.
mkdir -p "$tmp/path"
printf '#!/usr/bin/env bash\nexit 1\n' >"$tmp/path/dpkg-query"
chmod +x "$tmp/path/dpkg-query"
err="$(PATH="$tmp/path:$PATH" "$report" --only ferrite --no-docs --repetitions 1 2>&1 >/dev/null)"
rc=$?
[ "$rc" = 1 ] || fail "missing packages: exit status $rc, not 1: $err"
grep -q "missing Debian packages: libtbb-dev libconcurrentqueue-dev" <<<"$err" \
  || fail "missing packages not named: $err"
grep -q "building\|installing" <<<"$err" && fail "built or installed anyway: $err"
# With a prebuilt binary nothing needs building, so nothing is required.
: >"$tmp/calls.log"
PATH="$tmp/path:$PATH" "$report" --ferrite-bin "$tmp/bench" --only ferrite --no-docs \
  --repetitions 1 --messages 10 --results "$tmp/r4.txt" >/dev/null 2>&1 \
  || fail "a prebuilt binary still required packages"
echo PASS
