#!/usr/bin/env python3
"""Tests for tools/audit, the unsafe-region register.

Run: python3 tests/audit/audit_test.py  (FERRITE_ROOT=<repo root> optional).
Fixtures live in tests/audit/fixtures/ (outside include/ lib/ examples/, so the
real scan never sees them); anything written goes to a temporary directory.
"""

import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

ROOT = Path(os.environ.get("FERRITE_ROOT") or
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")).absolute()
TOOL = ROOT / "tools" / "audit"
FIXTURES = ROOT / "tests" / "audit" / "fixtures"


def load_tool():
    """Import tools/audit (no .py suffix) as a module, without writing bytecode."""
    sys.dont_write_bytecode = True
    loader = importlib.machinery.SourceFileLoader("ferrite_audit", str(TOOL))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


audit = load_tool()


def run_tool(*args):
    """Run tools/audit as a subprocess; returns the CompletedProcess."""
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)],
                          capture_output=True, text=True, check=False)


def check_fixtures(*names):
    """Audit fixture files in-process; returns (notes, rows, error strings)."""
    notes, rows, errors = audit.audit(audit.read_sources(FIXTURES, names))
    return notes, rows, [str(e) for e in errors]


def rows_by_id(rows):
    """Map note id -> register Row."""
    return {row.note.id: row for row in rows}


