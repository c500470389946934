#!/usr/bin/env bash
# Installs the Debian 12 packages libmail builds and tests with. `--dev` adds what CI and
# developers need beyond that: clang and its sanitizer/libFuzzer runtime.
set -euo pipefail
# libunbound's pkg-config file names libevent and nettle, whose -dev packages it does not pull in.
packages=(build-essential meson ninja-build pkg-config libicu-dev libunbound-dev libevent-dev
          nettle-dev libssl-dev libpsl-dev publicsuffix libidn2-dev libcmocka-dev libyaml-dev python3)
if [ "${1:-}" = "--dev" ]; then
  packages+=(clang llvm libclang-rt-14-dev)
  # The interop tests' peers: dkimpy, pyspf, OpenDKIM's tools and Pigeonhole's sieve-test;
  # Node.js for the npm peers (any Node.js already installed is kept).
  packages+=(python3-dkim python3-spf opendkim-tools dovecot-sieve)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
