#!/usr/bin/env bash
# appaudit against MVT and against the machine's floors (`wc -l`, `find`), in one run.
#
#   bench/compare.sh [WORKDIR]        (default: target/bench-data; about 2.1 GB of inputs)
#
# Generates the inputs with bench/gen.py (kept between runs), builds the release
# binary, installs MVT into a virtualenv (pip install mvt) and prints every time,
# peak memory and ratio next to its target. Tools missing here (hyperfine, GNU time)
# are installed with apt-get. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${1:-target/bench-data}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RUNS=${RUNS:-5}

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$2" ]; }
if ! need hyperfine /usr/bin/hyperfine || [ ! -x /usr/bin/time ]; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null; } ||
    { echo "compare.sh: needs hyperfine and GNU time (apt-get install hyperfine time)" >&2; exit 2; }
fi

# Ratios are taken in one run, but other work on the machine still skews them.
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
echo "== load average before the run: $load (ratios are fairest on an idle machine)"

echo "== build (release)"
cargo build --release --locked --quiet
BIN=$ROOT/target/release/appaudit

echo "== inputs in $WORK"
G="python3 $ROOT/bench/gen.py"
[ -f "$WORK/d5040.txt" ] || $G dumpsys "$WORK/d5040.txt" --packages 5040
[ -f "$WORK/d100m.txt" ] || $G dumpsys "$WORK/d100m.txt" --bytes 100000000
[ -f "$WORK/d100m-short.txt" ] || $G dumpsys "$WORK/d100m-short.txt" --bytes 100000000 --shape short
if [ ! -f "$WORK/fleet-10000/device-09999.txt" ]; then
  $G fleet "$WORK/fleet-10000" --devices 10000 --per-device 200
fi
for n in 2500 5000; do
  [ -f "$WORK/fleet-$n/device-$(printf %05d $((n - 1))).txt" ] ||
    $G subset "$WORK/fleet-$n" --from "$WORK/fleet-10000" --devices $n
done
[ -d "$WORK/tree/Applications" ] || $G tree "$WORK/tree" --files 200000 --apps 2000
[ -f "$WORK/rules-20000.yaml" ] || $G rules "$WORK/rules-20000.yaml" --rules 20000
[ -f "$WORK/rules-100.yaml" ] || $G rules "$WORK/rules-100.yaml" --rules 100
[ -f "$WORK/ios-backup/Manifest.db" ] || $G ios-backup "$WORK/ios-backup" --apps 5000 --files-per-app 100
[ -f "$WORK/intune-10000.csv" ] || $G intune-csv "$WORK/intune-10000.csv" --devices 10000 --per-device 200
[ -f "$WORK/osquery-10000.json" ] || $G osquery-json "$WORK/osquery-10000.json" --devices 10000 --per-device 200
printf 'package:com.zhiliaoapp.musically\n' > "$WORK/one.txt"
# MVT reads the `dumpsys package` section of a bugreport (module DumpsysPackages):
# the same dump as a bugreport folder's dumpstate.
for d in d5040; do
  mkdir -p "$WORK/br-$d"
  ln -f "$WORK/$d.txt" "$WORK/br-$d/dumpstate.txt"
  echo dumpstate.txt > "$WORK/br-$d/main_entry.txt"
done

echo "== MVT (virtualenv)"
VENV=$WORK/mvt-venv
if [ ! -x "$VENV/bin/mvt-android" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q mvt
fi
MVT="$VENV/bin/mvt-android --disable-update-check --disable-indicator-update-check check-bugreport -m DumpsysPackages"

# mean seconds of a command, by hyperfine
mean() {
  local json=$WORK/hf.json
  hyperfine -N -i --warmup 1 --runs "${2:-$RUNS}" --export-json "$json" "$1" >/dev/null 2>&1
  python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['results'][0]['mean'])" "$json"
}
# mean seconds of a shell pipeline (find | wc), by hyperfine with a shell
mean_sh() {
  local json=$WORK/hf.json
  hyperfine -i --warmup 1 --runs "${2:-$RUNS}" --export-json "$json" "$1" >/dev/null 2>&1
  python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['results'][0]['mean'])" "$json"
}
# peak resident memory (MB) of one run, by GNU time
peak() {
  /usr/bin/time -f "%M" -o "$WORK/time.out" "$@" >/dev/null 2>&1 || true
  tail -1 "$WORK/time.out" | awk '{printf "%.1f", $1 / 1024}'
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else float('inf')))" "$1" "$2"; }
verdict() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else 'MISSED')" "$1"; }
ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s |' "$1" "$2" "$3" "$4")"); echo "   $1: $2 (target $3) $4"; }

