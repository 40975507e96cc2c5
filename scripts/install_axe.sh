#!/usr/bin/env bash
# axe-core, the accessibility checker that tests/test_site_browser.py runs inside headless Chromium, from the npm
# registry at an exact version whose tarball hash is checked, unpacked into .cache/axe-core/ (git-ignored).
# Needs npm (Debian: apt-get install npm). Does nothing if that version is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.14.1
sha256=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
dest=.cache/axe-core
if [ -f "$dest/axe.min.js" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null)
echo "$sha256  $tmp/axe-core-$version.tgz" | sha256sum -c --quiet -
mkdir -p "$dest"
tar -xzf "$tmp/axe-core-$version.tgz" -C "$tmp" package/axe.min.js package/LICENSE
cp "$tmp/package/axe.min.js" "$tmp/package/LICENSE" "$dest/"
echo "$version" > "$dest/VERSION"
