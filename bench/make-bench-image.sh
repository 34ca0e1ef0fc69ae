#!/usr/bin/env bash
# Builds the ingest benchmark image: a raw image of a release group's media drive.
#
#   bench/make-bench-image.sh [--size 2G] [OUT]        (OUT defaults to bench/out/bench-ext4.raw)
#
# Layout: NO partition table. The image is one ext4 file system over the whole medium (like `dd` of
# /dev/sdb1), so ferret-ingest and tsk_loaddb open it as a single "whole media" volume.
#
# Content (a few thousand files, ~85-90% of the file system used):
#   /Releases/Movies/<release>/   one large video (.mkv/.avi/.mp4), .nfo, .sfv, Sample/ (real short
#                                 video), Proof/ (real JPEG), Subs/ (.srt)
#   /Releases/TV/<show>/Season.NN/<release>/   the same for TV episodes (smaller videos)
#   /Artwork/{Posters,Covers,Thumbs/...}       many small real JPEG/PNG images (ffmpeg lavfi sources)
#   /Scene/{NFO-Archive,Logs}, /Docs, /Incoming text files (.nfo, .txt, .log), one symlink
# Every large video is a real MPEG-4 part 2 video (ffmpeg, mpeg4 codec) followed by pseudo-random bytes
# (AES-128-CTR keystream keyed from the file name), so each is unique. Afterwards a few files and one
# directory are deleted with debugfs, so the file system holds deleted entries (and recoverable content).
#
# The file system is built without mounting (mkfs.ext4 -d, fixed UUID and hash seed,
# E2FSPROGS_FAKE_TIME), then every inode's times and owner are set with debugfs from a manifest, so the
# image is byte-for-byte reproducible for a given size and tool versions (ffmpeg, e2fsprogs). Re-running
# replaces OUT. The temporary source tree lives under bench/out/ and is removed on exit.
#
# Needs: ffmpeg, e2fsprogs (mkfs.ext4, debugfs, e2fsck, dumpe2fs), openssl, python3 (SFV CRC-32s).
set -euo pipefail
export LC_ALL=C TZ=UTC   # mke2fs -d sorts names with alphasort (strcoll): make that locale independent

usage() { echo "usage: $0 [--size SIZE] [OUT]   SIZE like 2G, 1536M or bytes (default 2G, minimum 512M)"; }
size_arg=2G
out=
while (($#)); do
  case $1 in
    --size) [[ $# -ge 2 ]] || { usage >&2; exit 1; }; size_arg=$2; shift 2 ;;
    --size=*) size_arg=${1#--size=}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option: $1" >&2; usage >&2; exit 1 ;;
    *) [[ -z $out ]] || { usage >&2; exit 1; }; out=$1; shift ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${out:-$repo/bench/out/bench-ext4.raw}")
size=$(numfmt --from=iec "${size_arg%iB}" 2>/dev/null) || { echo "bad size: $size_arg" >&2; exit 1; }
size=$((size / 4096 * 4096))
((size >= 512 * 1024 * 1024)) || { echo "size must be at least 512M (got $size_arg)" >&2; exit 1; }

for tool in ffmpeg mkfs.ext4 debugfs e2fsck dumpe2fs openssl python3 numfmt; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install ffmpeg e2fsprogs openssl python3)" >&2; exit 1; }
done

mkdir -p "$repo/bench/out" "$(dirname "$out")"
tmp=$(mktemp -d "$repo/bench/out/.make-bench-image.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
src=$tmp/src        # becomes the file system root
media=$tmp/media    # generated source media
mkdir -p "$src" "$media"

t_start=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - t_start))" "$*"; }