echo "== 1. dumpsys package of 5,040 packages (11 MB): appaudit vs MVT"
t_app=$(mean "$BIN scan $WORK/d5040.txt")
m_app=$(peak "$BIN" scan "$WORK/d5040.txt")
t_mvt=$(mean "$MVT $WORK/br-d5040" 3)
m_mvt=$(peak $MVT "$WORK/br-d5040")
echo "   appaudit ${t_app}s ${m_app} MB; MVT ${t_mvt}s ${m_mvt} MB"
r=$(ratio "$t_mvt" "$t_app"); row "5,040 packages: MVT time / appaudit time" "${r}x (${t_app}s vs ${t_mvt}s)" "≥ 50x" "$(verdict "$r >= 50")"
r=$(ratio "$m_mvt" "$m_app"); row "5,040 packages: MVT memory / appaudit memory" "${r}x (${m_app} MB vs ${m_mvt} MB)" "≥ 10x" "$(verdict "$r >= 10")"

echo "== 2. dumpsys package of 100 MB, 2.2 KB and 880-byte packages: appaudit vs wc -l"
for d in d100m d100m-short; do
  t_app=$(mean "$BIN scan $WORK/$d.txt")
  m_app=$(peak "$BIN" scan "$WORK/$d.txt")
  t_wc=$(mean "wc -l $WORK/$d.txt")
  n=$(grep -c '^  Package \[' "$WORK/$d.txt")
  r=$(ratio "$t_app" "$t_wc"); row "100 MB dump ($n packages): appaudit time / wc -l time" "${r}x (${t_app}s vs ${t_wc}s)" "≤ 10x" "$(verdict "$r <= 10")"
  row "100 MB dump ($n packages): peak memory" "${m_app} MB" "< 64 MB" "$(verdict "$m_app < 64")"
done
# The same dump as the dumpstate of a bugreport zip (streamed out of the zip).
if [ ! -f "$WORK/br-short.zip" ]; then
  python3 - "$WORK" <<'PY'
