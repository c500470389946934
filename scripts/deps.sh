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
  # libmailsend's receiving peers: Postfix's smtp-sink and smtp-source, Dovecot's LMTP and
  # submission services.
  packages+=(postfix dovecot-lmtpd dovecot-submissiond)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# Postfix is installed for its test tools only: no mail system is configured.
if [ "${1:-}" = "--dev" ] && command -v debconf-set-selections >/dev/null 2>&1; then
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
fi
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
