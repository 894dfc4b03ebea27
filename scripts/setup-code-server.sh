#!/usr/bin/env bash
# Installs a real VS Code for end-to-end tests without downloading VS Code itself: code-server
# (VS Code's server and web UI, from the npm registry), driven through Debian's Chromium with
# playwright-core. Everything goes into one folder (default .test-work/e2e, which git ignores);
# running the script again skips what is already installed.
#
#   scripts/setup-code-server.sh            # install
#   KSM_E2E_DIR=/tmp/e2e scripts/setup-code-server.sh
#
# Afterwards:
#   $KSM_E2E_DIR/node_modules/.bin/code-server   VS Code 1.100, with its built-in extensions
#   $KSM_E2E_DIR/node_modules/playwright-core    to drive /usr/bin/chromium
set -euo pipefail

# 4.100.x is the last code-server line that runs on Node 20; newer ones need Node 22 or later.
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_CORE_VERSION=1.65.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${KSM_E2E_DIR:-$root/.test-work/e2e}"
marker="$dir/.installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_CORE_VERSION"
if [[ -f "$marker" ]]; then
  echo "code-server $CODE_SERVER_VERSION already set up in $dir"
  exit 0
fi

# Native modules build against libkrb5; VS Code's search needs ripgrep, whose npm installer
# would download a binary, so Debian's is copied in its place.
packages=(libkrb5-dev ripgrep chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || echo '{ "private": true }' > package.json
# --ignore-scripts: the packages' install scripts download prebuilt binaries; the native
# modules are rebuilt from source below instead.
npm install --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION"

vscode="$dir/node_modules/code-server/lib/vscode"
(
  cd "$vscode"
  npm install --no-audit --no-fund --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm_config_yes=true npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog
  # code-server's VS Code loads its modules from node_modules.asar, which the npm package does not ship.
  [[ -e node_modules.asar ]] || ln -s node_modules node_modules.asar
)
(cd "$vscode/extensions" && npm install --no-audit --no-fund --omit=dev --ignore-scripts)
npm rebuild argon2 --build-from-source

touch "$marker"
echo "code-server $CODE_SERVER_VERSION set up in $dir"
