#!/usr/bin/env bash
# The system libraries of Qt's xcb platform plugin (the real window of `make run`), derived, not listed
# by hand. The PySide6 wheels ship Qt but not the X11/xcb libraries it links; `ldd` of the plugin (and of
# the xcb GL integrations it loads) resolves everything it needs, transitively, so every "not found" line
# is a system library to install. Each missing soname is mapped to the Debian package that ships it, and
# the packages go to tools/sysdeps.sh: installed as root, otherwise the exact apt-get line is printed and
# the set-up stops. After an install ldd runs again: nothing may be left "not found".
#
# Usage: tools/xcbdeps.sh [--dry-run] PYTHON   (PYTHON: the interpreter of the venv holding PySide6)
#   --dry-run  print the missing sonames and the packages derived for them; install nothing (as root the
#              package index is still refreshed first, as for an install).
#
# Soname -> package: apt-file would answer directly, but it needs the Contents index of every archive
# (tens of MB per release, for two or three names). Instead the candidates come from Debian's library
# packaging policy (libfoo.so.N is shipped by `libfooN`, `libfoo-N` when the name ends in a digit; lower
# case, `_` as `-`; `t64` appended since the 64-bit time_t transition), then from
# `apt-cache search --names-only`, and a candidate is taken only once its .deb (a few KB, downloaded, not
# installed) is seen to contain the file. A wrong guess is therefore never installed.
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=0
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=1
  shift
fi
py=${1:?usage: tools/xcbdeps.sh [--dry-run] PYTHON}

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system: make sure the libraries of Qt's xcb plugin are present (see README)." >&2
  exit 0
fi

plugins=$("$py" -c 'import importlib.util, pathlib
spec = importlib.util.find_spec("PySide6")
assert spec is not None and spec.submodule_search_locations
print(pathlib.Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins")')
files=("$plugins/platforms/libqxcb.so")
if [ ! -f "${files[0]}" ]; then
  echo "Qt's xcb platform plugin is not where PySide6 keeps it: ${files[0]}" >&2
  exit 1
fi
shopt -s nullglob
files+=("$plugins"/xcbglintegrations/*.so)
shopt -u nullglob

not_found() { ldd "${files[@]}" 2>/dev/null | awk '$2 == "=>" && $3 == "not" && $4 == "found" {print $1}' | sort -u; }

mapfile -t sonames < <(not_found)
if [ ${#sonames[@]} -eq 0 ]; then
  [ $dry_run -eq 1 ] && echo "Qt's xcb plugin finds every library it links: nothing to install."
  exit 0
fi
echo "Qt's xcb plugin links libraries this system lacks: ${sonames[*]}"

if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq
fi

work=$(mktemp -d /tmp/motcua-xcbdeps.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work" # apt downloads as its _apt user when run as root

# The policy names first, then what apt knows under the library's name (dashes dropped too:
# libglib-2.0.so.0 is in libglib2.0-0), development, debug and documentation packages left out.
candidates() {
  local soname=$1 base ver name pkg
  base=${soname%%.so.*}
  ver=${soname#*.so.}
  ver=${ver%%.*}
  name=$(printf '%s' "$base" | tr 'A-Z_' 'a-z-')
  if [[ $name =~ [0-9]$ ]]; then pkg="$name-$ver"; else pkg="$name$ver"; fi
  printf '%s\n' "$pkg" "${pkg}t64"
  local stem
  for stem in "$name" "${name//-/}"; do
    apt-cache search --names-only "^$(printf '%s' "$stem" | sed 's/[.+]/\\&/g')" 2>/dev/null |
      awk '{print $1}' | grep -Ev -- '-(dev|dbg|dbgsym|doc)$' | head -n 5 || true
  done
}

# Whether package $1 (in the archive, downloaded into $work) ships a file named $2 (often a symlink).
ships() {
  local pkg=$1 soname=$2 deb
  local cand
  cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$cand" ] && [ "$cand" != "(none)" ] || return 1
  (cd "$work" && apt-get download -qq "$pkg" >/dev/null 2>&1) || return 1
  deb=$(ls "$work"/"${pkg}"_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || return 1
  dpkg-deb -c "$deb" | awk -v f="/$soname" '{n = $6; if (substr(n, length(n) - length(f) + 1) == f) hit = 1} END {exit !hit}'
}

packages=()
unmapped=()
for soname in "${sonames[@]}"; do
  found=""
  while read -r pkg; do
    [ -n "$pkg" ] || continue
    if ships "$pkg" "$soname"; then
      found=$pkg
      break
    fi
  done < <(candidates "$soname" | awk '!seen[$0]++')
  if [ -n "$found" ]; then
    echo "  $soname: in $found"
    packages+=("$found")
  else
    unmapped+=("$soname")
  fi
done
if [ ${#unmapped[@]} -gt 0 ]; then
  echo "No Debian package found shipping: ${unmapped[*]} (is the package index current? apt-get update)" >&2
  exit 1
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
if [ $dry_run -eq 1 ]; then
  echo "Would install: ${packages[*]}"
  exit 0
fi

bash tools/sysdeps.sh "${packages[@]}"
mapfile -t still < <(not_found)
if [ ${#still[@]} -gt 0 ]; then
  echo "Qt's xcb plugin still lacks: ${still[*]} (after installing ${packages[*]})" >&2
  exit 1
fi