def write_tree(root, files):
    """Create `files` (path -> text, dedented) under root."""
    for rel, text in files.items():
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def without_line(text, line):
    """The text with its 1-based line `line` deleted."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[: line - 1] + lines[line:])


class FixtureTest(unittest.TestCase):
    """The rules, one fixture each."""

    def test_unannotated_fails_with_exact_locations(self):
        result = run_tool("--root", FIXTURES, "--paths", "unannotated.h", "--stdout", "-q")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        self.assertEqual(errors, [
            "unannotated.h:8: error: memcpy without a SAFETY(id) note directly above",
            "unannotated.h:13: error: atomic-relaxed without an ORDERING(id) note directly above",
            "unannotated.h:16: error: reinterpret_cast without a SAFETY(id) note directly above",
        ])

    def test_annotated_passes_and_detects_every_kind(self):
        notes, rows, errors = check_fixtures("annotated.h")
        self.assertEqual(errors, [])
        self.assertEqual(len(notes), 22)
        kinds = {finding.kind for row in rows for finding in row.findings}
        self.assertEqual(kinds, set(audit.KIND_NAMES))
        by_id = rows_by_id(rows)
        expected = {
            "buffers-one": ("buffers", 16), "buffers-region-one": ("buffers-region", 22),
            "placement-one": ("placement-new", 30), "construct-one": ("construct_at", 35),
            "destroy-one": ("destroy_at", 40), "destroy-n-one": ("destroy_at", 45),
            "destroy-range-one": ("destroy_at", 47), "launder-one": ("launder", 52),
            "reinterpret-one": ("reinterpret_cast", 57), "const-one": ("const_cast", 62),
            "dtor-one": ("destructor-call", 67), "dtor-two": ("destructor-call", 72),
            "memset-one": ("memcpy", 77), "memmove-one": ("memcpy", 82),
            "relaxed-one": ("atomic-relaxed", 88), "consume-one": ("atomic-consume", 93),
            "acquire-one": ("atomic-acquire", 98), "release-one": ("atomic-release", 103),
            "acq-rel-one": ("atomic-acq_rel", 109), "handle-send": ("impl-send", 119),
            "handle-sync": ("impl-sync", 122), "handle-sync-mut": ("impl-sync-mut", 124),
        }
        self.assertEqual({id_: (row.kinds[0], row.line) for id_, row in by_id.items()}, expected)
        self.assertEqual(by_id["relaxed-one"].note.text,
                         "a statistic; nothing is published through it, so no operation pairs "
                         "with it.")
        self.assertEqual(by_id["handle-sync"].note.text,
                         "a Handle has no mutating const members.")

    def test_comments_strings_and_defines_are_ignored(self):
        notes, rows, errors = check_fixtures("ignored.h")
        self.assertEqual((notes, rows, errors), ((), (), []))

    def test_strip_source_keeps_line_numbers(self):
        code, comments = audit.strip_source(
            'a; /* x\n y */ b;\nc("s\\"", \'"\', 1\'000); // memcpy\nR"d(\n)d";\nd; R"x()")x";\n')
        self.assertEqual(code[1], " b;")
        self.assertEqual(code[2].rstrip(), "c(\"\", '', 1'000);")
        self.assertEqual(comments, {3: " memcpy"})
        self.assertEqual(code[4].strip(), ";")
        self.assertEqual(code[5].strip(), 'd; "";')

    def test_placement_new_is_not_plain_new(self):
        code = ["p = new (buf) T(1);", "q = ::new (static_cast<void*>(buf)) T;",
                "r = new T(2);", "s = new (std::nothrow) T;", "void* operator new(size_t);"]
        kinds = [(f.line, f.kind) for f in audit.find_findings(code, set())]
        self.assertEqual(kinds, [(1, "placement-new"), (2, "placement-new")])

    def test_multiline_statements_share_the_note_above_their_first_line(self):
        _, rows, errors = check_fixtures("multiline.h")
        by_id = rows_by_id(rows)
        self.assertEqual(by_id["push-cas"].kinds, ("atomic-release", "atomic-relaxed"))
        self.assertEqual(by_id["push-cas"].line, 13)
        self.assertEqual(by_id["copy-in-bytes"].kinds, ("memcpy",))
        self.assertEqual(by_id["copy-in-ready"].kinds, ("atomic-release",))
        self.assertEqual(by_id["copy-in-ready"].note.text,
                         "release pairs with the acquire load of ready in copy_out(); it "
                         "publishes the bytes copied here.")
        self.assertEqual(errors, [
            "multiline.h:29: error: atomic-relaxed without an ORDERING(id) note directly above "
            "its statement (line 27)"])

    def test_statement_start_heuristic(self):
        code, comments = audit.strip_source(textwrap.dedent("""\
            int a = 0;
            f(x,
              y,
              z);
            #define M 1
            g(1,
              2);
            if (c)
              h();
            """))
        directives = audit.directive_lines(code)

        def start(line):
            return audit.statement_start(line, code, comments, directives)

        self.assertEqual([start(n) for n in range(1, 10)], [1, 2, 2, 2, 5, 6, 6, 8, 8])
        long_call = ["x;"] + ["a,"] * (audit.MAX_STATEMENT_LINES + 2) + ["b);"]
        self.assertEqual(audit.statement_start(len(long_call), long_call, {}, set()),
                         len(long_call), "no boundary within the bound: its own line")

    def test_begin_end_region_covers_non_atomic_findings(self):
        _, rows, errors = check_fixtures("regions.h")
        self.assertEqual(errors, [])
        by_id = rows_by_id(rows)
        self.assertEqual(by_id["fill-region"].kinds,
                         ("buffers-region", "memcpy", "reinterpret_cast"))
        self.assertEqual(by_id["fill-region"].line, 9)
        self.assertEqual(by_id["fill-done"].kinds, ("atomic-release",))

    def test_region_errors(self):
        _, _, errors = check_fixtures("region_errors.h")
        self.assertEqual(errors, [
            "region_errors.h:9: error: SAFETY(inner-redundant) is redundant: the "
            "FERRITE_UNSAFE_BEGIN region at line 8 already covers memcpy",
            "region_errors.h:11: error: atomic-release without an ORDERING(id) note directly above",
            "region_errors.h:16: error: FERRITE_UNSAFE_END without a matching FERRITE_UNSAFE_BEGIN",
            "region_errors.h:22: error: FERRITE_UNSAFE_BUFFERS inside the region opened at line "
            "21; regions must not nest (clang rejects it)",
        ])

    def test_unterminated_begin(self):
        _, _, errors = check_fixtures("unterminated.h")
        self.assertEqual(errors, [
            "unterminated.h:6: error: unterminated FERRITE_UNSAFE_BEGIN: no FERRITE_UNSAFE_END "
            "follows in this file"])

    def test_duplicate_ids(self):
        _, _, errors = check_fixtures("duplicate_ids.h", "duplicate_ids_other.h")
        self.assertEqual(errors, [
            "duplicate_ids.h:11: error: duplicate id 'dup-copy' (first used at duplicate_ids.h:6)",
            "duplicate_ids_other.h:6: error: duplicate id 'dup-copy' (first used at "
            "duplicate_ids.h:6)",
        ])

    def test_stale_notes(self):
        _, _, errors = check_fixtures("stale.h")
        stale = ("annotates no region (a note must end on the line directly above the region's "
                 "statement)")
        self.assertEqual(errors, [
            f"stale.h:6: error: stale note: SAFETY(detached) {stale}",
            "stale.h:8: error: memcpy without a SAFETY(id) note directly above",
            f"stale.h:11: error: stale note: SAFETY(no-region) {stale}",
        ])

    def test_ordering_and_safety_mismatch(self):
        _, _, errors = check_fixtures("mismatch.h")
        self.assertEqual(errors, [
            "mismatch.h:8: error: memcpy without a SAFETY(id) note directly above; "
            "ORDERING(copy-ordering) there is for atomic orders",
            "mismatch.h:13: error: atomic-acquire without an ORDERING(id) note directly above; "
            "SAFETY(load-safety) there is for non-atomic regions",
            "mismatch.h:18: error: ORDERING(h-extra) above no atomic order (memcpy); non-atomic "
            "regions need a SAFETY(id) note",
            "mismatch.h:21: error: second SAFETY note on one statement (SAFETY(h-first) at line "
            "20); merge them",
        ])

    def test_malformed_tags(self):
        _, _, errors = check_fixtures("malformed.h")
        shape = "write `// {0}(id): text` with id matching [a-z0-9][a-z0-9-]*"
        self.assertEqual(errors, [
            "malformed.h:6: error: malformed SAFETY tag; " + shape.format("SAFETY"),
            "malformed.h:7: error: memcpy without a SAFETY(id) note directly above",
            "malformed.h:8: error: malformed SAFETY tag; " + shape.format("SAFETY"),
            "malformed.h:9: error: memcpy without a SAFETY(id) note directly above",
            "malformed.h:10: error: malformed ORDERING tag; " + shape.format("ORDERING"),
            "malformed.h:11: error: memcpy without a SAFETY(id) note directly above",
            "malformed.h:12: error: a SAFETY/ORDERING note must be on its own `//` lines directly "
            "above the region, not a trailing comment",
            "malformed.h:12: error: memcpy without a SAFETY(id) note directly above",
        ])

    def test_list_notes(self):
        result = run_tool("--root", FIXTURES, "--paths", "regions.h", "--list-notes")
        self.assertEqual((result.returncode, result.stdout),
                         (0, "regions.h:8:fill-region\nregions.h:13:fill-done\n"))

    def test_missing_path_is_a_usage_error(self):
        result = run_tool("--root", FIXTURES, "--paths", "no_such.h", "--stdout")
        self.assertEqual(result.returncode, 2)
        self.assertIn("no_such.h", result.stderr)

    def test_every_fixture_note_is_needed(self):
        assert_each_note_needed(self, audit.read_sources(FIXTURES, ("annotated.h", "regions.h")))


WIDGET_H = """
    // A fixture header.
    #pragma once
    #include <cstring>

    inline void widget_copy(char* d, const char* s) {
      // SAFETY(widget-copy): d and s hold one byte each.
      std::memcpy(d, s, 1);
    }
    """

# A header, a lonely region and a source file: three notes of three kinds.
WIDGET_TREE = {
    "include/ferrite/widget.h": WIDGET_H,
    "include/ferrite/lonely.h": """
        #pragma once
        // SAFETY(lonely-cast): p points to a live int.
        inline int* lonely(long p) { return reinterpret_cast<int*>(p); }
        """,
    "lib/widget.cc": """
        #include "ferrite/widget.h"
        // ORDERING(widget-flag): pairs with the acquire load in widget_wait().
        void widget_set(std::atomic<int>& f) { f.store(1, std::memory_order_release); }
        """,
}


def widget_tree(test, files):
    """A temporary root, removed after `test`, holding WIDGET_TREE and `files`."""
    root = Path(tempfile.mkdtemp(prefix="audit_test_"))
    test.addCleanup(shutil.rmtree, root)
    write_tree(root, {**WIDGET_TREE, **files})
    return root


class RegisterTest(unittest.TestCase):
    """docs/AUDIT.md: writing, --check, links and the tests column."""

    def setUp(self):
        self.root = widget_tree(self, {
            "examples/demo.cc": """
                int main(int, char** argv) {
                  // SAFETY(demo-cast): argv[0] is a C string.
                  return *const_cast<char*>(argv[0]);
                }
                """,
            "tests/widget_test.cc": '#include "ferrite/widget.h"\n',
            "tests/run/examples_test.cc": "// Runs the demo example.\n",
            "tests/misc_test.cc": "// audit: lonely-cast\n",
            "tests/unrelated_test.cc": '#include "ferrite/other.h"\n',
        })
        self.register = self.root / "docs" / "AUDIT.md"

    def test_writes_register_and_check_passes(self):
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.register.read_text(encoding="utf-8")
        self.assertTrue(text.startswith("# Unsafe-region register\n"))
        self.assertIn("writes this file; regenerate\nboth after changing a region", text)
        self.assertIn(
            "| `widget-copy` | [include/ferrite/widget.h:7](../include/ferrite/widget.h#L7) | "
            "memcpy | SAFETY: d and s hold one byte each. | tests/widget_test.cc |", text)
        self.assertIn("| memcpy | 1 |", text)
        self.assertIn("| **all** | 4 |", text)
        self.assertEqual(run_tool("--root", self.root, "--check").returncode, 0)
        self.assertEqual(run_tool("--root", self.root, "--stdout").stdout, text)

    def test_tests_column(self):
        _, rows, errors = audit.audit(audit.read_sources(self.root))
        self.assertEqual(errors, ())
        tests = audit.read_tests(self.root)
        found = {row.note.id: audit.tests_for(row.note, tests) for row in rows}
        self.assertEqual(found, {
            "widget-copy": ["tests/widget_test.cc"],
            "lonely-cast": ["tests/misc_test.cc"],
            "widget-flag": ["tests/widget_test.cc"],
            "demo-cast": ["tests/run/examples_test.cc"],
        })

    def test_bazelignored_directories_are_skipped(self):
        write_tree(self.root, {
            ".bazelignore": "tests/outside\n",
            "tests/outside/widget_test.cc": '#include "ferrite/widget.h"\n',
            "include/outside.h": "",
        })
        (self.root / "include" / "bazel-out").symlink_to(self.root / "include")
        tests = audit.read_tests(self.root)
        self.assertNotIn("tests/outside/widget_test.cc", tests)
        self.assertIn("include/outside.h", audit.read_sources(self.root))
        self.assertFalse(any("bazel-out" in path for path in audit.read_sources(self.root)))

    def test_untested_region_is_a_warning(self):
        (self.root / "tests" / "misc_test.cc").unlink()
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("include/ferrite/lonely.h:3: warning: no test exercises SAFETY(lonely-cast)",
                      result.stderr)
        self.assertIn("| `lonely-cast` | [include/ferrite/lonely.h:3]"
                      "(../include/ferrite/lonely.h#L3) | reinterpret_cast | "
                      "SAFETY: p points to a live int. | — |",
                      self.register.read_text(encoding="utf-8"))
        self.assertNotIn("warning", run_tool("--root", self.root, "-q").stderr)

    def test_check_detects_a_stale_register(self):
        self.assertEqual(run_tool("--root", self.root).returncode, 0)
        header = self.root / "include/ferrite/widget.h"
        header.write_text(header.read_text().replace("one byte", "two bytes"))
        result = run_tool("--root", self.root, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("docs/AUDIT.md:1: error: the register is stale; run tools/audit to "
                      "regenerate it", result.stderr)
        self.register.unlink()
        result = run_tool("--root", self.root, "--check")
        self.assertEqual(result.returncode, 1)
        self.assertIn("the register is missing; run tools/audit", result.stderr)

    def test_errors_prevent_writing(self):
        header = self.root / "include/ferrite/widget.h"
        header.write_text(header.read_text().replace("// SAFETY(widget-copy)", "// Note"))
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("include/ferrite/widget.h:7: error: memcpy without a SAFETY(id) note "
                      "directly above", result.stderr)
        self.assertFalse(self.register.exists())

    def test_output_elsewhere_links_relative_to_it(self):
        output = self.root / "out" / "deep" / "register.md"
        self.assertEqual(run_tool("--root", self.root, "--output", output).returncode, 0)
        self.assertIn("](../../include/ferrite/widget.h#L7)", output.read_text(encoding="utf-8"))
        self.assertEqual(run_tool("--root", self.root, "--check", "--output", output).returncode, 0)
        self.assertFalse(self.register.exists())


class CoverageTest(unittest.TestCase):
    """The tests column from docs/AUDIT.coverage.json and tools/audit-coverage-exempt."""

    def setUp(self):
        self.root = widget_tree(self, {
            "tools/audit-coverage-exempt": """
                # Why no test executes a region.
                reason oom: allocation failure path: reached only when operator new fails
                lonely-cast: oom
                """,
        })
        self.register = self.root / "docs" / "AUDIT.md"
        self.regions = {
            "widget-copy": ["//tests:widget_test"],
            "widget-flag": [f"//tests:t{i}_test" for i in range(5)],
            "lonely-cast": [],
        }

    def write_coverage(self):
        """Write the fixture's docs/AUDIT.coverage.json from self.regions."""
        data = {"date": "2026-01-02 03:04 UTC", "regions": self.regions}
        (self.root / "docs").mkdir(exist_ok=True)
        (self.root / "docs" / "AUDIT.coverage.json").write_text(json.dumps(data))

    def assert_check_fails(self, *messages):
        """Write the coverage data; `tools/audit --check` must fail with `messages`."""
        self.write_coverage()
        result = run_tool("--root", self.root, "--check")
        self.assertEqual(result.returncode, 1)
        for message in messages:
            self.assertIn(message, result.stderr)

    def test_column_lists_executing_tests_and_reasons(self):
        self.write_coverage()
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.register.read_text(encoding="utf-8")
        self.assertIn("| memcpy | SAFETY: d and s hold one byte each. | //tests:widget_test |",
                      text)
        self.assertIn("| //tests:t0_test, //tests:t1_test, //tests:t2_test, //tests:t3_test "
                      "(+1 more) |", text)
        self.assertIn("| none: allocation failure path: reached only when operator new "
                      "fails |", text)
        self.assertIn("`docs/AUDIT.coverage.json`, last run 2026-01-02 03:04 UTC.", text)
        self.assertIn("2 of 3 regions are executed by at least one test; 1 are not, and say why.", text)
        self.assertEqual(run_tool("--root", self.root, "--check").returncode, 0)

    def test_region_without_entry_or_reason_fails_check(self):
        self.write_coverage()
        self.assertEqual(run_tool("--root", self.root).returncode, 0)
        del self.regions["widget-flag"]
        self.assert_check_fails(
            "ORDERING(widget-flag) has no entry in docs/AUDIT.coverage.json (a new region?): "
            "run tools/audit-coverage, or give it a reason in tools/audit-coverage-exempt")
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("| not measured: run tools/audit-coverage |",
                      self.register.read_text(encoding="utf-8"))

    def test_unexecuted_region_without_reason_fails(self):
        (self.root / "tools" / "audit-coverage-exempt").unlink()
        self.assert_check_fails(
            "include/ferrite/lonely.h:3: error: no test executes SAFETY(lonely-cast) "
            "(docs/AUDIT.coverage.json): write one that does, or give it a reason in "
            "tools/audit-coverage-exempt")

    def test_sometimes_reason_accepts_either_outcome(self):
        write_tree(self.root, {"tools/audit-coverage-exempt": """
            reason window (sometimes): runs only when two threads meet in a window
            lonely-cast: window
            """})
        self.write_coverage()
        result = run_tool("--root", self.root)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(run_tool("--root", self.root, "--check").returncode, 0)
        self.assertIn("| none: runs only when two threads meet in a window |",
                      self.register.read_text(encoding="utf-8"))
        self.regions["lonely-cast"] = ["//tests:lonely_test"]
        self.write_coverage()
        self.assertEqual(run_tool("--root", self.root).returncode, 0)
        self.assertEqual(run_tool("--root", self.root, "--check").returncode, 0)
        self.assertIn("| //tests:lonely_test; not in every run: runs only when two threads "
                      "meet in a window |", self.register.read_text(encoding="utf-8"))
        # Without "(sometimes)", the same data is a stale exemption.
        write_tree(self.root, {"tools/audit-coverage-exempt": """
            reason window: runs only when two threads meet in a window
            lonely-cast: window
            """})
        self.assert_check_fails("SAFETY(lonely-cast) is exempt, yet //tests:lonely_test "
                                "executes it")

    def test_stale_exemptions_fail(self):
        self.regions["lonely-cast"] = ["//tests:lonely_test"]
        write_tree(self.root, {"tools/audit-coverage-exempt": """
            reason oom: reached only when operator new fails
            reason spare: given to nothing
            lonely-cast: oom
            gone-id: oom
            widget-copy: missing
            not a line
            """})
        self.assert_check_fails(
            "tools/audit-coverage-exempt:3: error: SAFETY(lonely-cast) is exempt, yet "
            "//tests:lonely_test executes it",
            "tools/audit-coverage-exempt:4: error: 'gone-id' is no region of the register",
            "tools/audit-coverage-exempt:5: error: 'widget-copy': no reason 'missing'",
            "tools/audit-coverage-exempt:6: error: expected `reason KEY: text` or `ID: KEY`",
            "tools/audit-coverage-exempt:2: error: reason 'spare' is given to no region")


