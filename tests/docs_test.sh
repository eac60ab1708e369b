#!/usr/bin/env bash
# tools/docs: the API reference builds with no doxygen warning (every public
# entity documented, every \ref resolved), and its index page renders in
# headless Chromium: the page's scripts build the menu, and the page names
# the project and links to the main types, whose pages exist. The screenshot
# goes to the test's undeclared outputs (bazel-testlogs/.../test.outputs/).
set -euo pipefail
root="$TEST_SRCDIR/$TEST_WORKSPACE"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
shots="${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}"

fail() { echo "FAIL: $*"; exit 1; }
for tool in doxygen chromium; do
  command -v "$tool" >/dev/null || fail "$tool is not installed; run tools/bootstrap (as root) first"
done

# 1. The reference, with warnings as errors (tools/docs prints them).
"$root/tools/docs" --no-install --out "$tmp/docs" >/dev/null || fail "tools/docs failed (warnings above)"
html="$tmp/docs/html"
[ -f "$html/index.html" ] || fail "no index.html in $html"

# 2. The index page in a browser. Chromium wants a writable profile and home.
export HOME="$tmp/home"
mkdir -p "$HOME"
chrome=(chromium --headless --disable-gpu --no-sandbox --no-first-run --disable-dev-shm-usage
        "--user-data-dir=$tmp/chromium-profile" --window-size=1280,1024)
browse() {  # browse OUTPUT ARGS...: run chromium, keep its stderr for the failure message
  local output="$1"; shift
  if ! timeout 120 "${chrome[@]}" "$@" >"$output" 2>"$tmp/chromium.log"; then
    cat "$tmp/chromium.log"
    fail "chromium $* failed"
  fi
}
browse "$tmp/index.dom" --dump-dom "file://$html/index.html"
dom="$tmp/index.dom"
grep -q '<title>ferrite: ' "$dom" || fail "the page title does not name ferrite: $(grep -o '<title>[^<]*' "$dom")"
grep -q 'id="projectname">ferrite' "$dom" || fail "the page header does not name ferrite"
# menu.js builds the navigation menu only when the page's scripts run.
grep -q 'id="main-menu"' "$dom" || fail "the navigation menu was not built: the page's scripts did not run"
for page in classferrite_1_1Mutex classferrite_1_1channel_1_1Sender classferrite_1_1channel_1_1Receiver \
            classferrite_1_1Arc classferrite_1_1Vec classferrite_1_1thread_1_1JoinHandle \
            conceptferrite_1_1Send; do
  grep -q "href=\"$page.html\"" "$dom" || fail "the index does not link to $page.html"
  [ -f "$html/$page.html" ] || fail "the index links to $page.html, which was not generated"
done
for name in 'ferrite::Mutex' 'ferrite::channel::Sender'; do
  grep -q ">$name<" "$dom" || fail "the index does not show $name"
done

# 3. A class page renders its documented members.
browse "$tmp/mutex.dom" --dump-dom "file://$html/classferrite_1_1Mutex.html"
grep -q 'A mutual-exclusion lock that owns a T' "$tmp/mutex.dom" || fail "Mutex's page lacks its description"
grep -q '>lock<' "$tmp/mutex.dom" || fail "Mutex's page lacks lock()"

# 4. The screenshot: a PNG of the rendered index page, outside the source tree.
shot="$shots/index.png"
browse "$tmp/screenshot.log" "--screenshot=$shot" "file://$html/index.html"
[ -s "$shot" ] || fail "no screenshot at $shot"
[ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$shot is not a PNG"
[ "$(stat -c %s "$shot")" -gt 10000 ] || fail "$shot is suspiciously small: an empty page?"
echo "PASS (screenshot: $shot)"
