#!/usr/bin/env bash
# Refresh the front-end assets vendored under static/vendor/ from the npm registry (no CDN at run time:
# campus intranets block them). Records each package's version and licence beside its files.
# Usage: scripts/vendor_assets.sh            (versions below)
set -euo pipefail
cd "$(dirname "$0")/.."

ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version> → unpacked into $work/<package>
  local name=$1 version=$2
  (cd "$work" && npm pack --silent "${name}@${version}" >/dev/null)
  mkdir -p "$work/$name"
  tar -xzf "$work/${name}-${version}.tgz" -C "$work/$name" --strip-components=1
}

fetch echarts "$ECHARTS_VERSION"
dest=static/vendor/echarts
rm -rf "$dest" && mkdir -p "$dest"
cp "$work/echarts/dist/echarts.min.js" "$dest/"
cp "$work/echarts/LICENSE" "$dest/LICENSE"
[ -f "$work/echarts/NOTICE" ] && cp "$work/echarts/NOTICE" "$dest/NOTICE"
cat > "$dest/VERSION" <<INFO
package: echarts
version: ${ECHARTS_VERSION}
source: npm registry (https://registry.npmjs.org/echarts/-/echarts-${ECHARTS_VERSION}.tgz)
licence: Apache-2.0 (see LICENSE and NOTICE)
files: dist/echarts.min.js
INFO
echo "vendored echarts ${ECHARTS_VERSION} into ${dest}"

# htmx is not vendored here: django-htmx ships it ({% htmx_script %}), pinned by the Python dependency.
