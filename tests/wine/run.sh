#!/usr/bin/env bash
# Live Windows scan, tested for real: cross-builds appaudit.exe for
# x86_64-pc-windows-gnu, creates Uninstall entries in a fresh Wine prefix with
# `wine reg add` (HKLM 64-bit, HKLM WOW6432Node, HKCU), runs
# `appaudit.exe scan --format json --inventory` (no path: the live machine) and
# checks the report with `tests/windows.rs::wine_live_report` (the report and
# stderr are kept in target/wine/).
#
# Needs: wine64 (Debian: wine64, wine 8), gcc-mingw-w64-x86-64, rustup.
# Exits non-zero when the expected apps or findings are not reported.
set -euo pipefail
cd "$(dirname "$0")/../.."

target=x86_64-pc-windows-gnu
for tool in wine x86_64-w64-mingw32-gcc; do
  command -v "$tool" >/dev/null || { echo "tests/wine: $tool is missing" >&2; exit 1; }
done
rustup target add "$target" >/dev/null 2>&1 || true

echo "== wine: cargo build --target $target"
cargo build --locked --quiet --target "$target" --bin appaudit

work="$(mktemp -d)"
trap 'WINEPREFIX="$work/prefix" wineserver -k >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp "target/$target/debug/appaudit.exe" "$work/"
# Wine 8 has no bcryptprimitives.dll: a shim beside the exe provides ProcessPrng.
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
  tests/wine/processprng_shim.c -ladvapi32

export WINEPREFIX="$work/prefix" WINEARCH=win64 WINEDEBUG=-all LC_ALL=C.UTF-8
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n"
echo "== wine: new prefix"
timeout 300 wine wineboot --init >/dev/null 2>&1

add() { # key name version publisher [extra value args...]
  local key="$1" name="$2" version="$3" publisher="$4"
  shift 4
  wine reg add "$key" /v DisplayName /t REG_SZ /d "$name" /f >/dev/null
  wine reg add "$key" /v DisplayVersion /t REG_SZ /d "$version" /f >/dev/null
  wine reg add "$key" /v Publisher /t REG_SZ /d "$publisher" /f >/dev/null
  if [ $# -gt 0 ]; then
    wine reg add "$key" "$@" /f >/dev/null
  fi
}
u='Microsoft\Windows\CurrentVersion\Uninstall'
echo "== wine: reg add"
add "HKLM\\SOFTWARE\\$u\\7-Zip" '7-Zip 23.01 (x64)' 23.01 'Igor Pavlov'
add "HKLM\\SOFTWARE\\WOW6432Node\\$u\\WeChat" WeChat 3.9.12.17 '腾讯科技(深圳)有限公司'
add "HKLM\\SOFTWARE\\WOW6432Node\\$u\\Notepad++" 'Notepad++ (32-bit x86)' 8.6.2 'Notepad++ Team'
add "HKCU\\Software\\$u\\CapCut" CapCut 1.3.2.166 'Bytedance Pte. Ltd.'
add "HKCU\\Software\\$u\\HiddenHelper" 'Hidden helper' 1.0 'Nobody' /v SystemComponent /t REG_DWORD /d 1

echo "== wine: appaudit.exe scan --format json --inventory"
status=0
(cd "$work" && timeout 300 wine ./appaudit.exe scan --format json --inventory) \
  >"$work/report.json" 2>"$work/stderr.txt" || status=$?
if [ ! -s "$work/report.json" ]; then
  echo "tests/wine: no report (exit $status); stderr:" >&2
  cat "$work/stderr.txt" >&2
  exit 1
fi
echo "appaudit.exe exited $status"
mkdir -p target/wine && cp "$work/report.json" "$work/stderr.txt" target/wine/
APPAUDIT_WINE_REPORT="$work/report.json" APPAUDIT_WINE_EXIT="$status" \
  cargo test --locked --quiet --test windows wine_live_report -- --exact --nocapture
echo "== wine: ok"
