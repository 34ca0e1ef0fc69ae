#!/usr/bin/env bash
# Configures and builds Ferret into build/ (executables in build/bin/ferret-<verb>).
# Extra CMake arguments can be passed in FERRET_CMAKE_ARGS; CI builds with warnings as errors.
# `--preset NAME` builds a preset of CMakePresets.json instead (`--sanitize` = `--preset asan`: the
# AddressSanitizer + UndefinedBehaviorSanitizer build with clang into build-asan/, warnings as errors,
# the libFuzzer harnesses included; see docs/sanitizers.md).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) [[ $# -ge 2 ]] || { echo "build.sh: --preset needs a name (default, asan)" >&2; exit 1; }; preset="$2"; shift 2 ;;
    --preset=*) preset="${1#--preset=}"; shift ;;
    --sanitize) preset=asan; shift ;;
    -h|--help) echo "usage: scripts/build.sh [--preset NAME | --sanitize]"; exit 0 ;;
    *) echo "build.sh: unknown option '$1' (usage: scripts/build.sh [--preset NAME | --sanitize])" >&2; exit 1 ;;
  esac
done
if [[ -n "$preset" ]]; then
  # build-asan/ was once a GCC tree: CMake cannot switch an existing tree to clang, so start it afresh.
  if [[ $preset == asan && -f build-asan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' build-asan/CMakeCache.txt; then
    echo "build.sh: build-asan/ was configured with another compiler; configuring it afresh with clang" >&2
    rm -rf build-asan
  fi
  # shellcheck disable=SC2086
  cmake --preset "$preset" ${FERRET_CMAKE_ARGS:-} >/dev/null
  cmake --build --preset "$preset" -j"$(nproc)"
  exit 0
fi
args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${CI:-}" == "true" ]]; then args+=(-DFERRET_WERROR=ON); fi
# shellcheck disable=SC2086
cmake -S . -B build "${args[@]}" ${FERRET_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
