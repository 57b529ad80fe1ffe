#!/usr/bin/env bash
# Builds the .deb and the .rpm as a release does (profile `dist`), then checks them the
# way an admin meets them: the .deb installed with dpkg, run from /usr/bin, its man
# pages and completions where Debian expects them, removed leaving nothing behind; the
# .rpm read with `rpm -qip`/`-qlp`, installed into a scratch root, run and erased.
# Run as root on Debian (CI does); called by .ci/run. Prints each step's time.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
start=$SECONDS
step() { echo "== package: $* (+$((SECONDS - start)) s)"; }
fail() { echo "package.sh: FAILED: $*" >&2; exit 1; }

step "tools"
need=()
command -v rpm >/dev/null 2>&1 || need+=(rpm)
command -v man >/dev/null 2>&1 || need+=(man-db)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cargo deb --version >/dev/null 2>&1 || cargo install --locked --quiet cargo-deb
cargo generate-rpm --version >/dev/null 2>&1 || cargo install --locked --quiet cargo-generate-rpm

step "cargo build --locked --profile dist"
cargo build --locked --profile dist
bin=target/dist/appaudit
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
echo "binary: $(stat -c %s "$bin") bytes"

step "man pages and completions into target/dist/assets"
assets=target/dist/assets
rm -rf "$assets"
mkdir -p "$assets/completions" "$assets/man-gz"
"$bin" man --out "$assets/man"
"$bin" completions bash > "$assets/completions/appaudit.bash"
"$bin" completions zsh > "$assets/completions/_appaudit"
"$bin" completions fish > "$assets/completions/appaudit.fish"
for page in "$assets"/man/*.1; do
  gzip -9n < "$page" > "$assets/man-gz/$(basename "$page").gz"
done

# ---- .deb ----------------------------------------------------------------------
step "cargo deb --no-build"
deb=$(cargo deb --no-build --profile dist --output target/debian/ | tail -1)
[ -f "$deb" ] || fail "cargo deb wrote no package ($deb)"
echo "$deb: $(stat -c %s "$deb") bytes"
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'

files=(/usr/bin/appaudit
  /usr/share/man/man1/appaudit.1.gz /usr/share/man/man1/appaudit-scan.1.gz
  /usr/share/bash-completion/completions/appaudit
  /usr/share/zsh/vendor-completions/_appaudit
  /usr/share/fish/vendor_completions.d/appaudit.fish
  /usr/share/doc/appaudit/README.md /usr/share/doc/appaudit/copyright
  /usr/share/doc/appaudit/LICENSE-MIT /usr/share/doc/appaudit/LICENSE-APACHE)

step "dpkg -i"
if dpkg -s appaudit >/dev/null 2>&1; then dpkg -r appaudit >/dev/null; fi
dpkg -i "$deb"
for f in "${files[@]}"; do [ -f "$f" ] || fail "$f is not installed"; done
installed=$(dpkg -L appaudit)

step "run the installed /usr/bin/appaudit"
code=0
/usr/bin/appaudit scan fixtures/scan/pm_list_tiktok.txt > /tmp/appaudit-deb-scan.txt || code=$?
[ "$code" = 1 ] || fail "installed appaudit scan exited $code, expected 1 (covered app found)"
grep -q TikTok /tmp/appaudit-deb-scan.txt || fail "no TikTok in the installed scan's report"
line=$(/usr/bin/appaudit --version)
echo "$line"
grep -Eq "^appaudit $version \(rules reviewed [0-9-]+: [0-9]+ regimes, [0-9]+ apps\)$" <<< "$line" \
  || fail "appaudit --version: $line"
for page in /usr/share/man/man1/appaudit*.1.gz; do
  warnings=$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man -l $page: $warnings"
done
man -w appaudit-scan >/dev/null || fail "man cannot find appaudit-scan"
bash --noprofile --norc -c 'source /usr/share/bash-completion/completions/appaudit && complete -p appaudit' >/dev/null \
  || fail "the bash completion does not load"

step "dpkg -r: nothing left behind"
dpkg -r appaudit
if dpkg -L appaudit >/dev/null 2>&1; then fail "dpkg still lists appaudit's files"; fi
while IFS= read -r path; do
  # Shared folders (/usr/bin, man1...) stay; every file the package had must be gone.
  if [ -e "$path" ] && [ ! -d "$path" ]; then fail "$path left behind"; fi
done <<< "$installed"
[ ! -e /usr/share/doc/appaudit ] || fail "/usr/share/doc/appaudit left behind"

# ---- .rpm ----------------------------------------------------------------------
step "cargo generate-rpm --profile dist"
rm -f target/generate-rpm/*.rpm
cargo generate-rpm --profile dist
rpmfile=$(ls target/generate-rpm/appaudit-*.rpm)
echo "$rpmfile: $(stat -c %s "$rpmfile") bytes"
info=$(rpm -qip "$rpmfile")
echo "$info"
grep -Eq "^Name +: appaudit$" <<< "$info" || fail "rpm Name"
grep -Eq "^Version +: $version$" <<< "$info" || fail "rpm Version"
grep -Eq "^License +: MIT OR Apache-2.0$" <<< "$info" || fail "rpm License"
listing=$(rpm -qlp "$rpmfile")
for f in /usr/bin/appaudit /usr/share/man/man1/appaudit.1.gz \
  /usr/share/bash-completion/completions/appaudit /usr/share/zsh/site-functions/_appaudit \
  /usr/share/fish/vendor_completions.d/appaudit.fish /usr/share/licenses/appaudit/LICENSE-MIT; do
  grep -qx "$f" <<< "$listing" || fail "$f is not in the rpm"
done

step "rpm -i into a scratch root, run, rpm -e"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
rpm --root "$root" --initdb
rpm --root "$root" -i --nodeps --noscripts "$rpmfile"
code=0
"$root/usr/bin/appaudit" scan fixtures/scan/pm_list_tiktok.txt > /dev/null || code=$?
[ "$code" = 1 ] || fail "the rpm's appaudit scan exited $code, expected 1"
line=$("$root/usr/bin/appaudit" --version)
grep -q "^appaudit $version " <<< "$line" || fail "the rpm's appaudit --version: $line"
rpm --root "$root" -e --nodeps --noscripts appaudit
left=$(find "$root/usr" -type f 2>/dev/null | head -5)
[ -z "$left" ] || fail "rpm -e left files behind: $left"

step "done"
