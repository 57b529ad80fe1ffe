#!/usr/bin/env bash
# Run fuzz targets one after another, JOBS at a time, each for SECONDS of wall time.
#
#   fuzz/run-all.sh                      # every target, 600 s each, 2 at a time
#   SECONDS_EACH=60 fuzz/run-all.sh dpkg plist
#
# New corpus entries and crashes go to a scratch folder (WORK, default
# target/fuzz-work), never into fuzz/corpus: the seeds in the repo stay small.
# One summary line per target is appended to $WORK/summary.tsv.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
seconds="${SECONDS_EACH:-600}"
jobs="${JOBS:-2}"
work="${WORK:-$here/../target/fuzz-work}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$here/target/$triple/release"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(ls "$here/fuzz_targets" | sed 's/\.rs$//')
fi

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$here" && cargo +nightly fuzz build -O "${targets[@]/#/--bin=}" 2>/dev/null) ||
    (cd "$here" && cargo +nightly fuzz build -O)
fi

mkdir -p "$work"
summary="$work/summary.tsv"
[ -f "$summary" ] || printf 'target\tseconds\truns\tcoverage\tcorpus\tpeak_rss_mb\tresult\n' >"$summary"

run_one() {
  local t="$1" corpus="$work/corpus/$1" artifacts="$work/artifacts/$1/" log="$work/$1.log"
  mkdir -p "$corpus" "$artifacts" "$work/bin"
  # A copy, so rebuilding the targets meanwhile does not touch the running binary.
  cp "$bin_dir/$t" "$work/bin/$t"
  local status=0
  # The bundled SQLite is linked twice (appaudit and rusqlite's build), which ASan
  # reports as an ODR violation; it is not a bug in the code under test.
  ASAN_OPTIONS=detect_odr_violation=0 nice -n 19 "$work/bin/$t" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$corpus" "$here/corpus/$t" >"$log" 2>&1 || status=$?
  local runs cov corp rss result
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  corp="$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
  if [ "$status" -eq 0 ]; then result="no crash"; else result="FAILED (exit $status, see $log)"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seconds" "${runs:-?}" "${cov:-?}" "${corp:-?}" "${rss:-?}" "$result" >>"$summary"
  echo "$t: ${runs:-?} runs, $result"
}

running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
column -t -s $'\t' "$summary"
