#!/usr/bin/env bash
# Ingest speed against the figures to beat (issue: ingest <= 0.5x hashdeep with three hashes; walk alone
# <= 1.5x tsk_loaddb; peak memory < 256 MiB). Run by hand:
#
#   bench/bench-ingest.sh [--runs N] [IMAGE]
#
# Without IMAGE, uses bench/out/bench-ext4.raw, building it first with bench/make-bench-image.sh
# (2 GiB ext4 full of media) if it is missing. Each tool runs N times (default 2) on a warm page cache
# under GNU time; the table shows every run, the summary and the ratios use each tool's fastest run.
# Needs: hashdeep, sleuthkit (tsk_loaddb, fls), GNU time, sqlite3
#        (apt-get install hashdeep sleuthkit time sqlite3).
set -euo pipefail
export LC_ALL=C

runs=2
image=
while (($#)); do
  case $1 in
    --runs) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "--runs needs a positive number" >&2; exit 1; }; runs=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $1 (usage: $0 [--runs N] [IMAGE])" >&2; exit 1 ;;
    *) [[ -z $image ]] || { echo "usage: $0 [--runs N] [IMAGE]" >&2; exit 1; }; image=$(realpath "$1"); shift ;;
  esac
done

cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
image=${image:-$out/bench-ext4.raw}
for tool in hashdeep tsk_loaddb fls sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install hashdeep sleuthkit time sqlite3" >&2; exit 1; }
done
if [[ ! -f "$image" ]]; then
  bench/make-bench-image.sh --size 2G "$image"
fi
[[ -x build/bin/ferret-ingest && -x build/bin/ferret-bench-walk ]] || scripts/build.sh

size=$(stat -c %s "$image")
echo "image: $image ($size bytes, $((size / 1048576)) MiB), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm the page cache so that every tool reads from memory alike.
cat "$image" > /dev/null

declare -A best_wall best_rss
rows=()
measure() {  # label run command...: runs the command under GNU time, records wall seconds and peak RSS
  local label=$1 run=$2; shift 2
  local log="$out/time-$label.txt" rc=0
  /usr/bin/time -v "$@" > "$out/stdout-$label.txt" 2> "$log" || rc=$?
  if ((rc != 0 && rc != 3)); then   # 3: ferret tools finished but found damaged evidence
    echo "$label failed (exit $rc); see $log" >&2; tail -5 "$log" >&2; exit 1
  fi
  local wall rss
  # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2 / 1024}' "$log")
  rows+=("$(printf '%-18s %4d %10.2f %14.1f %6d' "$label" "$run" "$wall" "$rss" "$rc")")
  printf '  %-18s run %d: %8.2f s %8.1f MiB%s\n' "$label" "$run" "$wall" "$rss" "$( ((rc == 0)) || echo " (exit $rc)")"
  if [[ -z ${best_wall[$label]:-} ]] || awk -v a="$wall" -v b="${best_wall[$label]}" 'BEGIN{exit !(a < b)}'; then
    best_wall[$label]=$wall
  fi
  if [[ -z ${best_rss[$label]:-} ]] || awk -v a="$rss" -v b="${best_rss[$label]}" 'BEGIN{exit !(a > b)}'; then
    best_rss[$label]=$rss   # the worst (highest) peak over the runs
  fi
}

tools=(hashdeep tsk_loaddb ferret-bench-walk ferret-ingest)
for ((r = 1; r <= runs; r++)); do
  echo "run $r/$runs"
  rm -rf "$out/case-ingest" "$out/case-walk" "$out/loaddb.db"
  measure hashdeep "$r" hashdeep -c md5,sha1,sha256 "$image"
  measure tsk_loaddb "$r" tsk_loaddb -d "$out/loaddb.db" "$image"
  measure ferret-bench-walk "$r" build/bin/ferret-bench-walk "$out/case-walk" "$image"
  measure ferret-ingest "$r" build/bin/ferret-ingest --case "$out/case-ingest" --json "$image"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN{ print (v <= t) ? "ok" : "MISSED" }'; }
echo
echo "=== all runs ==="
printf '%-18s %4s %10s %14s %6s\n' tool run "wall s" "peak RSS MiB" exit
printf '%s\n' "${rows[@]}"
echo
echo "=== summary (fastest wall of $runs run(s), highest peak RSS) ==="
printf '%-18s %10s %14s\n' tool "wall s" "peak RSS MiB"
for t in "${tools[@]}"; do printf '%-18s %10.2f %14.1f\n' "$t" "${best_wall[$t]}" "${best_rss[$t]}"; done
r1=$(ratio "${best_wall[ferret-ingest]}" "${best_wall[hashdeep]}")
r2=$(ratio "${best_wall[ferret-bench-walk]}" "${best_wall[tsk_loaddb]}")
echo
printf '%-40s %8s   target <= 0.50  %s\n' "ratio ferret-ingest / hashdeep" "$r1" "$(verdict "$r1" 0.5)"
printf '%-40s %8s   target <= 1.50  %s\n' "ratio ferret-bench-walk / tsk_loaddb" "$r2" "$(verdict "$r2" 1.5)"
printf '%-40s %8s   target <  256   %s\n' "ferret-ingest peak RSS MiB" "${best_rss[ferret-ingest]}" \
  "$(awk -v v="${best_rss[ferret-ingest]}" 'BEGIN{ print (v < 256) ? "ok" : "MISSED" }')"

# Sanity: what the last ingest recorded, against TSK's own listing and hashdeep's hashes.
echo
echo "=== sanity (last run) ==="
json=$(cat "$out/stdout-ferret-ingest.txt")
jfield() { grep -o "\"$1\":[^,}]*" <<< "$json" | head -1 | cut -d: -f2- | tr -d '"'; }
db_files=$(sqlite3 "$out/case-ingest/case.db" 'SELECT count(*) FROM files' 2>/dev/null || echo '?')
walk_files=$(sed -n 's/^walk: \([0-9]*\) files.*/\1/p' "$out/stdout-ferret-bench-walk.txt")
fls_files=$(fls -r -p "$image" | wc -l)
fls_deleted=$(fls -r -p -d "$image" | wc -l)
loaddb_files=$(sqlite3 "$out/loaddb.db" 'SELECT count(*) FROM tsk_files' 2>/dev/null || echo '?')
echo "ferret-ingest --json: files $(jfield files), deleted $(jfield deleted), problems $(jfield problems), exit_code $(jfield exit_code)"
echo "files in case.db: $db_files; ferret-bench-walk: $walk_files; fls -r -p: $fls_files (deleted: $fls_deleted); tsk_loaddb tsk_files rows: $loaddb_files"
hd_md5=$(awk -F, '!/^[%#]/ && NF >= 4 {print $2; exit}' "$out/stdout-hashdeep.txt")
[[ $hd_md5 == "$(jfield md5)" ]] && echo "md5 matches hashdeep: $hd_md5" || echo "md5 MISMATCH: hashdeep $hd_md5, ferret-ingest $(jfield md5)"