import sys, zipfile
work = sys.argv[1]
with zipfile.ZipFile(work + "/br-short.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("main_entry.txt", "dumpstate.txt\n")
    z.write(work + "/d100m-short.txt", "dumpstate.txt")
PY
fi
m_app=$(peak "$BIN" scan "$WORK/br-short.zip")
row "bugreport zip of the 880-byte dump: peak memory" "${m_app} MB" "< 64 MB" "$(verdict "$m_app < 64")"

echo "== 3. fleets of 2,500 / 5,000 / 10,000 devices (pm list, 200 packages each)"
declare -A T
for n in 2500 5000 10000; do
  T[$n]=$(mean "$BIN scan $WORK/fleet-$n" 3)
  echo "   $n devices: ${T[$n]}s"
done
m_fleet=$(peak "$BIN" scan "$WORK/fleet-10000")
t_wc=$(mean_sh "cat $WORK/fleet-10000/* | wc -l" 3)
row "10,000 devices: wall time" "${T[10000]}s (cat | wc -l: ${t_wc}s)" "< 3 s" "$(verdict "${T[10000]} < 3")"
row "10,000 devices: peak memory" "${m_fleet} MB" "< 100 MB" "$(verdict "$m_fleet < 100")"
lin=$(python3 -c "print('%.2f / %.2f' % (${T[5000]} / ${T[2500]}, ${T[10000]} / ${T[5000]}))")
row "fleet growth: t(5k)/t(2.5k), t(10k)/t(5k)" "$lin" "≈ 2 / 2 (linear)" "$(verdict "abs(${T[10000]} / ${T[5000]} - 2) < 0.5 and abs(${T[5000]} / ${T[2500]} - 2) < 0.5")"

echo "== 4. disk tree: 200,000 files, 2,000 app bundles: appaudit vs find"
t_app=$(mean "$BIN scan $WORK/tree" 3)
t_find=$(mean "find $WORK/tree" 3)
apps=$("$BIN" scan "$WORK/tree" 2>/dev/null | grep -o '[0-9,]* apps' | tail -1 || true)
r=$(ratio "$t_app" "$t_find"); row "disk tree: appaudit time / find time" "${r}x (${t_app}s vs ${t_find}s; ${apps:-? apps})" "≤ 1.5x" "$(verdict "$r <= 1.5")"

echo "== 5. rules: 20,000 vs 100 (load + compile, and matching the 100 MB dump)"
t_one=$(mean "$BIN scan --no-default-rules --rules $WORK/rules-100.yaml $WORK/one.txt")
t_r20=$(mean "$BIN scan --no-default-rules --rules $WORK/rules-20000.yaml $WORK/one.txt")
m_r20=$(peak "$BIN" scan --no-default-rules --rules "$WORK/rules-20000.yaml" "$WORK/one.txt")
c20=$(python3 -c "print('%.4f' % ($t_r20 - $t_one))")
row "20,000 rules: load + compile (scan of one line, minus the same with 100 rules)" "${c20}s (peak ${m_r20} MB)" "< 0.3 s" "$(verdict "$c20 < 0.3")"
row "20,000 rules: scan of one line, end to end" "${t_r20}s" "< 0.3 s" "$(verdict "$t_r20 < 0.3")"
# The start: median of 60 runs of a one-line scan with the embedded rules.
json=$WORK/hf-start.json
hyperfine -N -i --warmup 5 --runs 60 --export-json "$json" "$BIN scan $WORK/one.txt" >/dev/null 2>&1
t_start=$(python3 -c "import json,sys; print('%.4f' % json.load(open(sys.argv[1]))['results'][0]['median'])" "$json")
row "start: scan of a one-line dump, embedded rules (median of 60)" "${t_start}s" "< 0.005 s" "$(verdict "$t_start < 0.005")"
s100=$(mean "$BIN scan --no-default-rules --rules $WORK/rules-100.yaml $WORK/d100m.txt" 3)
s20k=$(mean "$BIN scan --no-default-rules --rules $WORK/rules-20000.yaml $WORK/d100m.txt" 3)
match100=$(python3 -c "print('%.4f' % ($s100 - $t_one))")
match20k=$(python3 -c "print('%.4f' % ($s20k - $t_r20))")
r=$(ratio "$match20k" "$match100"); row "matching 43,756 apps: 20,000 rules / 100 rules" "${r}x (${match20k}s vs ${match100}s)" "≤ 2x" "$(verdict "$r <= 2")"

echo "== 6. iPhone backup: Manifest.db of 500,000 rows over 5,000 apps: appaudit vs mvt-ios check-backup"
MVT_IOS="$VENV/bin/mvt-ios --disable-update-check --disable-indicator-update-check check-backup"
t_app=$(mean "$BIN scan $WORK/ios-backup" 3)
t_mvt=$(mean "$MVT_IOS $WORK/ios-backup" 3)
apps=$("$BIN" scan "$WORK/ios-backup" 2>/dev/null | grep -o '[0-9,]* apps' | tail -1 || true)
row "iOS backup, 500,000 rows: appaudit time" "${t_app}s (${apps:-? apps})" "< 1 s" "$(verdict "$t_app < 1")"
r=$(ratio "$t_mvt" "$t_app"); row "iOS backup: mvt-ios check-backup time / appaudit time" "${r}x (${t_app}s vs ${t_mvt}s)" "≥ 20x" "$(verdict "$r >= 20")"

echo "== 7. fleet-wide exports of 10,000 devices x 200 apps, rows shuffled: Intune CSV, osquery JSON"
for f in intune-10000.csv osquery-10000.json; do
  t_exp=$(mean "$BIN scan $WORK/$f" 3)
  m_exp=$(peak "$BIN" scan "$WORK/$f")
  row "$f (2,000,000 rows): wall time" "${t_exp}s" "< 5 s" "$(verdict "$t_exp < 5")"
  row "$f: peak memory" "${m_exp} MB" "< 200 MB" "$(verdict "$m_exp < 200")"
done

echo
echo "| Measure | Result | Target | |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "load average at the start: $load, at the end: $(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; appaudit $("$BIN" --version 2>/dev/null | head -1); $("$VENV/bin/pip" show mvt 2>/dev/null | grep -i '^version' | sed 's/Version: /MVT /')"
