#!/bin/bash
# bench/scaling.sh — how ferrite's channels scale against crossbeam-channel.
#
# Runs the mpsc and mpmc workloads of crossbeam-channel's suite (every
# flavor) for ferrite (//bench:channel_bench) and Rust crossbeam-channel at
# 2, 4, 8 and 16 producer (and consumer) threads, interleaved, and prints
# each median with its ratio to crossbeam-channel at the same thread count.
# Meant for a 16-core machine; on 2 cores the high counts are oversubscribed.
#
#   bench/scaling.sh [--threads 2,4,8,16] [other bench/report options]
#
# e.g. bench/scaling.sh --messages 1000000 --repetitions 3
#      bench/scaling.sh --ferrite-bin bazel-bin/bench/channel_bench
# It is `bench/report --scaling LIST --only rust,ferrite`; see bench/report --help.
set -euo pipefail
threads="2,4,8,16"
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --threads=*) threads="${1#--threads=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
exec "$(dirname "$0")/report" --scaling "$threads" --only rust,ferrite "${args[@]}"