def assert_each_note_needed(test, sources, sites=()):
    """Deleting any single tag line from `sources` must make the audit fail
    (`sites`: the compiler's records of the constructs in them)."""
    notes, _, errors = audit.audit(sources, sites)
    test.assertEqual([str(e) for e in errors], [], "the unmodified sources must pass")
    for note in notes:
        with test.subTest(note=f"{note.path}:{note.line}:{note.id}"):
            mutated = dict(sources)
            mutated[note.path] = without_line(sources[note.path], note.line)
            test.assertNotEqual(audit.audit(mutated, sites)[2], (),
                                f"deleting the tag line of {note.id} went unnoticed")


class RepositoryTest(unittest.TestCase):
    """The real tree at FERRITE_ROOT."""

    def test_committed_register_is_current(self):
        result = run_tool("--root", ROOT, "--check", "-q")
        self.assertEqual(result.returncode, 0,
                         f"tools/audit --check failed; fix the notes, then run tools/audit:\n"
                         f"{result.stderr}")

    def test_every_note_is_needed(self):
        assert_each_note_needed(self, audit.read_sources(ROOT), audit.read_sites(ROOT))

    def test_coverage_data_is_committed(self):
        self.assertTrue((ROOT / audit.COVERAGE).is_file(),
                        f"{audit.COVERAGE} is missing; run tools/audit-coverage, then tools/audit")

    def test_default_root_is_the_parent_of_tools(self):
        self.assertEqual(run_tool("--list-notes").stdout,
                         run_tool("--root", ROOT, "--list-notes").stdout)


if __name__ == "__main__":
    unittest.main()
