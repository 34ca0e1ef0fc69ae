#!/usr/bin/env bash
# Builds Ferret and runs every test: what CI runs (README "Quick start", second line; .ci/run).
#   1. the normal build (build/, RelWithDebInfo; -Werror when CI=true) and the whole ctest suite;
#   2. the sanitizer build (build-asan/: clang, ASan+UBSan+LSan, -Werror; the `asan` preset of
#      CMakePresets.json) and the same suite under it, each fuzzer's saved inputs included;
#   3. every libFuzzer harness of tests/fuzz for a short time (--fuzz-seconds, 10 by default) from the
#      seed corpora, two at a time.
# Stops at the first step that fails, with its exit status. Needs scripts/install-deps.sh's packages.
# Usage: scripts/check.sh [--quick] [--fuzz-seconds N] [--jobs N]
#   --quick  step 1 only (the everyday loop; CI always runs all three)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0
fuzz_seconds=10
jobs=$(nproc)
while (($#)); do
  case $1 in
    --quick) quick=1; shift ;;
    --fuzz-seconds) fuzz_seconds=${2:?--fuzz-seconds needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    -h|--help) sed -n 's/^# Usage: //p; s/^#   --/  --/p' "$0"; exit 0 ;;
    *) echo "check: unknown option '$1' (scripts/check.sh --help)" >&2; exit 1 ;;
  esac
done
[[ $fuzz_seconds =~ ^[0-9]+$ && $fuzz_seconds -gt 0 && $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] ||
  { echo "check: --fuzz-seconds and --jobs take positive integers" >&2; exit 1; }

step() { printf '\ncheck: === %s (%s) ===\n' "$1" "$(date -u +%H:%M:%S)" >&2; }
start=$SECONDS

step "1/3 normal build and test suite"
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$jobs"
if ((quick)); then
  echo "check: --quick: normal suite passed in $((SECONDS - start)) s (sanitizer build and fuzzers not run)" >&2
  exit 0
fi

step "2/3 ASan+UBSan build and the same suite under it"
scripts/build.sh --sanitize
ctest --test-dir build-asan --output-on-failure -j"$jobs"

step "3/3 libFuzzer harnesses, ${fuzz_seconds} s each"
scripts/fuzz.sh --build-dir build-asan --seconds "$fuzz_seconds" --jobs "$jobs"

echo "check: all passed in $((SECONDS - start)) s" >&2
