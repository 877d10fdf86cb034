#!/bin/sh
# Production install of a packed release (`npm pack` → live-pos-dashboard-<version>.tgz) into DIR:
#   deploy/install.sh live-pos-dashboard-0.1.0.tgz /opt/live-pos-dashboard
# The steps the package-install test runs and the Dockerfile runs (README, Production install):
# a folder whose package.json allows better-sqlite3's install script (npm 11 lists, and a later npm
# blocks, install scripts of dependencies its package.json does not allow) and says the package's own
# `prepare` (the build, already in the tarball) is not to run; then an install without dev dependencies,
# which compiles better-sqlite3 for the Node.js that runs npm. Extra npm flags: NPM_INSTALL_FLAGS.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARBALL DIR" >&2; exit 2; }
tarball=$(readlink -f "$1")
mkdir -p "$2"
cd "$2"
if [ ! -f package.json ]; then
  cat > package.json <<'JSON'
{
  "name": "live-pos-dashboard-install",
  "private": true,
  "allowScripts": { "better-sqlite3": true, "live-pos-dashboard": false }
}
JSON
fi
# node-gyp compiles SQLite with as many jobs as there are cores.
export JOBS="${JOBS:-max}"
# shellcheck disable=SC2086
npm install --omit=dev --no-audit --no-fund ${NPM_INSTALL_FLAGS:-} "$tarball"
test -f node_modules/better-sqlite3/build/Release/better_sqlite3.node || {
  echo "better-sqlite3 was not compiled (were its install scripts skipped?)" >&2
  exit 1
}
echo "installed in $(pwd); start: $(pwd)/node_modules/.bin/live-pos-dashboard"
