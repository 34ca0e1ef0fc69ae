#!/usr/bin/env bash
# Installs Ferret's build, test and (optionally) sample-generation dependencies from Debian's packages.
# Idempotent and non-interactive: packages already present are left alone.
# Usage: scripts/install-deps.sh [--samples] [--bench] [--fuzz]
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config xz-utils zlib1g-dev
            libtsk-dev libewf-dev libboost-program-options-dev libssl-dev libsqlite3-dev libmagic-dev
            libgtest-dev libgmock-dev)
# Outside oracles the end-to-end tests compare against (fls, ewfinfo); clang and its sanitizer and
# libFuzzer runtimes for the second half of scripts/check.sh (the suite under ASan+UBSan, the fuzzers).
test_pkgs=(sleuthkit ewf-tools sqlite3 python3 chromium clang-14 libclang-rt-14-dev)
# Only needed to regenerate samples/ (samples/make-samples.sh, make-carve-sample.sh) and the committed test
# fixtures (tests/formats/data/make-*-fixtures.sh, tests/plugins/data/make-fixtures-*.sh).
sample_pkgs=(lame libimage-exiftool-perl ffmpeg dosfstools mtools e2fsprogs ntfs-3g gdisk fdisk ewf-tools sleuthkit faketime openssl mktorrent libjpeg-turbo-progs sqlite3 zip python3 xz-utils)

# Only needed by the hand-run benchmarks (bench/): the tools we measure against, and the image builder's.
bench_pkgs=(hashdeep sleuthkit time ffmpeg e2fsprogs openssl python3 foremost testdisk libjpeg-turbo-progs)

# The libFuzzer harnesses (scripts/fuzz.sh, docs/fuzzing.md): clang and its libFuzzer/sanitizer runtimes;
# python3 and ewf-tools make the seed corpora. (All of them are test packages now; kept for old commands.)
fuzz_pkgs=(clang-14 libclang-rt-14-dev python3 ewf-tools)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
for arg in "$@"; do
  case $arg in
    --samples) want+=("${sample_pkgs[@]}") ;;
    --bench) want+=("${bench_pkgs[@]}") ;;
    --fuzz) want+=("${fuzz_pkgs[@]}") ;;
    *) echo "usage: scripts/install-deps.sh [--samples] [--bench] [--fuzz]" >&2; exit 1 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages already installed" >&2
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
