#!/usr/bin/env bash
# Installs what Gatehouse needs on a fresh Debian 12 machine, skipping every step
# whose tool is already there. Only package registries are used (crates.io, npm,
# Debian): nothing downloads a prebuilt binary from elsewhere.
#
#   .ci/install-tools.sh build   # what `make run` needs
#   .ci/install-tools.sh test    # plus chromium, PostgreSQL, Playwright
#   .ci/install-tools.sh load    # what `make run` needs, plus wrk (make load)
#   .ci/install-tools.sh fuzz    # what `make run` needs, plus Schemathesis (make api-fuzz)
#   .ci/install-tools.sh scim    # what `make run` needs, plus scim2-tester (make scim-test)
#   .ci/install-tools.sh replicas # what `make test` needs, plus nginx (make replicas, replicas-test)
set -euo pipefail
what=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_packages=()
need_apt() { apt_packages+=("$@"); }

if [ "$what" = replicas ]; then
  [ -x /usr/sbin/nginx ] || need_apt nginx
  what=test
fi
if [ "$what" = test ]; then
  command -v chromium >/dev/null 2>&1 || need_apt chromium
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt postgresql
  # Debian's python (not whatever python3 comes first on PATH) runs the SMTP sink.
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need_apt python3-aiosmtpd
  # dkimpy (Debian's build of PyPI's dkimpy; PyNaCl for Ed25519) verifies the DKIM
  # signatures in the mail tests, which make their keys with openssl.
  /usr/bin/python3 -c 'import dkim, nacl.signing' >/dev/null 2>&1 || need_apt python3-dkim python3-nacl
  command -v openssl >/dev/null 2>&1 || need_apt openssl
fi
if [ "$what" = load ]; then
  command -v wrk >/dev/null 2>&1 || need_apt wrk
fi
if [ "$what" = fuzz ] || [ "$what" = scim ]; then
  # Debian's python makes the virtual environment only with its venv package.
  /usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1 || need_apt python3-venv
fi
command -v node >/dev/null 2>&1 || need_apt nodejs npm
command -v cc >/dev/null 2>&1 || need_apt build-essential
if [ ${#apt_packages[@]} -gt 0 ]; then
  say "apt-get install ${apt_packages[*]}"
  $SUDO apt-get update -qq
  # Packages with a service (nginx, PostgreSQL) are only installed here, never started:
  # the tests run their own copies on free ports.
  no_start=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    no_start=1
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
  fi
  installed=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" ||
    installed=$?
  if [ -n "$no_start" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
  [ "$installed" = 0 ] || exit "$installed"
fi

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  # No --locked: its lockfile names a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  say "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt; Debian's is too old to hydrate)"
  npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION"
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once per machine)"
  # Its release profile links with full LTO in one codegen unit, which is half of its
  # install time on 2 cores (about 18 minutes). It orchestrates builds; optimised code
  # without LTO does that as well, and installs in about 10.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads --force
fi

if [ "$what" = test ]; then
  stamp="$root/end2end/node_modules/.gatehouse-lock"
  if ! cmp -s "$root/end2end/package-lock.json" "$stamp" 2>/dev/null; then
    say "npm ci (Playwright test runner; it uses Debian's chromium, no browser download)"
    (cd "$root/end2end" && npm ci --no-audit --no-fund)
    cp "$root/end2end/package-lock.json" "$stamp"
  fi
fi

SCHEMATHESIS_VERSION=4.32.5
if [ "$what" = fuzz ]; then
  venv="$root/.ci/.venv-schemathesis"
  if [ "$("$venv/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    say "pip install schemathesis $SCHEMATHESIS_VERSION (PyPI, into .ci/.venv-schemathesis)"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi

# scim2-tester with the client and models it was checked with (it allows newer ones,
# which do the request building and response checking: pinned so a run is repeatable).
SCIM_TESTER_VERSION=0.5.2
if [ "$what" = scim ]; then
  venv="$root/.ci/.venv-scim"
  have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("scim2-tester"))' 2>/dev/null || true)
  if [ "$have" != "$SCIM_TESTER_VERSION" ]; then
    say "pip install scim2-tester $SCIM_TESTER_VERSION (PyPI, into .ci/.venv-scim)"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "scim2-tester[httpx2]==$SCIM_TESTER_VERSION" "scim2-client[httpx2]==0.13.2" \
      "scim2-models==0.12.3" "httpx2==2.16.2"
  fi
fi
