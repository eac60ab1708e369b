"""Sanitizer twins for every ferrite test, and compile-fail tests.

    ferrite_cc_test(name = "mutex_test", srcs = ["mutex_test.cc"])

yields three test targets from one cc_test:

    mutex_test        plain build                           tags: plain
    mutex_test_asan   ASan + UBSan + LSan, no recovery      tags: asan
    mutex_test_tsan   ThreadSanitizer                       tags: tsan

The twins rebuild the same cc_test through a configuration transition on
--copt/--linkopt, so every dependency (Abseil, GoogleTest) is instrumented
too, and one `bazel test //...` runs all three side by side.
`--test_tag_filters=tsan` (or asan, plain) selects one mode. The twins build
with -g, so sanitizer reports name file:line.

Users load it for their own tests (`@ferrite//sanitizers:defs.bzl`). Their
code gets the sanitizers and -D_GLIBCXX_ASSERTIONS, but not ferrite's warning
set (FERRITE_WARNINGS: -Werror, -Werror=unsafe-buffer-usage...) nor the
ferrite-clang plugin (FERRITE_CHECK_COPTS), which apply to every target
inside ferrite's own repository (FERRITE_COPTS has both); a user who wants
the warnings passes `copts = FERRITE_WARNINGS`, and one line,
`ferrite_check = True`, loads the plugin. `suppressions = [...]` adds a
test's own suppression files (named *tsan.supp, *ubsan.supp or *lsan.supp)
to ferrite's.

    ferrite_compile_fail_test(name = "send_rc", src = "compile_fail/send_rc.cc")

passes only when the snippet fails to compile with the project's flags and
the first error line of the diagnostic contains the text of the snippet's
first line, `// EXPECT: <text>`, and of every further `// EXPECT: <text>`
line (a long expectation is written as several, each within the column
limit; the expectation is written once, in the snippet), and when the same
snippet compiles with -DFERRITE_COMPILE_FAIL_CONTROL (so it fails for the
intended reason). A snippet that also holds a line `// EXPECT-ERRORS: <n>`
passes only when clang reports exactly n errors (so nothing after the
rejection adds noise).
"""

# Warnings for ferrite's own code only; the dependencies build with their own.
FERRITE_WARNINGS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wthread-safety",
    "-Werror=unsafe-buffer-usage",
    "-Werror=unsafe-buffer-usage-in-container",
    # Third-party headers are not ours to audit: treat them as system headers.
    "--system-header-prefix=absl/",
    "--system-header-prefix=gtest/",
    "--system-header-prefix=gmock/",
    "--system-header-prefix=benchmark/",
]

# The ferrite-clang plugin (tools/ferrite-clang): Send/Sync of what a lambda
# captures, at every thread boundary. A target that loads it takes
# FERRITE_CHECK_COPTS (-fplugin=...) and FERRITE_CHECK_DEPS (the plugin as a
# declared input of its compiles), from ferrite's repository or a user's:
#
#     copts = FERRITE_CHECK_COPTS, deps = FERRITE_CHECK_DEPS + ["@ferrite//:ferrite"],
#
# The second flag lists the plugin in the compile's dependency file, as a
# header would be: Bazel keeps the inputs that file names, so a new plugin
# recompiles what the old one checked.
FERRITE_CHECK = str(Label("//tools/ferrite-clang:check"))
FERRITE_CHECK_COPTS = [
    "-fplugin=$(execpath %s)" % FERRITE_CHECK,
    "-Xclang",
    "-fdepfile-entry=$(execpath %s)" % FERRITE_CHECK,
]
FERRITE_CHECK_DEPS = [FERRITE_CHECK]

# Every compile of ferrite's own code: its warnings and the plugin (a target
# with these copts takes FERRITE_CHECK_DEPS too).
FERRITE_COPTS = FERRITE_WARNINGS + FERRITE_CHECK_COPTS

# The library's own compiles also run the plugin's audit (ferrite-audit,
# tools/ferrite-clang/README.md): an unsafe construct in include/ferrite/ or
# lib/ without its SAFETY/ORDERING note is a compile error.
FERRITE_AUDIT_COPTS = ["-Xclang", "-plugin-arg-ferrite-audit", "-Xclang", "on"]

