#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz (docs/fuzzing.md), each for a given time, one after the
# other (or J at a time). The harnesses live in the sanitizer build, build-asan/ (the `asan` preset:
# clang, ASan+UBSan, FERRET_FUZZ=ON), which this configures when missing, as it makes the seed corpora.
# Prints, per harness, the executions, exec/s, coverage (cov/ft) and whether it crashed; exits 1 when
# any harness crashed (its input is kept under BUILD/fuzz-artifacts/<harness>/), 2 on a build error.
# Usage: scripts/fuzz.sh [--seconds N] [--jobs J] [--build-dir DIR] [--list] [HARNESS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
jobs=1
build=$root/build-asan
list=0
harnesses=()
usage() { sed -n 's/^# Usage: //p' "$0" >&2; exit "${1:-1}"; }
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --build-dir) build=${2:?}; shift 2 ;;
    --list) list=1; shift ;;
    -h|--help) usage 0 ;;
    -*) echo "fuzz: unknown option $1" >&2; usage ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ && $seconds -gt 0 && $jobs =~ ^[0-9]+$ && $jobs -gt 0 ]] || { echo "fuzz: --seconds and --jobs take positive integers" >&2; exit 1; }

all=(hashset_text hashset_vics hashset_zip hashset_rdsv3 hashset_index carve carve_bencode plugin_bencode image
     plugin_torrent plugin_torrent_client plugin_release plugin_media plugin_exif plugin_browser_downloads)
if ((list)); then printf '%s\n' "${all[@]}"; exit 0; fi
((${#harnesses[@]})) || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
  [[ " ${all[*]} " == *" $h "* ]] || { echo "fuzz: no harness '$h' (scripts/fuzz.sh --list)" >&2; exit 1; }
done

# The largest input each harness is given: databases need a few pages more than the rest.
max_len() {
  case $1 in
    hashset_rdsv3|plugin_browser_downloads) echo 262144 ;;
    hashset_index) echo 1048576 ;;  # a set file is at least 256 KiB (its prefix table)
    *) echo 65536 ;;
  esac
}

if [[ ! -f $build/CMakeCache.txt ]]; then
  if [[ $build == "$root/build-asan" ]]; then
    echo "fuzz: configuring $build (cmake --preset asan)" >&2
    (cd "$root" && cmake --preset asan) > "$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 2; }
  else
    echo "fuzz: configuring $build (clang-14, FERRET_FUZZ=ON, harnesses only)" >&2
    CC=${CC:-clang-14} CXX=${CXX:-clang++-14} cmake -S "$root" -B "$build" -DFERRET_FUZZ=ON -DFERRET_BUILD_TESTS=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 2; }
  fi
fi
echo "fuzz: building the harnesses in $build" >&2
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
cmake --build "$build" -j2 "${targets[@]}" > "$build/fuzz-build.log" 2>&1 || { tail -40 "$build/fuzz-build.log" >&2; exit 2; }

corpus=$build/corpus
# The seeds are made once; again when a harness has no corpus yet (one added since).
for h in "${harnesses[@]}"; do
  if [[ ! -d $corpus/$h ]]; then "$root/tests/fuzz/make-seeds.sh" "$corpus" > /dev/null; break; fi
done
logs=$build/fuzz-logs
artifacts=$build/fuzz-artifacts
mkdir -p "$logs" "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}

run_one() {
  local h=$1
  mkdir -p "$corpus/$h" "$artifacts/$h"
  # -max_total_time bounds the run; -timeout turns one input that takes over 10 s into a reported hang.
  "$build/bin/fuzz_$h" "$corpus/$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$h")" \
    -malloc_limit_mb=512 -artifact_prefix="$artifacts/$h/" -print_final_stats=1 -close_fd_mask=1 > "$logs/$h.log" 2>&1
}

summary() {
  local h=$1 rc=$2 log=$logs/$1.log
  local execs eps cov ft crash
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  if ((rc == 0)); then
    printf '%-26s %12s execs %8s exec/s  cov %6s  ft %7s  ok\n' "$h" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}"
  else
    printf '%-26s %12s execs %8s exec/s  cov %6s  ft %7s  CRASHED (exit %s): %s\n' "$h" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
      "$rc" "${crash:-no input written, see $log}"
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|SUMMARY:' "$log" | sed 's/^/    /' || true
  fi
}

echo "fuzz: ${#harnesses[@]} harness(es), ${seconds} s each, ${jobs} at a time; logs in $logs" >&2
failed=0
start=$SECONDS
pending=("${harnesses[@]}")
declare -A pids=()
while ((${#pending[@]} || ${#pids[@]})); do
  while ((${#pending[@]} && ${#pids[@]} < jobs)); do
    h=${pending[0]}
    pending=("${pending[@]:1}")
    run_one "$h" &
    pids[$h]=$!
  done
  # Wait for any one of the running harnesses, then report the ones that ended.
  wait -n "${pids[@]}" 2> /dev/null || true
  for h in "${!pids[@]}"; do
    if ! kill -0 "${pids[$h]}" 2> /dev/null; then
      rc=0
      wait "${pids[$h]}" || rc=$?
      unset "pids[$h]"
      summary "$h" "$rc"
      ((rc == 0)) || failed=1
    fi
  done
done
echo "fuzz: done in $((SECONDS - start)) s; $( ((failed)) && echo "CRASHES found: the inputs are in $artifacts" || echo "no crash")" >&2
exit $failed
