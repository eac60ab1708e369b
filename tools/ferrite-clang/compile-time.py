#!/usr/bin/env python3
"""What loading the ferrite-clang plugin costs a compile, in CPU time.

    bazel aquery --output=jsonproto 'mnemonic("CppCompile", //tests:thread_pool_test + ...)' \
        > /tmp/aquery.json
    python3 tools/ferrite-clang/compile-time.py /tmp/aquery.json \
        --plugin tools/ferrite-clang/out/ferrite-clang.so --reps 5 [--only SRC ...]

Takes Bazel's own compile command lines (from `bazel aquery`), runs each
translation unit with them as they are (the plugin loaded, its audit on where
the library's compiles turn it on) and with every plugin flag removed, and
measures the user+sys CPU time of each compile. The two variants of a unit
run back to back (which one goes first alternates), so a change in the
machine's load hits both alike; --jobs N runs N such pairs at once. Prints, per repetition, the sum
over the units of each variant and their ratio, then the median and range of
the ratio, and the median per unit.

Run from the repository root after `tools/ferrite-clang/build.sh`; the paths
Bazel's command lines use are mapped to the repository's (the library's
virtual include folder to include/, external/ to Bazel's output base, the
plugin to --plugin), and each object file goes to a temporary folder.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile


def cpu_of(cmd, cwd):
    """The compile's own user+sys CPU seconds (os.wait4: this child only)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit("compile failed: %s\n%s" % (" ".join(cmd), err.read().decode()))
    return usage.ru_utime + usage.ru_stime


def pair(job):
    """One unit in one repetition: both variants, back to back."""
    rep, k, src, plain_args, with_args, root = job
    order = [(0, plain_args), (1, with_args)]
    if (rep + k) % 2:
        order.reverse()
    times = [0.0, 0.0]
    for which, cmd in order:
        times[which] = cpu_of(cmd, root)
    return rep, src, times


def without_plugin(args):
    out = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("-fplugin="):
            i += 1
            continue
        if a == "-Xclang" and i + 1 < len(args) and args[i + 1].startswith("-plugin-arg-"):
            i += 4  # -Xclang -plugin-arg-NAME -Xclang VALUE
            continue
        out.append(a)
        i += 1
    return out


def localize(args, plugin, external, objdir, index):
    out = []
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a in ("-MD",):
            continue
        if a == "-MF":
            skip = True
            continue
        if a.startswith("-fplugin="):
            a = "-fplugin=" + plugin
        if "_virtual_includes/ferrite" in a:
            a = a[: a.index("bazel-out")] + "include"
        if a.startswith("external/"):
            a = external + "/" + a[len("external/"):]
        if i > 0 and args[i - 1] == "-o":
            a = os.path.join(objdir, "%s.o" % index)
        out.append(a)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("aquery", help="bazel aquery --output=jsonproto output")
    p.add_argument("--plugin", required=True)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--only", nargs="*", help="source files to keep (default: all)")
    p.add_argument("--syntax-only", action="store_true",
                   help="stop after Sema (-fsyntax-only), where the plugin runs: its share of "
                        "the front end, an upper bound on its share of a whole compile")
    p.add_argument("--jobs", type=int, default=1,
                   help="pairs compiled at once (CPU time is per compile, so the sums hold)")
    opts = p.parse_args()
    root = os.getcwd()
    external = subprocess.run(["bazel", "info", "output_base"], capture_output=True, text=True,
                              check=True).stdout.strip() + "/external"
    plugin = os.path.abspath(opts.plugin)
    units = []
    seen = set()
    with tempfile.TemporaryDirectory() as objdir:
        for action in json.load(open(opts.aquery)).get("actions", []):
            args = action["arguments"]
            src = args[args.index("-c") + 1]
            if src in seen or (opts.only and src not in opts.only):
                continue
            seen.add(src)
            if opts.syntax_only:
                at = args.index("-o")
                args = args[:at] + args[at + 2:] + ["-fsyntax-only"]
            with_args = localize(args, plugin, external, objdir, "%d-with" % len(units))
            plain_args = localize(args, plugin, external, objdir, "%d-without" % len(units))
            units.append((src, with_args, without_plugin(plain_args)))
        print("units: %s" % " ".join(u[0] for u in units), flush=True)
        per_unit = {u[0]: ([], []) for u in units}
        totals = [[0.0, 0.0] for _ in range(opts.reps)]  # without, with
        jobs = [(rep, k, src, plain_args, with_args, root)
                for rep in range(opts.reps)
                for k, (src, with_args, plain_args) in enumerate(units)]
        with multiprocessing.Pool(opts.jobs) as workers:
            for rep, src, times in workers.imap_unordered(pair, jobs):
                for which in (0, 1):
                    totals[rep][which] += times[which]
                    per_unit[src][which].append(times[which])
                print("  rep %d %-32s without %6.2f s  with %6.2f s" % (rep + 1, src, *times),
                      flush=True)
        ratios = []
        for rep, total in enumerate(totals):
            ratio = total[1] / total[0]
            ratios.append(ratio)
            print("rep %d: without %.1f s, with %.1f s, ratio %.3f" % (rep + 1, total[0], total[1],
                                                                      ratio), flush=True)
        print("ratio with/without: median %.3f, range %.3f-%.3f (%d repetitions)" %
              (statistics.median(ratios), min(ratios), max(ratios), len(ratios)))
        for src, (plain, with_) in per_unit.items():
            print("  %-32s without %6.2f s  with %6.2f s  (%+.1f%%)" %
                  (src, statistics.median(plain), statistics.median(with_),
                   100 * (statistics.median(with_) / statistics.median(plain) - 1)))


if __name__ == "__main__":
    main()
