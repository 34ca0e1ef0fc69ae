#!/usr/bin/env bash
# Ingest speed against the figures to beat (issue: ingest <= 0.5x hashdeep with three hashes; walk alone
# <= 1.5x tsk_loaddb; peak memory < 256 MiB). Run by hand:  bench/bench-ingest.sh [IMAGE]
# Without IMAGE, builds bench/out/bench.raw (2 GiB ext4 full of media) with bench/make-bench-image.sh.
# Needs: hashdeep, sleuthkit (tsk_loaddb), GNU time (apt-get install hashdeep sleuthkit time).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
image=${1:-$out/bench.raw}
if [[ ! -f "$image" ]]; then
  bench/make-bench-image.sh 2 "$image"
fi
for tool in hashdeep tsk_loaddb /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install hashdeep sleuthkit time" >&2; exit 1; }
done
[[ -x build/bin/ferret-ingest && -x build/bin/ferret-bench-walk ]] || scripts/build.sh

size=$(stat -c %s "$image")
echo "image: $image ($size bytes), $(nproc) cores"
# Warm the page cache so that every tool reads from memory alike.
cat "$image" > /dev/null

measure() {  # label, command...: prints wall seconds and peak RSS
  local label=$1; shift
  local log="$out/time-$label.txt"
  /usr/bin/time -v "$@" > "$out/stdout-$label.txt" 2> "$log" || { echo "$label failed; see $log" >&2; tail -5 "$log" >&2; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$log")
  printf '%-24s wall %-10s peak RSS %6d MiB\n' "$label" "$wall" "$((rss / 1024))"
}

rm -rf "$out/case-ingest" "$out/case-walk" "$out/loaddb.db"
measure hashdeep hashdeep -c md5,sha1,sha256 "$image"
measure tsk_loaddb tsk_loaddb -d "$out/loaddb.db" "$image"
measure ferret-bench-walk build/bin/ferret-bench-walk "$out/case-walk" "$image"
measure ferret-ingest build/bin/ferret-ingest --case "$out/case-ingest" --quiet "$image"
echo "files recorded by ferret-ingest: $(sqlite3 "$out/case-ingest/case.db" 'SELECT count(*) FROM files' 2>/dev/null || echo '?')"