# ---- determinism helpers ------------------------------------------------------------------------
rng=20240501
R=0
rnd() { rng=$(((rng * 1103515245 + 12345) % 2147483648)); R=$(((rng >> 8) % $1)); }   # R in [0, $1)
pick() { local -n arr=$1; rnd ${#arr[@]}; P=${arr[R]}; }                            # P = random element

EPOCH0=1609459200        # 2021-01-01: first release on the drive
MKFS_TIME=1609286400     # 2020-12-30: file system created
DELETE_TIME=1714300000   # 2024-04-28: files deleted shortly before the seizure
manifest=$tmp/manifest   # "epoch<TAB>path inside the file system", applied with debugfs after mkfs
: > "$manifest"
stamp() { printf '%d\t%s\n' "$1" "${2#"$src"}" >> "$manifest"; }   # stamp EPOCH PATH...
mkd() { mkdir -p "$2"; stamp "$1" "$2"; }                           # mkd EPOCH DIR

# FFmpeg output without version strings or random ids, single-threaded so it is reproducible.
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
BITEXACT=(-fflags +bitexact -flags:v +bitexact -map_metadata -1)

# keystream NAME BYTES: deterministic pseudo-random bytes, keyed by NAME
keystream() {
  local h
  h=$(printf '%s' "$1" | openssl dgst -sha256 -r | cut -c1-64)
  (set +o pipefail; openssl enc -aes-128-ctr -nosalt -K "${h:0:32}" -iv "${h:32:32}" < /dev/zero 2>/dev/null | head -c "$2")
}

# ---- word lists ---------------------------------------------------------------------------------
ADJ=(Silent Broken Crimson Hidden Last Frozen Golden Dark Lost Burning Hollow Iron Savage Quiet Wild
  Electric Midnight Northern Sunken Paper Glass Bitter Distant Restless Velvet Scarlet Pale Lonely)
NOUN=(Harbor Empire Protocol Garden Frontier Signal Witness Kingdom Orchard Voyage Circuit Tide
  Lantern Horizon Archive Fortress Meridian Cartel Station Summit Engine Labyrinth Parade Verdict)
GRPS=(VOiDRiP KRAKEN PiXELPUSH NOCTURNE TWiLiGHT SLOWMO RAWHiDE GLACiER)
SOURCES=(BluRay WEB-DL WEBRip HDTV DVDRip)
RES=(720p 1080p 2160p)
NICKS=(vortex d3lta m0nk sparrow k1ln ghostly nyx rasputin orbit zed)
SHOWS=(Harbor.Patrol The.Long.Winter Signal.Lost Night.Shift.Medics Iron.Valley)

title_of() { pick ADJ; local a=$P; pick NOUN; P="The.$a.$P"; }   # P = a title like The.Silent.Harbor

# ---- 1. real media from ffmpeg's lavfi sources --------------------------------------------------
step "generating images with ffmpeg"
mkdir -p "$media"/{posters,covers,thumbs_a,thumbs_b,thumbs_c,proofs}
ff -f lavfi -i "mandelbrot=size=400x600:rate=25" -frames:v 160 "${BITEXACT[@]}" -q:v 4 "$media/posters/%04d.jpg"
ff -f lavfi -i "mandelbrot=size=300x450:rate=25:start_scale=2" -frames:v 120 "${BITEXACT[@]}" -q:v 6 "$media/posters/b%04d.jpg"
ff -f lavfi -i "testsrc2=size=480x480:rate=25" -frames:v 120 "${BITEXACT[@]}" "$media/covers/%04d.png"
ff -f lavfi -i "testsrc=size=240x135:rate=25" -frames:v 700 "${BITEXACT[@]}" -q:v 5 "$media/thumbs_a/%04d.jpg"
ff -f lavfi -i "testsrc2=size=320x180:rate=25" -frames:v 600 "${BITEXACT[@]}" "$media/thumbs_b/%04d.png"
ff -f lavfi -i "life=size=160x90:rate=25:seed=7:mold=10:ratio=0.3" -frames:v 400 "${BITEXACT[@]}" "$media/thumbs_c/%04d.png"
ff -f lavfi -i "testsrc=size=1280x720:rate=1" -frames:v 60 "${BITEXACT[@]}" -q:v 3 "$media/proofs/%04d.jpg"

step "generating base videos with ffmpeg (mpeg4)"
VENC=(-c:v mpeg4 -q:v 5 -threads 1 -pix_fmt yuv420p)
ff -f lavfi -i "testsrc=size=1280x720:rate=25" -t 8 "${VENC[@]}" "${BITEXACT[@]}" "$media/base0.mkv"
ff -f lavfi -i "testsrc2=size=1280x720:rate=25" -t 6 "${VENC[@]}" "${BITEXACT[@]}" "$media/base1.mp4"
ff -f lavfi -i "mandelbrot=size=640x360:rate=25" -t 5 "${VENC[@]}" "${BITEXACT[@]}" "$media/base2.avi"
ff -f lavfi -i "life=size=480x270:rate=25:seed=42:mold=10" -t 2 "${VENC[@]}" "${BITEXACT[@]}" "$media/base3.mkv"
ff -f lavfi -i "smptehdbars=size=1280x720:rate=25" -t 4 "${VENC[@]}" "${BITEXACT[@]}" "$media/base4.mp4"
ff -f lavfi -i "rgbtestsrc=size=640x480:rate=25" -t 4 "${VENC[@]}" "${BITEXACT[@]}" "$media/base5.avi"
declare -A BASE=([mkv]="base0.mkv base3.mkv" [mp4]="base1.mp4 base4.mp4" [avi]="base2.avi base5.avi")

# sample VIDEO SEED DURATION: a short real video, different for each seed
sample() { ff -f lavfi -i "life=size=320x180:rate=25:seed=$2:mold=5:ratio=0.$((2 + $2 % 6))" -t "$3" "${VENC[@]}" "${BITEXACT[@]}" "$1"; }

# ---- 2. text helpers ----------------------------------------------------------------------------
nfo() {  # nfo FILE RELEASE GROUP SIZE SOURCE EPOCH
  cat > "$1" <<EOF
      ___      ___  _____  ___ ___      _____  ___  _____
     |   |    |   ||     ||   |   \\    |     ||   ||     |
     |___|____|___||_____||___|___/    |_____||___||_____|    presents

  $2

  RELEASE DATE ..: $(date -u -d "@$6" +%Y-%m-%d)
  SOURCE ........: $5
  VIDEO .........: MPEG-4 Part 2, ~$((4 + ${#2} % 9)) Mbps
  AUDIO .........: none
  SIZE ..........: $(($4 / 1048576)) MiB ($4 bytes)
  GROUP .........: $3

  NOTES: Greetz to all friends in the scene. We are looking for affils with 10gbit+ boxes.
         Sample and proof included. Do not upload to public trackers.
EOF
}
crc32() { python3 -c 'import sys, zlib
for p in sys.argv[1:]:
    c = 0
    with open(p, "rb") as f:
        while b := f.read(1 << 22): c = zlib.crc32(b, c)
    print("%08X" % c)' "$@"; }
sfv() {  # sfv FILE MEMBER... : real CRC-32 of each member
  local crcs f i=0
  mapfile -t crcs < <(crc32 "${@:2}")
  { echo "; Generated by cfv v1.18 on $(date -u -d "@${SFV_TIME}" '+%Y-%m-%d at %H:%M.%S')"
    for f in "${@:2}"; do printf '%s %s\n' "${f##*/}" "${crcs[i++]}"; done; } > "$1"
}
srt() {  # srt FILE N_LINES SEED
  local i s
  for ((i = 1; i <= $2; i++)); do
    s=$((i * 4 + $3 % 7))
    pick NOUN; printf '%d\n00:%02d:%02d,000 --> 00:%02d:%02d,500\nThe %s is closed until dawn, %s.\n\n' \
      "$i" $((s / 60 % 60)) $((s % 60)) $(((s + 2) / 60 % 60)) $(((s + 2) % 60)) "${P,,}" "${NICKS[(i + $3) % 10]}"
  done > "$1"
}

# ---- 3. the release tree ------------------------------------------------------------------------
step "building the release tree"
mkd $EPOCH0 "$src"
for d in Releases Releases/Movies Releases/TV Artwork Artwork/Posters Artwork/Covers Artwork/Thumbs Scene \
    Scene/NFO-Archive Scene/Logs Docs Incoming; do
  mkd $EPOCH0 "$src/$d"
done

# One line per large video, written in step 4 once the sizes are known:
# release dir, video path, base video, size weight, release time, group, source, release name (tab separated)
big=()
t=$EPOCH0
n_movies=24 n_tv=16 n_releases=40
for ((i = 0; i < n_releases; i++)); do
  rnd 2400000; t=$((t + 1200000 + R))                       # a release every 14-42 days
  pick GRPS; grp=$P; pick SOURCES; srcname=$P; pick RES; res=$P
  exts=(mkv mkv mp4 avi); pick exts; ext=$P
  if ((i % 5 < 3 && n_movies > 0)); then
    title_of; year=$((2000 + i % 24))
    rel="$P.$year.$res.$srcname.MPEG4-$grp"
    dir="$src/Releases/Movies/$rel"; mkd $t "$dir"
    short="${grp,,}-$(tr -d . <<< "${P,,}")-$year"
    rnd 90; weight=$((60 + R)); n_movies=$((n_movies - 1))
  else
    pick SHOWS; show=$P; season=$((1 + i % 3)); ep=$((1 + i % 10))
    mkd $t "$src/Releases/TV/$show"; mkd $t "$src/Releases/TV/$show/Season.0$season"
    rel=$(printf '%s.S%02dE%02d.%s.%s.MPEG4-%s' "$show" $season $ep "$res" "$srcname" "$grp")
    dir="$src/Releases/TV/$show/Season.0$season/$rel"; mkd $t "$dir"
    short=$(printf '%s-%s-s%02de%02d' "${grp,,}" "$(tr -d . <<< "${show,,}")" $season $ep)
    rnd 20; weight=$((15 + R)); n_tv=$((n_tv - 1))
  fi
  mkd $t "$dir/Sample"; mkd $t "$dir/Proof"; mkd $t "$dir/Subs"
  bases=(${BASE[$ext]}); pick bases
  big+=("$dir	$dir/$short.$ext	$P	$weight	$t	$grp	$srcname	$rel")
  sample "$dir/Sample/$short-sample.$ext" $((i + 100)) $((1 + i % 3)); stamp $t "$dir/Sample/$short-sample.$ext"
  cp "$media/proofs/$(printf '%04d' $((i + 1))).jpg" "$dir/Proof/$short-proof.jpg"; stamp $t "$dir/Proof/$short-proof.jpg"
  for lang in eng swe; do srt "$dir/Subs/$short.$lang.srt" $((200 + i * 7)) $((i * 13 + ${#lang})); stamp $t "$dir/Subs/$short.$lang.srt"; done
  if ((i % 4 == 0)); then cp "$media/covers/$(printf '%04d' $((i + 1))).png" "$dir/folder.png"; stamp $t "$dir/folder.png"; fi
done

step "artwork"
n=0
for f in "$media"/posters/*.jpg; do
  title_of; name="$P.poster.$((n % 7 + 1)).jpg"; n=$((n + 1))
  [[ -e "$src/Artwork/Posters/$name" ]] && name="${name%.jpg}.$n.jpg"
  mv "$f" "$src/Artwork/Posters/$name"; rnd 100000000; stamp $((EPOCH0 + R)) "$src/Artwork/Posters/$name"
done
for f in "$media"/covers/*.png; do
  b=${f##*/}; mv "$f" "$src/Artwork/Covers/cover_$b"; rnd 100000000; stamp $((EPOCH0 + R)) "$src/Artwork/Covers/cover_$b"
done
for set in a b c; do
  k=0
  for f in "$media/thumbs_$set"/*; do
    if ((k % 100 == 0)); then
      batch="$src/Artwork/Thumbs/batch_${set}_$((k / 100 + 1))"; rnd 100000000; bt=$((EPOCH0 + R)); mkd $bt "$batch"
    fi
    b=${f##*/}; mv "$f" "$batch/thumb_$b"; stamp $((bt + k)) "$batch/thumb_$b"; k=$((k + 1))
  done
done
# the group's own Thumbs.db-like index of each batch
for d in "$src"/Artwork/Thumbs/*; do
  ls "$d" | sed 's/^/  /' > "$d/index.txt"; stamp $EPOCH0 "$d/index.txt"
done

step "scene text files"
for ((i = 0; i < 700; i++)); do
  rnd 100000000; tt=$((EPOCH0 + R)); y=$(date -u -d "@$tt" +%Y)
  [[ -d "$src/Scene/NFO-Archive/$y" ]] || mkd $tt "$src/Scene/NFO-Archive/$y"
  title_of; ttl=$P; pick GRPS; g=$P; pick RES; rel="$ttl.$((1990 + i % 34)).$P.x264-$g"
  f="$src/Scene/NFO-Archive/$y/$(printf '%04d' $i)-${rel}.nfo"
  rnd 4000000000; nfo "$f" "$rel" "$g" $((700000000 + R)) WEB-DL $tt; stamp $tt "$f"
done
for ((day = 0; day < 240; day++)); do
  tt=$((EPOCH0 + day * 86400 * 5)); f="$src/Scene/Logs/irc-#voidrip-$(date -u -d "@$tt" +%Y-%m-%d).log"
  {
    for ((l = 0; l < 40 + day % 60; l++)); do
      pick NICKS; nick=$P; pick ADJ; a=$P; pick NOUN
      printf '[%02d:%02d] <%s> %s %s is up on the site, %d files, check the sfv\n' $((l / 3 % 24)) $((l * 7 % 60)) "$nick" "$a" "$P" $((l % 50 + 3))
    done
  } > "$f"
  stamp $((tt + 86399)) "$f"
done
cat > "$src/Docs/rules.txt" <<'EOF'
VOiDRiP internal rules
1. Never upload to public trackers.
2. Every release has a sample, a proof and an sfv. Check the crc before you pack.
3. Nukes are discussed in the channel, not on the site.
EOF
printf '%s\n' "${NICKS[@]}" > "$src/Docs/members.txt"
printf 'site%d.example.net:21%02d  user=%s\n' 1 1 vortex 2 7 nyx 3 9 orbit > "$src/Docs/ftp-sites.txt"
for f in rules.txt members.txt ftp-sites.txt; do stamp $((EPOCH0 + 3600)) "$src/Docs/$f"; done
ln -s "../Releases/Movies" "$src/Docs/movies"; stamp $((EPOCH0 + 3600)) "$src/Docs/movies"
# an unfinished upload: removed again before the seizure (see the deletions below)
mkd $((DELETE_TIME - 86400)) "$src/Incoming/The.Paper.Verdict.2024.1080p.WEB-DL.MPEG4-VOiDRiP"
for f in void-paper.nfo void-paper.sfv void-paper.part; do
  printf 'incomplete upload %s\n' "$f" > "$src/Incoming/The.Paper.Verdict.2024.1080p.WEB-DL.MPEG4-VOiDRiP/$f"
  stamp $((DELETE_TIME - 80000)) "$src/Incoming/The.Paper.Verdict.2024.1080p.WEB-DL.MPEG4-VOiDRiP/$f"
done

# ---- 4. the large videos: fill the file system ----------------------------------------------------
small_bytes=$(find "$src" -type f -printf '%s\n' | awk '{b += int(($1 + 4095) / 4096) * 4096} END {print b + 0}')
# ext4 metadata (journal, inode tables, bitmaps) takes ~5% of a 2 GiB file system: ~90% of the blocks
# are used before the deletions below, ~88% after.
budget=$((size * 86 / 100 - small_bytes))
total_weight=0
for e in "${big[@]}"; do IFS=$'\t' read -r _ _ _ w _ <<< "$e"; total_weight=$((total_weight + w)); done
((budget > ${#big[@]} * 8 * 1048576)) || { echo "size $size_arg is too small for the tree" >&2; exit 1; }
step "writing ${#big[@]} large videos ($((budget / 1048576)) MiB) and their .nfo/.sfv"
k=0
for e in "${big[@]}"; do
  IFS=$'\t' read -r dir video base w t grp srcname rel <<< "$e"
  bytes=$((budget / total_weight * w + k * 4099))           # not a multiple of the block size
  cp "$media/$base" "$video"
  pad=$((bytes - $(stat -c %s "$video")))
  ((pad > 0 && bytes < budget)) || { echo "bad size $bytes for $video (budget $budget, weight $w/$total_weight)" >&2; exit 1; }
  keystream "${video#"$src"}" "$pad" >> "$video"
  stamp $t "$video"
  short=${video##*/}; short=${short%.*}
  nfo "$dir/$short.nfo" "$rel" "$grp" "$bytes" "$srcname" "$t"; stamp $t "$dir/$short.nfo"
  SFV_TIME=$t sfv "$dir/$short.sfv" "$video" "$dir/Sample/$short-sample.${video##*.}"; stamp $t "$dir/$short.sfv"
  k=$((k + 1))
  ((k % 10)) || step "  $k/${#big[@]} videos"
done

n_files=$(find "$src" -type f | wc -l)
n_dirs=$(find "$src" -type d | wc -l)
step "source tree: $n_files files, $n_dirs directories, $(du -sm --apparent-size "$src" | cut -f1) MiB"

# ---- 5. the file system ---------------------------------------------------------------------------
img=$tmp/image.raw
step "mkfs.ext4 -d (no partition table, $((size / 1048576)) MiB)"
truncate -s "$size" "$img"
E2FSPROGS_FAKE_TIME=$MKFS_TIME mkfs.ext4 -q -F -b 4096 -m 0 -L MEDIA2 \
  -U 5a1d7e2c-3f4b-4c8d-9e0f-1a2b3c4d5e6f -E hash_seed=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0,lazy_itable_init=0 \
  -d "$src" "$img"

# Times (mkfs copies the source tree's ctime, which is the time this script ran) and owners (the uid
# running this script) from the manifest.
step "setting times and owners with debugfs"
awk -F'\t' '{p = ($2 == "") ? "/" : $2
  printf "sif \"%s\" mtime @%d\nsif \"%s\" atime @%d\nsif \"%s\" ctime @%d\nsif \"%s\" crtime @%d\nsif \"%s\" uid 1000\nsif \"%s\" gid 1000\n",
    p, $1, p, $1 + 3600 * (NR % 300), p, $1, p, $1, p, p}' "$manifest" > "$tmp/sif.cmds"
debugfs_run() {  # debugfs_run CMDFILE: fail on any error message
  E2FSPROGS_FAKE_TIME=$DELETE_TIME debugfs -w -f "$1" "$img" > "$tmp/debugfs.out" 2> "$tmp/debugfs.err"
  if grep -v '^debugfs [0-9]' "$tmp/debugfs.err" | grep -q .; then
    echo "debugfs failed:" >&2; head "$tmp/debugfs.err" >&2; exit 1
  fi
}
debugfs_run "$tmp/sif.cmds"

step "deleting files with debugfs"
{
  # a movie and a TV episode (large, content recoverable), another movie's nfo and sample, some thumbnails, a log
  IFS=$'\t' read -r _ video _ <<< "${big[1]}";  echo "rm \"${video#"$src"}\""
  IFS=$'\t' read -r _ video _ <<< "${big[-1]}"; echo "rm \"${video#"$src"}\""
  IFS=$'\t' read -r dir video _ <<< "${big[2]}"; short=${video##*/}; short=${short%.*}
  echo "rm \"${dir#"$src"}/$short.nfo\""
  echo "rm \"${dir#"$src"}/Sample/$short-sample.${video##*.}\""
  for f in batch_a_2/thumb_0123.jpg batch_b_5/thumb_0450.png batch_c_1/thumb_0007.png batch_c_3/thumb_0250.png; do
    echo "rm \"/Artwork/Thumbs/$f\""
  done
  ls "$src/Scene/Logs" | sed -n '17p;18p' | sed 's|^|rm "/Scene/Logs/|; s|$|"|'
  # the unfinished upload: its files, then the directory
  for f in void-paper.nfo void-paper.sfv void-paper.part; do
    echo "rm \"/Incoming/The.Paper.Verdict.2024.1080p.WEB-DL.MPEG4-VOiDRiP/$f\""
  done
  echo "rmdir \"/Incoming/The.Paper.Verdict.2024.1080p.WEB-DL.MPEG4-VOiDRiP\""
} > "$tmp/rm.cmds"
debugfs_run "$tmp/rm.cmds"
n_deleted=$(grep -c '^rm ' "$tmp/rm.cmds")

step "checking the file system (e2fsck -fn)"
e2fsck -fn "$img" > "$tmp/fsck.out" 2>&1 || { echo "e2fsck found problems:" >&2; cat "$tmp/fsck.out" >&2; exit 1; }

read -r blocks free < <(dumpe2fs -h "$img" 2>/dev/null | awk -F': *' '/^Block count/{b=$2} /^Free blocks/{f=$2} END{print b, f}')
mv -f "$img" "$out"
step "done: $out"
echo "  $size bytes, ext4 (no partition table), $n_files files and $n_dirs directories written," \
  "$n_deleted files and 1 directory deleted, $(((blocks - free) * 100 / blocks))% of blocks used"
