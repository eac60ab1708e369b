"""The ferrite-clang plugin as a compile input.

    cc_library(
        name = "app",
        srcs = ["app.cc"],
        copts = FERRITE_CHECK_COPTS,   # -fplugin=<the plugin>
        deps = FERRITE_CHECK_DEPS + ["@ferrite//:ferrite"],
    )

(sanitizers/defs.bzl exports both.) The plugin is built once, for the
execution platform, whatever the configuration of the code it checks (plain,
sanitized, optimized); every compile that loads it has it among its declared
inputs, so the sandbox holds it. Bazel then keeps only the inputs that the
compile's .d file lists, and clang lists no plugin by itself:
FERRITE_CHECK_COPTS adds it (`-fdepfile-entry`), so a change to the plugin
alone recompiles what it checked.
"""

def _compiler_plugin_impl(ctx):
    plugin = ctx.file.plugin
    return [
        # $(execpath) of this target: the plugin itself.
        DefaultInfo(files = depset([plugin]), runfiles = ctx.runfiles(files = [plugin])),
        # Carried as a header, so every compile of a dependent has it as an input.
        CcInfo(compilation_context = cc_common.create_compilation_context(
            headers = depset([plugin]),
        )),
    ]

compiler_plugin = rule(
    implementation = _compiler_plugin_impl,
    doc = "A clang plugin (a shared object) that dependents' compiles take as an input.",
    attrs = {
        "plugin": attr.label(mandatory = True, allow_single_file = [".so"], cfg = "exec"),
    },
    provides = [CcInfo],
)
