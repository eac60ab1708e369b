"""ferrite's external dependencies, for its own WORKSPACE and for users'.

A user's WORKSPACE (see tests/consumer/WORKSPACE):

    local_repository(name = "ferrite", path = "...")   # or any other way to get ferrite
    load("@ferrite//:deps.bzl", "ferrite_dependencies")
    ferrite_dependencies()

Everything is offline: the Bazel 4 stand-ins live in third_party/bazel/, skylib
and platforms come from Debian packages, and Abseil, GoogleTest and Google
Benchmark are built from the Debian source tarballs that tools/bootstrap
fetched and verified into $FERRITE_DISTDIR (default ~/.cache/ferrite/distfiles).
Each tarball's sha256 is verified again here.
"""

# name -> (tarball, sha256 of the tarball, top-level folder)
SOURCES = {
    "com_google_absl": (
        "abseil_20220623.1.orig.tar.gz",
        "abfe2897f3a30edaa74bc34365afe3c2a3cd012091a97dc7e008f7016adcd5fe",
        "abseil-20220623.1",
    ),
    "com_google_googletest": (
        "googletest_1.12.1.orig.tar.gz",
        "81964fe578e9bd7c94dfdb09c8e4d6e6759e19967e397dbea48d1c10e45d0df2",
        "googletest-release-1.12.1",
    ),
    "com_github_google_benchmark": (
        "benchmark_1.7.1.orig.tar.gz",
        "6430e4092653380d9dc4ccb45a1e2dc9259d581f4866dc0759713126056bc1d7",
        "benchmark-1.7.1",
    ),
}

def _distdir(rctx):
    env = rctx.os.environ
    if env.get("FERRITE_DISTDIR"):
        return env["FERRITE_DISTDIR"]
    return env.get("HOME", "/root") + "/.cache/ferrite/distfiles"

def _debian_source_impl(rctx):
    path = _distdir(rctx) + "/" + rctx.attr.file
    if not rctx.path(path).exists:
        fail("ferrite: %s is missing from %s; run tools/bootstrap to fetch and verify it" %
             (rctx.attr.file, _distdir(rctx)))
    result = rctx.execute(["sha256sum", path])
    if result.return_code != 0:
        fail("ferrite: cannot checksum %s: %s" % (path, result.stderr))
    actual = result.stdout.split(" ")[0]
    if actual != rctx.attr.sha256:
        fail("ferrite: checksum mismatch for %s: expected sha256 %s, got %s; delete it and run tools/bootstrap" %
             (path, rctx.attr.sha256, actual))
    rctx.extract(path, stripPrefix = rctx.attr.strip_prefix)

debian_source = repository_rule(
    implementation = _debian_source_impl,
    attrs = {
        "file": attr.string(mandatory = True),
        "sha256": attr.string(mandatory = True),
        "strip_prefix": attr.string(mandatory = True),
    },
    environ = ["FERRITE_DISTDIR", "HOME"],
    local = True,
)

def _local_tree_impl(rctx):
    root = rctx.path(rctx.attr.anchor).dirname
    for child in root.readdir():
        rctx.symlink(child, child.basename)

# A local repository whose path is given by a label inside ferrite, so that it
# resolves wherever ferrite itself lives (main workspace or a user's external repo).
local_tree = repository_rule(
    implementation = _local_tree_impl,
    attrs = {"anchor": attr.label(mandatory = True, allow_single_file = True)},
    local = True,
)

def ferrite_dependencies():
    """Declares every repository ferrite needs. Call first in WORKSPACE."""
    for name in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        if not native.existing_rule(name):
            local_tree(name = name, anchor = Label("//third_party/bazel/%s:WORKSPACE" % name))
    if not native.existing_rule("bazel_skylib"):
        native.local_repository(name = "bazel_skylib", path = "/usr/share/bazel/tools/skylib")
    if not native.existing_rule("platforms"):
        native.local_repository(name = "platforms", path = "/usr/share/bazel/tools/platforms")
    for name, (file, sha256, prefix) in SOURCES.items():
        if not native.existing_rule(name):
            debian_source(name = name, file = file, sha256 = sha256, strip_prefix = prefix)
