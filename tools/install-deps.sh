#!/usr/bin/env bash
# Installs what ejournal needs to build and test, from Debian packages only.
# prometheus brings promtool, which the server tests use to check /metrics. The reports are written with
# libxlsxwriter (XLSX) and cairo + pango (PDF, DejaVu fonts embedded); their tests read them back with real
# readers: python3-openpyxl, poppler-utils (pdftotext, pdffonts) and qpdf. clang and libFuzzer build the fuzz
# targets (make fuzz). postgresql-15 is the peer `ej-bench ws --mix` measures ejournald beside (tools/peer-pg).
# Idempotent: when every package is already installed it does nothing and returns in well under a second.
# Boost comes from the 1.81 packages (Beast, Asio, JSON); they conflict with the default libboost-dev (1.74),
# so that one must never be installed alongside.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  librocksdb-dev libflatbuffers-dev flatbuffers-compiler
  libzstd-dev zstd libsodium-dev catch2
  nodejs chromium firefox-esr
  prometheus
  libxlsxwriter-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core
  poppler-utils qpdf python3-openpyxl
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  postgresql-15 postgresql-client-15
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# The web client's chart library and the end-to-end tests' browser driver, from npm with committed lock
# files (never fetched at run time or by the browser).
# npm ci runs again whenever the committed lock file is newer than what was installed from it.
install_npm() {
  local dir=$1
  if [ ! -e "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
}
root=$(cd "$(dirname "$0")/.." && pwd)

if [ ${#missing[@]} -eq 0 ]; then
  install_npm "$root/web"
  install_npm "$root/tests/web"
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
if ! command -v npm >/dev/null; then "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends npm; fi
install_npm "$root/web"
install_npm "$root/tests/web"