# libstdc++'s precondition checks (std::expected's * on an error, optional's
# * when empty, vector's [] out of range...): cheap, ABI-compatible, and they
# turn library undefined behaviour into an abort where a test can see it.
# On in every sanitizer mode and in every test's own code.
CHECKED_STDLIB_COPTS = ["-D_GLIBCXX_ASSERTIONS"]

# Instrumentation per mode. ASan/UBSan link with lld: gold fails on the ASan runtime.
# -g: reports name file:line (llvm-symbolizer reads the debug info).
SANITIZERS = {
    "asan": struct(
        copts = CHECKED_STDLIB_COPTS + [
            "-g",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
        linkopts = [
            "-fsanitize=address,undefined",
            "-fsanitize-link-c++-runtime",
            "-fuse-ld=lld",
        ],
        env = {
            "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1:abort_on_error=0",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:suppressions=$SUPP/ubsan.supp",
            "LSAN_OPTIONS": "suppressions=$SUPP/lsan.supp",
        },
    ),
    "tsan": struct(
        copts = CHECKED_STDLIB_COPTS + ["-g", "-fsanitize=thread", "-fno-omit-frame-pointer"],
        linkopts = ["-fsanitize=thread", "-fuse-ld=lld"],
        env = {
            "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp",
        },
    ),
}

_COPT = "//command_line_option:copt"
_LINKOPT = "//command_line_option:linkopt"

# fastbuild links with -Wl,-S (no debug info); the twins keep it for -g.
# (Bazel 4 cannot read --strip in a transition, only set it.)
_STRIP = "//command_line_option:strip"

# The uninstrumented mode, for canary controls.
_PLAIN = struct(copts = [], linkopts = [], env = {})

def _mode(name):
    return _PLAIN if name == "plain" else SANITIZERS[name]

def _sanitizer_transition_impl(settings, attr):
    mode = _mode(attr.sanitizer)
    return {
        _COPT: settings[_COPT] + mode.copts,
        _LINKOPT: settings[_LINKOPT] + mode.linkopts,
        _STRIP: "never",
    }

_sanitizer_transition = transition(
    implementation = _sanitizer_transition_impl,
    inputs = [_COPT, _LINKOPT],
    outputs = [_COPT, _LINKOPT, _STRIP],
)

# The suppression files each sanitizer reads (ASan's own errors have none:
# they are bugs to fix).
_SUPPRESSION_KINDS = ["tsan", "ubsan", "lsan"]

def _suppression_kind(basename):
    for kind in _SUPPRESSION_KINDS:
        if basename.endswith(kind + ".supp"):
            return kind
    return None

def _runfiles_path(ctx, f):
    if f.short_path.startswith("../"):
        return f.short_path[3:]
    return ctx.workspace_name + "/" + f.short_path

def _sanitized_test_impl(ctx):
    target = ctx.attr.binary
    if type(target) == "list":
        target = target[0]
    binary = target[DefaultInfo].files_to_run.executable
    supp_dir = _runfiles_path(ctx, ctx.files._suppressions[0]).rpartition("/")[0]
    lines = [
        "#!/bin/bash",
        "# Runs %s built with %s instrumentation." % (ctx.attr.binary_label, ctx.attr.sanitizer),
        "SUPP=\"$TEST_SRCDIR/%s\"" % supp_dir,
    ]
    for f in ctx.files.suppressions:
        if not _suppression_kind(f.basename):
            fail("%s: suppression file %s must be named *tsan.supp, *ubsan.supp or *lsan.supp" %
                 (ctx.label, f.short_path))
    if ctx.files.suppressions:
        # The test's own suppression files, appended to ferrite's of the same
        # kind: each sanitizer reads one file.
        lines += [
            "own_supp=\"${TEST_TMPDIR:-$(mktemp -d)}/suppressions\"",
            "mkdir -p \"$own_supp\"",
        ]
        for kind in _SUPPRESSION_KINDS:
            files = ["\"$SUPP/%s.supp\"" % kind] + [
                "\"$TEST_SRCDIR/%s\"" % _runfiles_path(ctx, f)
                for f in ctx.files.suppressions
                if _suppression_kind(f.basename) == kind
            ]
            lines.append("awk 1 %s >\"$own_supp/%s.supp\"" % (" ".join(files), kind))
        lines.append("SUPP=\"$own_supp\"")
    for key, value in _mode(ctx.attr.sanitizer).env.items():
        lines.append("export %s=\"%s\"" % (key, value))
    # Reports name file:line through llvm-symbolizer (tools/bootstrap installs
    # clang's); the runtimes' own search can settle on a missing one.
    lines += [
        "for sym in /usr/lib/llvm-19/bin/llvm-symbolizer \"$(command -v llvm-symbolizer)\"; do",
        "  if [ -x \"$sym\" ]; then",
        "    export ASAN_SYMBOLIZER_PATH=\"${ASAN_SYMBOLIZER_PATH:-$sym}\" TSAN_SYMBOLIZER_PATH=\"${TSAN_SYMBOLIZER_PATH:-$sym}\" UBSAN_SYMBOLIZER_PATH=\"${UBSAN_SYMBOLIZER_PATH:-$sym}\"",
        "    break",
        "  fi",
        "done",
    ]
    exe = "\"$TEST_SRCDIR/%s\"" % _runfiles_path(ctx, binary)
    if ctx.attr.canary:
        # A canary: `binary MODE` commits a bug on purpose. Each MODE must be
        # stopped with its report, or, where the report is "", run clean (the
        # uninstrumented control: without the sanitizer nobody notices).
        lines.append("status=0")
        for mode, report in sorted(ctx.attr.canary.items()):
            lines += [
                "out=$(%s %s 2>&1); rc=$?" % (exe, mode),
                "echo \"--- %s: exit $rc\"; echo \"$out\" | head -n 40" % mode,
            ]
            if report:
                q = "'" + report.replace("'", "'\\''") + "'"
                lines += [
                    "if [ $rc -ne 0 ] && grep -qF -- %s <<<\"$out\"; then echo \"CANARY OK: %s stopped with: \"%s;" % (q, mode, q),
                    "else echo \"CANARY FAIL: %s was not stopped with: \"%s; status=1; fi" % (mode, q),
                    # The report must point into the canary's source (BINARY.cc),
                    # which takes -g and a symbolizer.
                    "if grep -qE '%s[.]cc:[0-9]+' <<<\"$out\"; then echo \"CANARY OK: %s's report names %s.cc:line\";" % (binary.basename, mode, binary.basename),
                    "else echo \"CANARY FAIL: %s's report names no %s.cc:line (built without -g, or no llvm-symbolizer)\"; status=1; fi" % (mode, binary.basename),
                ]
            else:
                lines += [
                    "if [ $rc -eq 0 ]; then echo \"CONTROL OK: %s runs clean uninstrumented\";" % mode,
                    "else echo \"CONTROL FAIL: %s failed without a sanitizer\"; status=1; fi" % mode,
                ]
        lines.append("exit $status")
    else:
        lines.append("exec %s \"$@\"" % exe)
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, "\n".join(lines) + "\n", is_executable = True)
    runfiles = ctx.runfiles(files = [binary] + ctx.files._suppressions + ctx.files.suppressions)
    runfiles = runfiles.merge(target[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

sanitized_test = rule(
    implementation = _sanitized_test_impl,
    test = True,
    attrs = {
        "binary": attr.label(mandatory = True, executable = True, cfg = _sanitizer_transition),
        "binary_label": attr.string(),
        "sanitizer": attr.string(mandatory = True, values = ["plain"] + SANITIZERS.keys()),
        # Canary mode: argument -> the report it must produce ("" = must exit 0).
        "canary": attr.string_dict(),
        # The test's own suppression files, added to ferrite's (see ferrite_cc_test).
        "suppressions": attr.label_list(allow_files = [".supp"]),
        "_suppressions": attr.label_list(
            default = [
                "//sanitizers:tsan.supp",
                "//sanitizers:ubsan.supp",
                "//sanitizers:lsan.supp",
            ],
            allow_files = True,
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _in_ferrite():
    """Whether the calling BUILD file belongs to ferrite's own repository.

    Label() resolves in this file's repository: "" when ferrite is the main
    workspace, "ferrite" when a user's workspace loads it as @ferrite.
    """
    return native.repository_name().lstrip("@") == Label("//:BUILD.bazel").workspace_name

def ferrite_library_flags():
    """(copts, deps) of ferrite's library itself: FERRITE_COPTS, the plugin
    and its audit in ferrite's own repository; in a user's workspace (@ferrite) the
    warnings only, so a user's build needs no LLVM development files."""
    if _in_ferrite():
        return FERRITE_COPTS + FERRITE_AUDIT_COPTS, FERRITE_CHECK_DEPS
    return FERRITE_WARNINGS, []

def ferrite_cc_test(name, srcs, deps = [], copts = [], args = [], size = "small", tags = [], sanitizers = ["asan", "tsan"], timeout = None, suppressions = [], ferrite_check = None, **kwargs):
    """A cc_test plus its _asan and _tsan twins (see the file comment).

    Inside ferrite its sources build with FERRITE_COPTS (the warnings and the
    ferrite-clang plugin, which no test of ferrite's own leaves out:
    `ferrite_check = False` is an error there); elsewhere with only the
    caller's copts (plus -D_GLIBCXX_ASSERTIONS and, in the twins, the
    sanitizer flags), and with the plugin when `ferrite_check = True`.
    suppressions: the test's own *tsan.supp, *ubsan.supp and *lsan.supp
    files, added to ferrite's.
    """
    if _in_ferrite():
        if ferrite_check == False:
            fail("%s: every test of ferrite's own loads the ferrite-clang plugin; " % name +
                 "ferrite_check = False is for a user's workspace, where it is the default")
        own = FERRITE_COPTS
    elif ferrite_check:
        own = FERRITE_CHECK_COPTS
    else:
        own = []
    check = ferrite_check or (_in_ferrite() and ferrite_check == None)
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + (FERRITE_CHECK_DEPS if check else []),
        copts = own + CHECKED_STDLIB_COPTS + copts,
        args = args,
        size = size,
        timeout = timeout,
        tags = tags + ["plain"],
        **kwargs
    )
    for mode in sanitizers:
        sanitized_test(
            name = name + "_" + mode,
            binary = ":" + name,
            binary_label = "//%s:%s" % (native.package_name(), name),
            sanitizer = mode,
            suppressions = suppressions,
            args = args,
            size = size,
            timeout = timeout,
            tags = tags + [mode],
        )

def _compile_fail_test_impl(ctx):
    headers = ctx.files.hdrs
    src = ctx.file.src
    flags = ["-std=c++23", "-fsyntax-only"] + FERRITE_WARNINGS + ctx.attr.mode_copts
    if ctx.file.plugin:
        flags.append("-fplugin=$TEST_SRCDIR/" + _runfiles_path(ctx, ctx.file.plugin))
    includes = ["-I\"$ROOT\"", "-I\"$ROOT/include\""]
    # ferrite's headers, from a user's workspace: external/ferrite/include.
    for h in headers:
        path = _runfiles_path(ctx, h)
        if "/include/" in path and not path.startswith(ctx.workspace_name + "/"):
            root = "$TEST_SRCDIR/" + path[:path.find("/include/")]
            includes = ["-I\"%s\"" % root, "-I\"%s/include\"" % root] + includes
            break
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.write(script, """#!/bin/bash
# Compile-fail test: {src} must not compile, and clang's first error line
# must say the text of each of its `// EXPECT: <text>` lines, the first line
# among them (and, with a line `// EXPECT-ERRORS: <n>`, clang must report
# exactly n errors).
set -u
ROOT="$TEST_SRCDIR/{ws}"
CXX="${{FERRITE_CXX:-clang-19}}"
flags=({flags} {includes})
expect=$(head -n1 "$ROOT/{src}" | sed -n 's|^// EXPECT: ||p')
if [ -z "$expect" ]; then
  echo "FAIL: {src} must start with a line '// EXPECT: <text of the diagnostic>'"
  exit 1
fi
if ! ctl=$("$CXX" "${{flags[@]}}" -DFERRITE_COMPILE_FAIL_CONTROL "$ROOT/{src}" 2>&1); then
  echo "FAIL: the control build (-DFERRITE_COMPILE_FAIL_CONTROL) of {src} must compile:"
  echo "$ctl"
  exit 1
fi
if out=$("$CXX" "${{flags[@]}}" "$ROOT/{src}" 2>&1); then
  echo "FAIL: {src} compiled, but it must be rejected with: $expect"
  exit 1
fi
first=$(grep -m1 -E ': (fatal )?error: ' <<<"$out")
while IFS= read -r part; do
  if ! grep -qF -- "$part" <<<"$first"; then
    echo "FAIL: {src} was rejected, but the first error line lacks: $part"
    echo "$out"
    exit 1
  fi
done < <(sed -n 's|^// EXPECT: ||p' "$ROOT/{src}")
want=$(sed -n 's|^// EXPECT-ERRORS: ||p' "$ROOT/{src}" | head -n1)
if [ -n "$want" ]; then
  got=$(grep -c -E ': (fatal )?error: ' <<<"$out")
  if [ "$got" != "$want" ]; then
    echo "FAIL: {src} was rejected with $got errors, but it must be rejected with $want"
    echo "$out"
    exit 1
  fi
fi
echo "PASS: {src} rejected with: $expect"
echo "$first"
""".format(
        src = src.short_path,
        ws = ctx.workspace_name,
        flags = " ".join(["\"%s\"" % f for f in flags]),
        includes = " ".join(includes),
    ), is_executable = True)
    runfiles = ctx.runfiles(files = [src] + headers + ctx.files.plugin)
    return [DefaultInfo(executable = script, runfiles = runfiles)]

_compile_fail_test = rule(
    implementation = _compile_fail_test_impl,
    test = True,
    attrs = {
        "src": attr.label(mandatory = True, allow_single_file = [".cc"]),
        "hdrs": attr.label_list(allow_files = True, default = ["//:all_headers"]),
        "mode_copts": attr.string_list(),
        # The ferrite-clang plugin, loaded by both compiles (control and rejected).
        "plugin": attr.label(allow_single_file = [".so"], cfg = "exec"),
    },
)

def ferrite_compile_fail_test(name, src, tags = [], ferrite_check = False, **kwargs):
    """A compile-fail test and its _asan/_tsan twins (same check under each mode's flags).

    The first error line must hold the text of each `// EXPECT: <text>` line of
    `src` (its first line is one); a line `// EXPECT-ERRORS: <n>` also fixes the
    error count. Both compiles load the ferrite-clang plugin inside ferrite,
    and in a user's workspace with `ferrite_check = True`.
    """
    if _in_ferrite() or ferrite_check:
        kwargs["plugin"] = FERRITE_CHECK
    _compile_fail_test(name = name, src = src, size = "small", tags = tags + ["plain", "compile_fail"], **kwargs)
    for mode in ["asan", "tsan"]:
        _compile_fail_test(
            name = name + "_" + mode,
            src = src,
            mode_copts = SANITIZERS[mode].copts,
            size = "small",
            tags = tags + [mode, "compile_fail"],
            **kwargs
        )

def sanitizer_canary_test(name, binary, reports, **kwargs):
    """Canaries proving each mode bites: `binary MODE` commits one bug per MODE.

    reports: {sanitizer: {MODE: expected report}}. Yields NAME (uninstrumented:
    every MODE must run clean, so it is the sanitizer that catches the bug),
    and NAME_asan / NAME_tsan, which pass only if each listed MODE is stopped
    with its report, and the report names a line of BINARY.cc (the twins'
    -g and the symbolizer at work; the source is named after the binary).
    """
    all_modes = {}
    for checks in reports.values():
        for mode in checks:
            all_modes[mode] = ""
    for sanitizer in ["plain"] + SANITIZERS.keys():
        sanitized_test(
            name = name if sanitizer == "plain" else name + "_" + sanitizer,
            binary = binary,
            binary_label = binary,
            sanitizer = sanitizer,
            canary = all_modes if sanitizer == "plain" else reports[sanitizer],
            size = "small",
            tags = [sanitizer, "canary"],
            **kwargs
        )

def ferrite_script_test(name, src, data = [], size = "small", tags = [], **kwargs):
    """A shell test of the tooling (audit, bootstrap, suppressions), in the three modes.

    Script tests run no compiled ferrite code, so their _asan and _tsan twins
    run the same script (FERRITE_TEST_MODE tells it which twin it is; a
    script that compiles, like the CMake install test, builds in that mode). They
    exist so that every test target has its three modes and a run filtered by
    tag (`--test_tag_filters=tsan`) is still a complete suite.
    """
    for mode in ["plain", "asan", "tsan"]:
        native.sh_test(
            name = name if mode == "plain" else name + "_" + mode,
            srcs = [src],
            data = data,
            size = size,
            env = {"FERRITE_TEST_MODE": mode},
            tags = tags + [mode, "tooling"],
            **kwargs
        )
