#!/usr/bin/env bash
# Runs every libFuzzer harness of a -Dfuzzing=true build for SECONDS each (default 60), on a
# scratch copy of its seed corpus, and prints one line per harness: executions, and whether it
# found a crash, leak or sanitizer report (the artifact is kept in the scratch folder).
#   CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C build-fuzz && tests/fuzz/run.sh build-fuzz 600 [harness...]
# FUZZ_SCRATCH keeps the corpora between runs; FUZZ_MAX_LEN bounds an input (default 65536).
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [HARNESS...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : $# ))
here=$(cd "$(dirname "$0")" && pwd)
scratch=${FUZZ_SCRATCH:-$(mktemp -d)}
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz_*; do [ -x "$f" ] && harnesses+=("$(basename "$f" | sed 's/^fuzz_//')"); done
fi
status=0
for h in "${harnesses[@]}"; do
  corpus="$scratch/$h/corpus"; mkdir -p "$corpus" "$scratch/$h/artifacts"
  seeds="$here/corpus/$h"; [ "$h" = parse_incremental ] && seeds="$here/corpus/parse"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
  case "$h" in parse|parse_incremental) cp -r "$here/../data"/. "$corpus"/ 2>/dev/null ;; esac
  log="$scratch/$h/log"
  "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 -max_len="${FUZZ_MAX_LEN:-65536}" -rss_limit_mb=4096 \
    -artifact_prefix="$scratch/$h/artifacts/" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  [ -z "$execs" ] && execs=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -E 's/^#([0-9]+).*/\1/')
  if [ $rc -eq 0 ]; then result="0 crashes"; else result="FAILED (see $log)"; status=1; fi
  printf '%-20s %12s executions  %s\n' "$h" "${execs:-?}" "$result"
done
exit $status
