#!/bin/bash
# bench/device_scaling.sh — issue 7's scaling run (mpsc and mpmc at 2, 4, 8
# and 16 threads per side, ferrite against crossbeam-channel), prepared for
# the lent 16-core device machine, which has no network, no bazel, no cargo
# and no go.
#
#   bench/device_scaling.sh prepare   # here: builds channel_bench and the
#                                     # crossbeam-channel peer into .device/
#   bench/device_scaling.sh run       # there: the table, printed and saved
#                                     # as $OUT/scaling.txt
#
# `prepare` puts the two binaries and the shared libraries channel_bench
# loads beyond the C library (libtbb, libstdc++, libgcc_s) into .device/
# (git-ignored), behind small wrappers that point LD_LIBRARY_PATH there.
# Then, with the device tool: run command `bash bench/device_scaling.sh run`,
# carry [".device"], timeout_s 480. `run` is bench/report --scaling with the
# prebuilt binaries (--ferrite-bin, --peers-dir, --no-install); extra
# arguments go to bench/report (e.g. --messages 200000 for a quick try).
# DEVICE_DIR overrides .device (tests).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${DEVICE_DIR:-$repo/.device}"
usage() { echo "usage: bench/device_scaling.sh prepare | run [bench/report options]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
mode="$1"; shift

# A wrapper that runs lib/NAME with the carried libraries.
wrap() {
  cat >"$dir/$1" <<'SH'
#!/bin/sh
here="$(dirname "$0")"
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/lib/$(basename "$0")" "$@"
SH
  chmod +x "$dir/$1"
}

case "$mode" in
  prepare)
    cd "$repo"
    bazel build --config=bench //bench:channel_bench
    bench/peers/build.sh bench/peers/out rust
    rm -rf "$dir" && mkdir -p "$dir/lib"
    cp bazel-bin/bench/channel_bench bench/peers/out/crossbeam-channel "$dir/lib/"
    chmod u+w "$dir/lib/"*
    for name in libtbb libstdc++ libgcc_s; do
      lib="$(ldd "$dir/lib/channel_bench" | awk -v n="$name" 'index($1, n) == 1 {print $3}')"
      if [[ -n "$lib" ]]; then cp -L "$lib" "$dir/lib/"; fi
    done
    wrap channel_bench
    wrap crossbeam-channel
    echo "device_scaling: prepared $(du -sh "$dir" | cut -f1) in $dir"
    ;;
  run)
    for name in channel_bench crossbeam-channel; do
      [[ -x "$dir/$name" ]] || { echo "device_scaling: $dir/$name missing: run 'prepare' here and carry .device" >&2; exit 1; }
    done
    out="${OUT:-$dir}"
    echo "device_scaling: $(nproc) CPUs, $(uname -sr)"
    python3 "$repo/bench/report" --scaling 2,4,8,16 --only crossbeam-channel,ferrite \
      --ferrite-bin "$dir/channel_bench" --peers-dir "$dir" --no-install \
      --messages 1000000 --repetitions 5 --timeout 120 "$@" | tee "$out/scaling.txt"
    ;;
  *) usage ;;
esac
