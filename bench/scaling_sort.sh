#!/bin/bash
# bench/scaling_sort.sh — how the split_at_mut parallel merge sort scales.
#
# Runs std::sort and parallel_merge_sort on the same 10M ints at thread
# budgets 1, 2, 4, 8, 16 (those up to the machine's CPU count are registered
# by bench/vec_bench.cc), and prints each median with its speedup over
# std::sort. Meant for a 16-core machine; on 2 cores it shows 1 and 2.
#
#   bench/scaling_sort.sh [path/to/vec_bench] [repetitions]
#
# Without a path it builds the benchmark with `bazel build --config=bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
reps="${2:-5}"
if [[ -z "$bin" ]]; then
  bazel build --config=bench //bench:vec_bench >&2
  bin="bazel-bin/bench/vec_bench"
fi
"$bin" --benchmark_filter='BM_StdSort10M|BM_ParallelMergeSort10M/threads:(1|2|4|8|16)/' \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_format=csv 2>/dev/null |
  awk -F, '
    /_median"?,/ {
      name = $1; gsub(/"/, "", name); sub(/_median$/, "", name); sub(/\/real_time$/, "", name)
      ms = $3   # csv: name,iterations,real_time,cpu_time,time_unit (ms for these)
      if (name == "BM_StdSort10M") {
        base = ms
        printf "%-36s %10.1f ms\n", "std::sort (1 thread)", ms
        next
      }
      split(name, parts, "threads:")
      printf "%-36s %10.1f ms   x%.2f vs std::sort\n", "parallel_merge_sort threads=" parts[2], ms,
        base / ms
    }'
