"""ferrite's suites built with GCC as well: a `_gcc` twin of a test.

    ferrite_gcc_test(name = "mutex_test_gcc", srcs = ["mutex_test.cc"])

compiles the sources with Debian's GCC 12 (`g++-12 -std=c++23 -Wall -Wextra
-Werror`), links them with ferrite's lib/ and GoogleTest, both compiled by
GCC as well (ferrite_gcc_library), and runs the binary as a test. Bazel's C++
toolchain stays clang 19; these rules call g++-12 directly (tools/bootstrap
installs it), with the include paths, defines and headers of the cc_library
targets in `deps`, so the same sources build the same way under both
compilers. The clang-only checks (-Wunsafe-buffer-usage, the thread-safety
analysis, the ferrite-clang plugin, compile-fail diagnostics) have no GCC
twin.
"""

GCC = "g++-12"

# `--define=ferrite_gcc_mode=asan` (or tsan) builds and runs every GCC twin
# with that sanitizer: bazel test //tests:all --test_tag_filters=gcc
# --define=ferrite_gcc_mode=asan. The default is plain.
GCC_MODES = {
    "plain": struct(copts = [], env = {}),
    "asan": struct(
        copts = [
            "-D_GLIBCXX_ASSERTIONS",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
        env = {
            "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1",
            "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
        },
    ),
    "tsan": struct(
        copts = ["-D_GLIBCXX_ASSERTIONS", "-fsanitize=thread", "-fno-omit-frame-pointer"],
        env = {"TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1"},
    ),
}

def _mode(ctx):
    name = ctx.var.get("ferrite_gcc_mode", "plain")
    if name not in GCC_MODES:
        fail("--define=ferrite_gcc_mode=%s: expected one of %s" % (name, ", ".join(GCC_MODES)))
    return GCC_MODES[name]

# -O0 as the clang targets' default (fastbuild); -g for file:line in failures.
GCC_COPTS = ["-std=c++23", "-O0", "-g", "-pthread"]

# Warnings for ferrite's own code, as FERRITE_COPTS for clang.
GCC_WARNINGS = ["-Wall", "-Wextra", "-Werror"]

def _flags(ctx):
    """The include paths and defines of `deps`, as g++ arguments."""
    contexts = [dep[CcInfo].compilation_context for dep in ctx.attr.deps]
    flags = ["-I."]
    for context in contexts:
        flags += ["-D" + d for d in context.defines.to_list()]
        flags += ["-iquote" + d for d in context.quote_includes.to_list()]
        flags += ["-I" + d for d in context.includes.to_list()]
        flags += ["-isystem" + d for d in context.system_includes.to_list()]
    inputs = depset(ctx.files.textual, transitive = [c.headers for c in contexts])
    return flags, inputs

def _compile(ctx):
    """One g++ action per source; returns the object files."""
    flags, headers = _flags(ctx)
    warnings = GCC_WARNINGS if ctx.attr.warnings else []
    objects = []
    for src in ctx.files.srcs:
        obj = ctx.actions.declare_file("_gcc/%s/%s.o" % (ctx.label.name, src.short_path.replace("../", "")))
        args = GCC_COPTS + _mode(ctx).copts + warnings + ctx.attr.copts + flags
        args += ["-c", src.path, "-o", obj.path]
        ctx.actions.run_shell(
            inputs = depset([src], transitive = [headers]),
            outputs = [obj],
            command = GCC + ' "$@"',
            arguments = args,
            mnemonic = "GccCompile",
            progress_message = "Compiling %s with GCC" % src.short_path,
            use_default_shell_env = True,
        )
        objects.append(obj)
    return objects

def _gcc_library_impl(ctx):
    return [DefaultInfo(files = depset(_compile(ctx)))]

def _gcc_test_impl(ctx):
    objects = _compile(ctx) + ctx.files.libraries
    binary = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.run_shell(
        inputs = objects,
        outputs = [binary],
        command = GCC + ' "$@"',
        arguments = GCC_COPTS + _mode(ctx).copts + ctx.attr.linkopts +
                    [o.path for o in objects] + ["-o", binary.path],
        mnemonic = "GccLink",
        progress_message = "Linking %s with GCC" % binary.short_path,
        use_default_shell_env = True,
    )
    return [
        DefaultInfo(executable = binary, files = depset([binary])),
        testing.TestEnvironment(_mode(ctx).env),
    ]

_ATTRS = {
    "srcs": attr.label_list(allow_files = [".cc"]),
    "deps": attr.label_list(providers = [CcInfo]),
    # Files the sources include that no dependency declares (GoogleTest's
    # gtest-all.cc includes its other sources).
    "textual": attr.label_list(allow_files = True),
    "copts": attr.string_list(),
    "warnings": attr.bool(default = True),
}

ferrite_gcc_library = rule(
    implementation = _gcc_library_impl,
    attrs = _ATTRS,
    doc = "Object files compiled with GCC, for ferrite_gcc_test's `libraries`.",
)

ferrite_gcc_test = rule(
    implementation = _gcc_test_impl,
    attrs = dict(_ATTRS, **{
        "libraries": attr.label_list(allow_files = [".o"]),
        "linkopts": attr.string_list(),
    }),
    test = True,
    doc = "A test compiled, linked and run with GCC.",
)
