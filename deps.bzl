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

A workspace that would rather fetch GoogleTest, Abseil or Google Benchmark
from their upstream release archives (or a mirror of them) names those, and
only those, archives; the others stay offline:

    ferrite_dependencies(
        googletest = {
            "urls": ["https://mirror.example/googletest-1.12.1.tar.gz"],
            "sha256": "<sha256 of that archive>",
            "strip_prefix": "googletest-release-1.12.1",
        },
    )

`url` (one) or `urls` (tried in order), `sha256` and `strip_prefix` are
what http_archive takes; sha256 is required. The archive must hold a
version with Bazel BUILD files that ferrite builds with (the pinned versions
in SOURCES are the tested ones). A repository the workspace declared itself
before the call is never replaced.
"""

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

# ferrite_dependencies() argument -> the repository it replaces.
UPSTREAM_ARGS = {
    "abseil": "com_google_absl",
    "googletest": "com_google_googletest",
    "benchmark": "com_github_google_benchmark",
}

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

def _upstream_archive(name, arg, archive):
    """Declares `name` as an http_archive from the dict given for `arg`."""
    if type(archive) != "dict":
        fail("ferrite_dependencies(%s = ...): expected a dict with url or urls, sha256, strip_prefix" % arg)
    unknown = [k for k in archive if k not in ["url", "urls", "sha256", "strip_prefix"]]
    if unknown:
        fail("ferrite_dependencies(%s = ...): unknown keys %s (expected url or urls, sha256, strip_prefix)" %
             (arg, ", ".join(unknown)))
    urls = archive.get("urls", [])
    if archive.get("url"):
        urls = [archive["url"]] + urls
    if not urls:
        fail("ferrite_dependencies(%s = ...): needs url or urls" % arg)
    if not archive.get("sha256"):
        fail("ferrite_dependencies(%s = ...): needs the archive's sha256 (an unpinned download is refused)" % arg)
    http_archive(
        name = name,
        urls = urls,
        sha256 = archive["sha256"],
        strip_prefix = archive.get("strip_prefix", ""),
    )

def ferrite_dependencies(googletest = None, abseil = None, benchmark = None):
    """Declares every repository ferrite needs. Call first in WORKSPACE.

    googletest, abseil, benchmark: optional upstream archives,
    {"url" or "urls", "sha256", "strip_prefix"}, used instead of the Debian
    source tarballs (see the file comment). Left out: offline, from Debian.
    """
    upstream = {"googletest": googletest, "abseil": abseil, "benchmark": benchmark}
    for arg, archive in upstream.items():
        name = UPSTREAM_ARGS[arg]
        if archive != None and not native.existing_rule(name):
            _upstream_archive(name, arg, archive)
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
