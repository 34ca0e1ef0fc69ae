#!/usr/bin/env bash
# Builds the carving sample (issue 6) and its ground truth.
#
#   samples/make-carve-sample.sh [--keep-raw FILE]
#
# Writes samples/images/carve.raw.xz and samples/manifests/carve.tsv (--keep-raw also keeps the
# uncompressed image). No root needed: nothing is mounted. Needs the packages of
# `scripts/install-deps.sh --samples` (ffmpeg, e2fsprogs, dosfstools, mtools, fdisk, faketime,
# libjpeg-turbo-progs, mktorrent, sqlite3, zip, python3, openssl, xz-utils, and sleuthkit for the checks).
#
# The disk (48 MiB, MBR, 512-byte sectors):
#   [0, 2048)          MBR and the usual gap
#   [2048, 26624)      ext4, 12 MiB, 4 KiB blocks (mkfs.ext4 -d, fixed UUID and hash seed)
#   [26624, 94208)     FAT32, 33 MiB, 512-byte clusters (mkfs.fat + mtools; The Sleuth Kit needs at
#                      least 65525 clusters to call a volume FAT32, hence 33 MiB)
#   [94208, 98304)     unpartitioned: a few files written there with dd, no file system claims them
# Media of every family ferret-carve knows (jpeg png gif bmp riff mp4 matroska mp3 flac ogg pdf zip
# sqlite torrent), made with ffmpeg, jpegtran, zip, sqlite3, mktorrent and python3. On both file
# systems most files are deleted after being written (debugfs rm, mdel) and their content stays in
# place, and the file systems forget them (ext4: the inode cleared as the kernel does; FAT: the deleted
# directory entries taken by files written later, except in /Old, whose two deleted files FAT still
# lists); a few are left allocated; a few deleted ones are then partly overwritten with pseudo-random
# bytes (dd); two were written truncated. See samples/README.md, section "carve.raw".
#
# Every offset in the manifest is computed from the file systems' own metadata (ext4 extents through
# debugfs before the deletion, FAT cluster chains through mshowfat and the boot sector), and every
# file whose bytes should still be on the disk is read back from the finished image and compared by
# SHA-256: the script fails if one differs or if a file that must be contiguous is not.
#
# Deterministic: fixed seeds, a frozen clock (libfaketime, E2FSPROGS_FAKE_TIME), bit-exact encoder
# flags, fixed UUIDs/serials. The image is byte-for-byte the same on every run with the same tool
# versions.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$HERE/images
MANIFESTS=$HERE/manifests
keep_raw=
while (($#)); do
  case $1 in
    --keep-raw) [[ $# -ge 2 ]] || { echo "usage: $0 [--keep-raw FILE]" >&2; exit 1; }; keep_raw=$(realpath -m "$2"); shift 2 ;;
    -h|--help) echo "usage: $0 [--keep-raw FILE]"; exit 0 ;;
    *) echo "usage: $0 [--keep-raw FILE]" >&2; exit 1 ;;
  esac
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferret-carve-sample.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

umask 022
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1 DEBUGFS_PAGER=__none__ PAGER=cat
FROZEN="2026-03-14 21:30:00"
export E2FSPROGS_FAKE_TIME=1773523800   # the same instant, for mke2fs/debugfs
DELETE_TIME=1773610200                  # 2026-03-15 21:30:00: when the files were deleted
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1 || true)
[[ -n "$FAKETIME_LIB" ]] || { echo "make-carve-sample: libfaketime missing: run scripts/install-deps.sh --samples" >&2; exit 1; }
frozen() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="$FROZEN" NO_FAKE_STAT=1 "$@"; }

for tool in ffmpeg jpegtran mkfs.ext4 debugfs e2fsck mkfs.fat fsck.fat mcopy mmd mdel mshowfat sfdisk \
    mktorrent sqlite3 zip python3 openssl xz sha256sum mmls fsstat fls istat; do
  command -v "$tool" >/dev/null || { echo "make-carve-sample: $tool missing: run scripts/install-deps.sh --samples" >&2; exit 1; }
done

log() { printf 'make-carve-sample: %s\n' "$*" >&2; }
die() { printf 'make-carve-sample: error: %s\n' "$*" >&2; exit 1; }

# ---- layout ----------------------------------------------------------------------------------------
SECTOR=512
EXT4_START=2048;   EXT4_SECTORS=24576    # 12 MiB
FAT_START=26624;   FAT_SECTORS=67584     # 33 MiB
RAW_START=94208                          # unpartitioned to the end
DISK_SECTORS=98304                       # 48 MiB
EXT4_BLOCK=4096

# ---- deterministic content -------------------------------------------------------------------------

# prng SEED BYTES: BYTES pseudo-random bytes, always the same for the same SEED.
prng() {
  local key
  key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
  { openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000 </dev/zero 2>/dev/null || true; } | head -c "$2"
}
# mtime_of N: the N-th file's modification time (whole, even seconds: FAT keeps 2 s).
mtime_of() { printf '2026-03-%02d %02d:%02d:%02d UTC' $(($1 % 9 + 1)) $((8 + $1 % 12)) $(($1 * 7 % 60)) $(($1 * 2 % 60)); }
sha256() { sha256sum <"$1" | cut -d' ' -f1; }
fsize() { stat -c %s "$1"; }

FF=(ffmpeg -nostdin -hide_banner -loglevel error -y)
BX=(-fflags +bitexact -flags +bitexact -map_metadata -1 -threads 1)

# src SOURCE OPTIONS: a lavfi source with more options ("mandelbrot=start_scale=2" + "size=...").
src() { if [[ $1 == *=* ]]; then printf '%s:%s' "$1" "$2"; else printf '%s=%s' "$1" "$2"; fi; }
# still OUT SOURCE SIZE [ENCODER OPTIONS...]: one frame of a lavfi test source.
still() { local out=$1 src=$2 size=$3; shift 3; "${FF[@]}" -f lavfi -i "$(src "$src" "size=$size")" -frames:v 1 "$@" "${BX[@]}" "$out"; }
# av OUT SOURCE SIZE RATE SECONDS TONE [OPTIONS...]: a test video with a sine tone.
av() {
  local out=$1 src=$2 size=$3 rate=$4 secs=$5 tone=$6; shift 6
  "${FF[@]}" -f lavfi -i "$(src "$src" "size=$size:rate=$rate")" -f lavfi -i "sine=frequency=$tone" \
    -t "$secs" "$@" "${BX[@]}" "$out"
}
# audio OUT TONE SECONDS RATE [OPTIONS...]: a sine tone.
audio() {
  local out=$1 tone=$2 secs=$3 rate=$4; shift 4
  "${FF[@]}" -f lavfi -i "sine=frequency=$tone:duration=$secs:sample_rate=$rate" -ac 1 "$@" "${BX[@]}" "$out"
}
X264=(-c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p -c:a aac -b:a 32k)

# The python side: hand-written PDFs, the docx-like zip, a bencoded torrent, an EXIF thumbnail, and
# the checks on the finished image.
cat >"$WORK/helper.py" <<'PY'
import hashlib, struct, sys, zipfile, zlib

def stream_bytes(seed, n):
    out, i = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}/{i}".encode()).digest(); i += 1
    return bytes(out[:n])

def pdf(out, title, lines, update):
    """A one-page PDF written by hand (xref offsets computed); `update` appends an incremental update
    (a second body, xref section and %%EOF), as editors do when they save a change."""
    content = b"BT /F1 11 Tf 72 740 Td 14 TL\n" + b"".join(b"(" + l.encode() + b") '\n" for l in lines) + b"ET\n"
    packed = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + title.encode() + b") /Producer (hand-written by make-carve-sample.sh) /CreationDate (D:20260314213000Z) >>",
    ]
    data = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(data)); data += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    data += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    if update:
        o6 = len(data)
        data += b"6 0 obj\n<< /Title (" + title.encode() + b" rev. 2) /Producer (hand-written by make-carve-sample.sh) /ModDate (D:20260315090000Z) >>\nendobj\n"
        xref2 = len(data)
        data += b"xref\n0 1\n0000000000 65535 f \n6 1\n%010d 00000 n \n" % o6
        data += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref, xref2)
    open(out, "wb").write(data)

def docx(out):
    """A Word-like document: OOXML parts in a deflated zip, fixed times."""
    parts = [
        ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>'),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>'),
        ("docProps/core.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>Distribution list</dc:title><dc:creator>kestrel</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2026-03-10T09:00:00Z</dcterms:created></cp:coreProperties>'),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + "".join(f"<w:p><w:r><w:t>Courier {i:03d}: upload slot {hashlib.sha1(str(i).encode()).hexdigest()}</w:t></w:r></w:p>" for i in range(400))
            + "</w:body></w:document>"),
    ]
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 10, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            z.writestr(info, text.encode())

def bencode(v):
    if isinstance(v, int): return b"i%de" % v
    if isinstance(v, str): v = v.encode()
    if isinstance(v, bytes): return b"%d:" % len(v) + v
    if isinstance(v, list): return b"l" + b"".join(bencode(x) for x in v) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"

def torrent(out):
    """A trackerless (DHT) multi-file torrent as a client writes it: it opens with "d10:created by"."""
    files = [("Harbor.Patrol.S02E01.720p.WEB-DL.x264-FRTGRP.mkv", 2_400_000), ("Harbor.Patrol.S02E01.nfo", 1_800)]
    plen = 32768
    blob = b"".join(stream_bytes(name, size) for name, size in files)
    pieces = b"".join(hashlib.sha1(blob[i:i + plen]).digest() for i in range(0, len(blob), plen))
    meta = {"created by": "qBittorrent v4.5.2", "creation date": 1773400000,
            "info": {"files": [{"length": s, "path": [n]} for n, s in files],
                     "name": "Harbor.Patrol.S02E01.720p.WEB-DL.x264-FRTGRP", "piece length": plen,
                     "pieces": pieces, "private": 1}}
    open(out, "wb").write(bencode(meta))

def exif(src, thumb, out):
    """Inserts a camera-style APP1 Exif segment holding a JPEG thumbnail right after the SOI."""
    jpg, th = open(src, "rb").read(), open(thumb, "rb").read()
    assert jpg[:2] == b"\xff\xd8"
    make = b"FRTCAM\0\0"                                  # ASCII, 7 bytes with the NUL, padded
    ifd0 = (struct.pack("<H", 2) + struct.pack("<HHII", 0x010F, 2, 7, 38) + struct.pack("<HHIHH", 0x0112, 3, 1, 1, 0)
            + struct.pack("<I", 46))                       # IFD0 at 8: 2 entries, then the IFD1 offset
    thumb_at = 46 + 2 + 3 * 12 + 4
    ifd1 = (struct.pack("<H", 3) + struct.pack("<HHIHH", 0x0103, 3, 1, 6, 0) + struct.pack("<HHII", 0x0201, 4, 1, thumb_at)
            + struct.pack("<HHII", 0x0202, 4, 1, len(th)) + struct.pack("<I", 0))
    tiff = b"II*\0" + struct.pack("<I", 8) + ifd0 + make + ifd1 + th
    assert len(tiff) - len(th) == thumb_at
    app1 = b"Exif\0\0" + tiff
    assert len(app1) + 2 < 65536
    open(out, "wb").write(jpg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpg[2:])

def flac_padding(path, keep):
    """Shrinks a FLAC's PADDING metadata block to `keep` bytes (as `metaflac` does). ffmpeg writes
    8 KiB of padding, and mke2fs -d leaves every all-zero 4 KiB block of a file as a hole."""
    d = bytearray(open(path, "rb").read())
    assert d[:4] == b"fLaC"
    pos = 4
    while True:
        last, typ, n = d[pos] & 0x80, d[pos] & 0x7F, int.from_bytes(d[pos + 1:pos + 4], "big")
        if typ == 1:
            d[pos + 1:pos + 4] = int(keep).to_bytes(3, "big")
            del d[pos + 4 + int(keep):pos + 4 + n]
            break
        assert not last, "no PADDING block"
        pos += 4 + n
    open(path, "wb").write(d)

def check_hit(kind, path, start, end):
    """The overwritten range [start, end) must break a structure a sound validator checks, so that
    the item cannot come back `complete`: the mp4's moov box, the zip's end of central directory, a
    JPEG's entropy-coded data (random bytes hold markers that cannot appear there), a PNG IDAT
    chunk's data (its CRC no longer matches)."""
    d = open(path, "rb").read()
    start, end = int(start), int(end)
    end = min(end, len(d))
    if kind == "mp4":
        pos = 0
        while pos + 8 <= len(d):
            size, typ = struct.unpack(">I4s", d[pos:pos + 8])
            if typ == b"moov":
                assert start < pos + size and pos < end, f"{path}: moov [{pos},{pos+size}) not in [{start},{end})"
                return
            pos += size
        raise SystemExit(f"{path}: no moov box")
    if kind == "zip":
        eocd = d.rfind(b"PK\x05\x06")
        assert start <= eocd < end, f"{path}: EOCD at {eocd} not in [{start},{end})"
        return
    if kind == "jpeg":
        sos, eoi = d.rfind(b"\xff\xda"), d.rfind(b"\xff\xd9")
        assert sos < start and end < eoi, f"{path}: [{start},{end}) not inside the scan ({sos},{eoi})"
        return
    if kind == "png":
        pos = 8
        while pos < len(d):
            n, typ = struct.unpack(">I4s", d[pos:pos + 8])
            if typ == b"IDAT" and pos + 8 <= start and end <= pos + 8 + n:
                return
            pos += 12 + n
        raise SystemExit(f"{path}: [{start},{end}) is not inside one IDAT chunk")
    raise SystemExit(f"unknown kind {kind}")

def marker_check(path, start, end):
    """JPEG overwrite: the random bytes must hold a marker that is illegal inside entropy-coded data."""
    d = open(path, "rb").read()[int(start):int(end)]
    for i in range(len(d) - 1):
        if d[i] == 0xFF and d[i + 1] not in (0x00, 0xFF) and not 0xD0 <= d[i + 1] <= 0xD9:
            return
    raise SystemExit(f"{path}: no illegal marker in the overwritten range")

def verify(manifest, image):
    """Reads every manifest row back from the image: intact, allocated and truncated rows must hash to
    the manifest's sha256 (their bytes are on the disk as written), overwritten rows must not."""
    rows = [l.rstrip("\n").split("\t") for l in open(manifest)]
    head = rows[0]; rows = rows[1:]
    col = {n: i for i, n in enumerate(head)}
    bad = 0
    with open(image, "rb") as f:
        for r in rows:
            f.seek(int(r[col["image_offset"]]))
            h = hashlib.sha256(f.read(int(r[col["length"]]))).hexdigest()
            same = h == r[col["sha256"]]
            want_same = r[col["variant"]] != "overwritten"
            if same != want_same:
                bad += 1
                print(f"verify: {r[col['name']]}: bytes at {r[col['image_offset']]} {'match' if same else 'differ'}", file=sys.stderr)
    if bad:
        raise SystemExit(f"verify: {bad} row(s) wrong")
    print(f"verify: {len(rows)} rows checked against the image", file=sys.stderr)

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "pdf": pdf(args[0], args[1], [f"{args[1]} - line {i}: {hashlib.md5(f'{args[1]}{i}'.encode()).hexdigest()}" for i in range(int(args[2]))], args[3] == "1")
elif cmd == "docx": docx(args[0])
elif cmd == "torrent": torrent(args[0])
elif cmd == "exif": exif(*args)
elif cmd == "flac-padding": flac_padding(*args)
elif cmd == "check-hit": check_hit(*args)
elif cmd == "marker-check": marker_check(*args)
elif cmd == "verify": verify(*args)
else: raise SystemExit(f"unknown command {cmd}")
PY
helper() { python3 "$WORK/helper.py" "$@"; }

# ---- the media -------------------------------------------------------------------------------------
M=$WORK/media
mkdir -p "$M"
log "media (ffmpeg, jpegtran, zip, sqlite3, mktorrent, python3)"

# jpeg: baseline (ffmpeg mjpeg), progressive (jpegtran), one with an EXIF thumbnail (a JPEG in a JPEG)
still "$M/holiday.jpg" mandelbrot 480x360 -q:v 3
still "$M/scan.base.jpg" testsrc2 640x480 -q:v 4
jpegtran -progressive -copy none -outfile "$M/scan.jpg" "$M/scan.base.jpg"
still "$M/kept-photo.jpg" testsrc 320x240 -q:v 5
still "$M/overwritten.jpg" "mandelbrot=start_scale=2.5:end_scale=0.5" 800x600 -q:v 3
still "$M/truncated.full.jpg" testsrc2 480x360 -q:v 3
head -c $(($(fsize "$M/truncated.full.jpg") * 6 / 10)) "$M/truncated.full.jpg" >"$M/truncated.jpg"
still "$M/img1.base.jpg" "mandelbrot=start_x=-0.75:start_y=0.1" 640x480 -q:v 4
still "$M/img1.thumb.jpg" "mandelbrot=start_x=-0.75:start_y=0.1" 160x120 -q:v 6
helper exif "$M/img1.base.jpg" "$M/img1.thumb.jpg" "$M/img1.jpg"
still "$M/img2.base.jpg" smptehdbars 640x360 -q:v 4
jpegtran -progressive -copy none -outfile "$M/img2.jpg" "$M/img2.base.jpg"
still "$M/img3.jpg" "life=seed=3:ratio=0.4" 320x240 -q:v 5
still "$M/raw-photo.jpg" "mandelbrot=start_x=-1.2:start_scale=1" 400x300 -q:v 4
# png, gif (animated), bmp
still "$M/diagram.png" testsrc2 400x300
still "$M/logo.png" smptebars 200x100
still "$M/drawing.png" "mandelbrot=start_scale=1.5" 320x240
"${FF[@]}" -f lavfi -i "testsrc=size=160x120:rate=8" -t 2 -loop 0 "${BX[@]}" "$M/spinner.gif"
"${FF[@]}" -f lavfi -i "life=size=120x90:rate=5:seed=11:mold=8" -t 2 -loop 0 "${BX[@]}" "$M/anim.gif"
still "$M/image.bmp" rgbtestsrc 160x120
# riff: avi, wav, webp
av "$M/old.avi" testsrc 320x240 15 2 300 -c:v mpeg4 -q:v 6 -c:a libmp3lame -b:a 32k -ar 22050 -ac 1
audio "$M/voice.wav" 523 1.5 16000 -c:a pcm_s16le
still "$M/photo.webp" "testsrc2" 320x240 -c:v libwebp -quality 70
# mp4 family: mp4 (moov at the end, and faststart), mov, 3gp
av "$M/clip.mp4" testsrc2 320x240 25 3 440 "${X264[@]}"
av "$M/faststart.mp4" smptebars 320x240 25 2 880 "${X264[@]}" -movflags +faststart
av "$M/ow.mp4" testsrc 320x240 25 3 660 "${X264[@]}"
av "$M/mov.mov" "mandelbrot" 320x240 15 2 330 -c:v mpeg4 -q:v 6 -c:a aac -b:a 32k -f mov
av "$M/vid.3gp" testsrc 176x144 15 3 770 -c:v h263 -q:v 8 -c:a aac -ar 8000 -b:a 12k -ac 1 -f 3gp
av "$M/truncated.full.mp4" testsrc2 240x180 25 2 990 "${X264[@]}"
head -c $(($(fsize "$M/truncated.full.mp4") / 2)) "$M/truncated.full.mp4" >"$M/truncated.mp4"
# matroska: mkv, webm
av "$M/episode.mkv" "mandelbrot=start_x=-0.74:start_y=0.12" 640x360 25 6 350 -c:v libx264 -preset veryfast -crf 24 -pix_fmt yuv420p -c:a flac
av "$M/trailer.webm" testsrc2 320x180 25 2 450 -c:v libvpx -b:v 300k -deadline good -cpu-used 4 -c:a libvorbis -q:a 2
av "$M/raw-video.mkv" smptehdbars 320x180 25 2 550 -c:v mpeg4 -q:v 6 -c:a libvorbis -q:a 1
# mp3 (ID3v2 tag; one without a tag at 22.05 kHz: MPEG-2, frames open with FF F3), flac, ogg
audio "$M/track01.mp3" 440 5 44100 -c:a libmp3lame -b:a 64k -id3v2_version 3 -metadata title="Night Harbor (theme)" -metadata artist="FRTGRP"
audio "$M/jingle.mp3" 880 3 22050 -c:a libmp3lame -b:a 32k -id3v2_version 0
audio "$M/raw-song.mp3" 392 4 44100 -c:a libmp3lame -b:a 48k -id3v2_version 4 -metadata title="Copper Lanterns" -metadata album="S01"
audio "$M/track02.flac" 660 3 22050 -c:a flac
audio "$M/kept.flac" 720 2 16000 -c:a flac
helper flac-padding "$M/track02.flac" 1024
helper flac-padding "$M/kept.flac" 512
audio "$M/podcast.ogg" 300 5 22050 -c:a libvorbis -q:a 1
# pdf (hand-written; one with an incremental update: two %%EOF)
helper pdf "$M/invoice.pdf" "Invoice 2026-0042" 120 0
helper pdf "$M/kept-report.pdf" "Quarterly report" 60 0
helper pdf "$M/manual.pdf" "Upload manual" 200 1
# zip: Info-ZIP, a docx-like OOXML package (python), a streamed zip with data descriptors
mkdir -p "$M/zipsrc/releases"
prng "carve-zip-a" 30000 >"$M/zipsrc/releases/part01.bin"
prng "carve-zip-b" 12000 | base64 >"$M/zipsrc/releases/list.txt"
printf 'FRTGRP couriers\n- kestrel\n- sparrow\n' >"$M/zipsrc/README.txt"
touch -d "2026-03-09 12:00:00 UTC" "$M/zipsrc/releases/part01.bin" "$M/zipsrc/releases/list.txt" "$M/zipsrc/README.txt" "$M/zipsrc/releases" "$M/zipsrc"
(cd "$M/zipsrc" && zip -q -X -9 -r "$M/archive.zip" README.txt releases)
(cd "$M/zipsrc" && zip -q -X -6 "$M/notes.zip" releases/list.txt README.txt releases/part01.bin)
(cd "$M/zipsrc" && zip -q -X -9 - releases/list.txt README.txt | cat >"$M/streamed.zip")   # to a pipe: data descriptors
helper docx "$M/letter.docx"
# sqlite
sqlite3 "$M/places.sqlite" <<'SQL'
PRAGMA page_size = 4096;
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER, last_visit_date INTEGER);
CREATE INDEX moz_places_url ON moz_places (url);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500)
INSERT INTO moz_places SELECT i, printf('https://tracker.example.invalid/torrents/%d-%08x', i, (i * 2654435761) % 4294967296),
  printf('Release %d', i), i % 17, 1773000000000000 + i * 86400000 FROM c;
SQL
sqlite3 "$M/catalog.db" <<'SQL'
PRAGMA page_size = 1024;
CREATE TABLE releases (name TEXT PRIMARY KEY, size INTEGER, crc TEXT) WITHOUT ROWID;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 300)
INSERT INTO releases SELECT printf('Release.%04d.1080p.WEB-DL.x264-FRTGRP', i), 700000000 + i * 12345, printf('%08X', (i * 40503) % 4294967296) FROM c;
SQL
# torrent: mktorrent (opens with d8:announce) and a trackerless one (opens with d10:created by)
mkdir -p "$M/tsrc/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP"
prng "carve-torrent-video" 3000000 >"$M/tsrc/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP/night.harbor.mkv"
prng "carve-torrent-nfo" 2000 | base64 >"$M/tsrc/Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP/night.harbor.nfo"
(cd "$M/tsrc" && frozen mktorrent -l 15 -a "udp://tracker.example.invalid:1337/announce" -c "FRTGRP internal" \
  -o "$M/release.torrent" Night.Harbor.2026.1080p.WEB-DL.x264-FRTGRP >/dev/null)
helper torrent "$M/dht.torrent"

# ---- what goes where -------------------------------------------------------------------------------
# LOCATION  PATH  FAMILY  TYPE  VARIANT  SOURCE
# VARIANT: allocated | intact | intact:listed (FAT: its deleted directory entry survives, so the file
# system still lists it) | truncated (SOURCE is already cut short) | overwritten:tail | overwritten:middle
ITEMS=(
  "ext4 /Pictures/holiday-001.jpg jpeg jpg intact holiday.jpg"
  "ext4 /Pictures/scan-progressive.jpg jpeg jpg intact scan.jpg"
  "ext4 /Pictures/kept-photo.jpg jpeg jpg allocated kept-photo.jpg"
  "ext4 /Pictures/diagram.png png png intact diagram.png"
  "ext4 /Pictures/logo-kept.png png png allocated logo.png"
  "ext4 /Pictures/spinner.gif gif gif intact spinner.gif"
  "ext4 /Pictures/wallpaper.jpg jpeg jpg overwritten:middle overwritten.jpg"
  "ext4 /Pictures/cut.jpg jpeg jpg truncated truncated.jpg"
  "ext4 /Video/clip.mp4 mp4 mp4 intact clip.mp4"
  "ext4 /Video/clip-faststart.mp4 mp4 mp4 intact faststart.mp4"
  "ext4 /Video/damaged.mp4 mp4 mp4 overwritten:tail ow.mp4"
  "ext4 /Video/episode.mkv matroska mkv intact episode.mkv"
  "ext4 /Video/old.avi riff avi intact old.avi"
  "ext4 /Music/track01.mp3 mp3 mp3 intact track01.mp3"
  "ext4 /Music/track02.flac flac flac intact track02.flac"
  "ext4 /Music/voice.wav riff wav intact voice.wav"
  "ext4 /Documents/invoice.pdf pdf pdf intact invoice.pdf"
  "ext4 /Documents/kept-report.pdf pdf pdf allocated kept-report.pdf"
  "ext4 /Documents/archive.zip zip zip intact archive.zip"
  "ext4 /Documents/letter.docx zip docx intact letter.docx"
  "ext4 /Profile/places.sqlite sqlite sqlite intact places.sqlite"
  "ext4 /Downloads/night-harbor.torrent torrent torrent intact release.torrent"
  "fat32 /DCIM/100MEDIA/IMG_0001.JPG jpeg jpg intact img1.jpg"
  "fat32 /Old/Scan 0002.jpg jpeg jpg intact:listed img2.jpg"
  "fat32 /DCIM/100MEDIA/IMG_0003.JPG jpeg jpg allocated img3.jpg"
  "fat32 /DCIM/100MEDIA/IMG_0004.BMP bmp bmp intact image.bmp"
  "fat32 /DCIM/100MEDIA/IMG_0005.WEBP riff webp intact photo.webp"
  "fat32 /DCIM/100MEDIA/MOV_0006.MOV mp4 mov intact mov.mov"
  "fat32 /DCIM/100MEDIA/VID_0007.3GP mp4 3gp intact vid.3gp"
  "fat32 /DCIM/100MEDIA/VID_0008.MP4 mp4 mp4 truncated truncated.mp4"
  "fat32 /Video/Trailer.webm matroska webm intact trailer.webm"
  "fat32 /Music/Jingle.mp3 mp3 mp3 intact jingle.mp3"
  "fat32 /Music/Podcast.ogg ogg ogg intact podcast.ogg"
  "fat32 /Music/Kept.flac flac flac allocated kept.flac"
  "fat32 /Old/Upload manual.pdf pdf pdf intact:listed manual.pdf"
  "fat32 /Docs/Release catalog.db sqlite sqlite intact catalog.db"
  "fat32 /Docs/Notes.zip zip zip overwritten:tail notes.zip"
  "fat32 /Docs/Drawing.png png png overwritten:middle drawing.png"
  "fat32 /Pics/Anim kept.gif gif gif allocated anim.gif"
  "fat32 /Torrents/Harbor.Patrol.S02E01.torrent torrent torrent intact dht.torrent"
  "unpartitioned photo.jpg jpeg jpg intact raw-photo.jpg"
  "unpartitioned video.mkv matroska mkv intact raw-video.mkv"
  "unpartitioned song.mp3 mp3 mp3 intact raw-song.mp3"
  "unpartitioned streamed.zip zip zip intact streamed.zip"
)
# Fields are separated by single spaces; FAT paths may hold spaces, so PATH is everything between the
# location and the last four fields.
parse_item() {  # sets LOC PTH FAM TYP VAR SRC
  local a=($1)
  local n=${#a[@]}
  LOC=${a[0]} FAM=${a[n - 4]} TYP=${a[n - 3]} VAR=${a[n - 2]} SRC=${a[n - 1]}
  PTH=${1#"$LOC "}; PTH=${PTH% "$FAM $TYP $VAR $SRC"}
}

# Every file must be unique (an item identical to a file the file system still knows is "already known").
dups=$(for it in "${ITEMS[@]}"; do parse_item "$it"; sha256 "$M/$SRC"; done | sort | uniq -d)
[[ -z $dups ]] || die "two items have the same content"

# Records per item, filled in below: image offset, contiguity.
declare -A OFFSET CONTIG INODE

# ---- ext4 ------------------------------------------------------------------------------------------
log "ext4 volume"
E=$WORK/ext4-tree
mkdir -p "$E"
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == ext4 ]] || continue
  mkdir -p "$E$(dirname "$PTH")"; cp "$M/$SRC" "$E$PTH"
done
n=0
while IFS= read -r -d '' f; do   # path-derived modification times, whole seconds
  n=$((n + 1)); touch -h -d "$(mtime_of $n)" "$E/$f"
done < <(cd "$E" && find . -mindepth 1 -depth -print0 | sort -z)
EV=$WORK/ext4.vol
truncate -s $((EXT4_SECTORS * SECTOR)) "$EV"
mkfs.ext4 -q -F -b $EXT4_BLOCK -I 256 -N 64 -m 0 -L carve-home -U 5eed0006-ca4e-4000-8000-00000000e4e4 \
  -E hash_seed=5eed0006-ca4e-4000-8000-0000000000a5,root_owner=1000:1000,lazy_itable_init=0,nodiscard -d "$E" "$EV"
# mke2fs -d copies each source inode's ctime (now) and atime (moved by reads): freeze them; creation
# time too. Inodes are numbered in creation order from 12 (11 is lost+found).
count=$(cd "$E" && find . -mindepth 1 -printf x | wc -c)
for ino in 2 11 $(seq 12 $((11 + count))); do
  for t in ctime atime crtime; do printf 'sif <%d> %s %s\nsif <%d> %s_extra 0\n' "$ino" $t "$(date -u -d "$FROZEN UTC" +%Y%m%d%H%M%S)" "$ino" $t; done
  printf 'sif <%d> uid 1000\nsif <%d> gid 1000\n' "$ino" "$ino"
done >"$WORK/times.debugfs"
debugfs -w -f "$WORK/times.debugfs" "$EV" >/dev/null 2>"$WORK/debugfs.err"
! grep -v '^debugfs [0-9]' "$WORK/debugfs.err" | grep -q . || { cat "$WORK/debugfs.err" >&2; die "debugfs sif failed"; }

# Where each file lies: its data blocks from the extent tree, before deletion clears it.
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == ext4 ]] || continue
  blocks=($(debugfs -R "blocks \"$PTH\"" "$EV" 2>/dev/null))
  want=$((($(fsize "$M/$SRC") + EXT4_BLOCK - 1) / EXT4_BLOCK))
  ((${#blocks[@]} == want)) || die "ext4 $PTH: ${#blocks[@]} blocks listed, $want expected (mke2fs -d leaves an all-zero block as a hole)"
  contig=1
  for ((i = 1; i < ${#blocks[@]}; i++)); do ((blocks[i] == blocks[i - 1] + 1)) || contig=0; done
  OFFSET[$it]=$((EXT4_START * SECTOR + blocks[0] * EXT4_BLOCK)); CONTIG[$it]=$contig
  INODE[$it]=$(debugfs -R "stat \"$PTH\"" "$EV" 2>/dev/null | sed -n '1s/^Inode: \([0-9]*\).*/\1/p')
  [[ -n ${INODE[$it]} ]] || die "ext4 $PTH: no inode number"
done
# Delete as the Linux kernel does: the name stays in the directory block, the inode gets its deletion
# time, size 0 and an empty extent tree (debugfs rm alone frees the blocks but leaves the extents in
# the inode, where The Sleuth Kit would still find the content), the blocks are freed, the bytes stay.
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == ext4 && $VAR != allocated ]] || continue
  i=${INODE[$it]}
  printf 'rm "%s"\nsif <%d> size 0\nsif <%d> blocks 0\nsif <%d> block[0] 0xF30A\nsif <%d> block[1] 4\n' "$PTH" "$i" "$i" "$i" "$i"
  for b in 2 3 4 5; do printf 'sif <%d> block[%d] 0\n' "$i" "$b"; done
done >"$WORK/rm.debugfs"
E2FSPROGS_FAKE_TIME=$DELETE_TIME debugfs -w -f "$WORK/rm.debugfs" "$EV" >/dev/null 2>"$WORK/debugfs.err"
! grep -v '^debugfs [0-9]' "$WORK/debugfs.err" | grep -q . || { cat "$WORK/debugfs.err" >&2; die "debugfs rm failed"; }
e2fsck -fn "$EV" >"$WORK/fsck.out" 2>&1 || { cat "$WORK/fsck.out" >&2; die "e2fsck found problems"; }

# ---- FAT32 -----------------------------------------------------------------------------------------
log "FAT32 volume"
FV=$WORK/fat.vol
truncate -s $((FAT_SECTORS * SECTOR)) "$FV"
frozen mkfs.fat -F 32 -s 1 -S 512 -n CARVE-SD -i 5EED0006 "$FV" >/dev/null
for it in "${ITEMS[@]}"; do parse_item "$it"; if [[ $LOC == fat32 ]]; then dirname "$PTH"; fi; done | sort -u | while read -r d; do
  p=
  IFS=/ read -ra parts <<<"${d#/}"
  for c in "${parts[@]}"; do p=$p/$c; frozen mmd -D s -i "$FV" "::$p" 2>/dev/null || true; done
done
n=0
for it in "${ITEMS[@]}"; do   # written in table order: each file takes the next free clusters
  parse_item "$it"; [[ $LOC == fat32 ]] || continue
  n=$((n + 1)); cp "$M/$SRC" "$WORK/fatfile"
  touch -d "$(mtime_of $n)" "$WORK/fatfile"
  frozen mcopy -m -i "$FV" "$WORK/fatfile" "::$PTH"
done
# Data region from the boot sector: reserved sectors + FATs x sectors per FAT.
bs_u() { od -An -t"u$2" -j"$1" -N"$2" "$FV" | tr -d ' '; }
bps=$(bs_u 11 2); spc=$(bs_u 13 1); reserved=$(bs_u 14 2); nfats=$(bs_u 16 1); fatsz=$(bs_u 36 4)
cluster=$((bps * spc)); data_start=$(((reserved + nfats * fatsz) * bps))
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == fat32 ]] || continue
  chain=$(mshowfat -i "$FV" "::$PTH" | grep -o '<[0-9].*>')   # "<a-b><c-d>..."
  [[ $chain =~ ^\<([0-9]+)(-([0-9]+))?\>(.*)$ ]] || die "fat32 $PTH: cannot read the cluster chain '$chain'"
  first=${BASH_REMATCH[1]}; last=${BASH_REMATCH[3]:-$first}; rest=${BASH_REMATCH[4]}
  contig=1; [[ -z $rest ]] || contig=0
  want=$((($(fsize "$M/$SRC") + cluster - 1) / cluster))
  ((contig == 0 || last - first + 1 == want)) || die "fat32 $PTH: chain $chain, $want clusters expected"
  OFFSET[$it]=$((FAT_START * SECTOR + data_start + (first - 2) * cluster)); CONTIG[$it]=$contig
done
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == fat32 && $VAR != allocated ]] || continue
  frozen mdel -i "$FV" "::$PTH"
done
# mdel leaves each deleted directory entry in place (first byte 0xE5) with the start cluster and the
# size, so The Sleuth Kit would list the file with its content. Afterwards the camera wrote small
# index files into the same folders, which took those entries (mtools fills the first free slots;
# their data goes to clusters past the last one used, never over deleted data): only the folder
# /Old keeps its deleted entries (rows `intact:listed`, expect `known`).
declare -A SLOTS=()
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == fat32 && $VAR != allocated && $VAR != intact:listed ]] || continue
  d=$(dirname "$PTH"); b=$(basename "$PTH")
  SLOTS[$d]=$((${SLOTS[$d]:-0} + 1 + (${#b} + 12) / 13))   # short entry + long-name entries
done
n=0
for d in $(printf '%s\n' "${!SLOTS[@]}" | sort); do
  for ((k = 0; k < ${SLOTS[$d]}; k++)); do
    n=$((n + 1)); printf 'thumbnail index %d\n' "$n" >"$WORK/thm"; touch -d "2026-03-16 09:00:00 UTC" "$WORK/thm"
    frozen mcopy -m -i "$FV" "$WORK/thm" "::$d/THM$(printf %05d $n).TMP"
  done
done
fsck.fat -n "$FV" >"$WORK/fsck.out" 2>&1 || { cat "$WORK/fsck.out" >&2; die "fsck.fat found problems"; }

# ---- the disk --------------------------------------------------------------------------------------
log "disk: MBR, ext4, FAT32, unpartitioned files"
DISK=$WORK/carve.raw
truncate -s $((DISK_SECTORS * SECTOR)) "$DISK"
printf 'label: dos\nlabel-id: 0x5eed0006\nunit: sectors\n\n%d,%d,83\n%d,%d,c\n' \
  $EXT4_START $EXT4_SECTORS $FAT_START $FAT_SECTORS | sfdisk -q "$DISK"
dd if="$EV" of="$DISK" bs=$SECTOR seek=$EXT4_START conv=notrunc,sparse status=none
dd if="$FV" of="$DISK" bs=$SECTOR seek=$FAT_START conv=notrunc,sparse status=none
# Unpartitioned: each file at the next 4 KiB boundary after 8 KiB of zeros (so 512- and 4096-aligned).
pos=$((RAW_START * SECTOR + 8192))
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $LOC == unpartitioned ]] || continue
  dd if="$M/$SRC" of="$DISK" bs=65536 seek=$pos oflag=seek_bytes conv=notrunc status=none
  OFFSET[$it]=$pos; CONTIG[$it]=1
  pos=$(((pos + $(fsize "$M/$SRC") + 8192 + 4095) / 4096 * 4096))
done
((pos <= DISK_SECTORS * SECTOR)) || die "the unpartitioned files do not fit"

# Overwrite: pseudo-random bytes over a deleted file's tail (from the block/cluster holding 50% of it
# to the end of its last block) or middle (two blocks/clusters from the one holding 40% of it), as if
# a later file had been written there. dd on the disk image, at the offsets the file systems gave.
for it in "${ITEMS[@]}"; do
  parse_item "$it"; [[ $VAR == overwritten:* ]] || continue
  unit=$EXT4_BLOCK; [[ $LOC == fat32 ]] && unit=$cluster
  size=$(fsize "$M/$SRC")
  case $VAR in
    overwritten:tail) s=$((size / 2 / unit * unit)); e=$(((size + unit - 1) / unit * unit)) ;;
    overwritten:middle) s=$((size * 4 / 10 / unit * unit)); e=$((s + 2 * unit)); ((e < size)) || die "$PTH too small" ;;
  esac
  ((${CONTIG[$it]})) || die "$PTH: overwriting a fragmented file is not supported"
  kind=$FAM; [[ $kind == jpeg || $kind == png || $kind == mp4 || $kind == zip ]] || die "no overwrite check for $FAM"
  helper check-hit "$kind" "$M/$SRC" "$s" "$e"
  prng "carve-overwrite-$PTH" $((e - s)) >"$WORK/ow.bin"
  dd if="$WORK/ow.bin" of="$DISK" bs=65536 seek=$((${OFFSET[$it]} + s)) oflag=seek_bytes conv=notrunc status=none
  [[ $kind != jpeg ]] || { cp "$WORK/ow.bin" "$WORK/ow.chk"; helper marker-check "$WORK/ow.chk" 0 $((e - s)); }
done

# ---- manifest and verification ---------------------------------------------------------------------
log "manifest, verified against the image"
{
  printf 'name\tfamily\ttype\timage_offset\tlength\tsha256\tcontiguous\tvariant\texpect\n'
  for it in "${ITEMS[@]}"; do
    parse_item "$it"
    case $VAR in
      allocated) expect=known ;;
      intact) expect=complete ;;
      intact:listed) expect=known ;;
      *) expect=partial-or-absent ;;
    esac
    printf '%s:%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$LOC" "$PTH" "$FAM" "$TYP" "${OFFSET[$it]}" "$(fsize "$M/$SRC")" \
      "$(sha256 "$M/$SRC")" "${CONTIG[$it]}" "${VAR%%:*}" "$expect"
  done
} >"$WORK/carve.tsv"
# Intact, allocated and truncated files must be on the disk as written, overwritten ones must not.
helper verify "$WORK/carve.tsv" "$DISK"
# Every file that carving should bring back must be contiguous.
awk -F'\t' 'NR > 1 && $9 == "complete" && $7 != 1 { print "not contiguous: " $1; bad = 1 } END { exit bad }' "$WORK/carve.tsv" >&2 ||
  die "an intact deleted file is fragmented"
# Every family is there, intact and deleted.
for fam in jpeg png gif bmp riff mp4 matroska mp3 flac ogg pdf zip sqlite torrent; do
  awk -F'\t' -v f="$fam" 'NR > 1 && $2 == f && $9 == "complete" { ok = 1 } END { exit !ok }' "$WORK/carve.tsv" ||
    die "no intact deleted $fam"
done
# The Sleuth Kit sees the layout the manifest assumes.
mmls "$DISK" | grep -q "^00.*0000002048.*Linux" || die "mmls does not see the ext4 partition at 2048"
fsstat -o $FAT_START "$DISK" | grep -q 'File System Type: FAT32' || die "fsstat does not see FAT32 at $FAT_START"
fsstat -o $EXT4_START "$DISK" | grep -q 'File System Type: Ext4' || die "fsstat does not see ext4 at $EXT4_START"
# What the file system still tells about the deleted files: on FAT, only the `intact:listed` ones
# (name, start cluster, size); on ext4, names whose inode has no size and no extents.
fls -r -d -p -o $FAT_START "$DISK" | sed -n 's|^r/r \* [0-9]*:\t|/|p' | sort >"$WORK/fat-deleted"
awk -F'\t' '$1 ~ /^fat32:/ && $8 == "intact" && $9 == "known" { sub(/^fat32:/, "", $1); print $1 }' "$WORK/carve.tsv" | sort >"$WORK/fat-listed"
cmp -s "$WORK/fat-deleted" "$WORK/fat-listed" || { diff "$WORK/fat-listed" "$WORK/fat-deleted" >&2; die "The Sleuth Kit lists other deleted FAT files than expected"; }
while IFS=$'\t' read -r inode; do
  istat -o $EXT4_START "$DISK" "$inode" | grep -q '^size: 0$' || die "ext4 deleted inode $inode still has a size"
done < <(fls -r -d -o $EXT4_START "$DISK" | sed -n 's|^r/r \* \([0-9]*\):.*|\1|p')

mkdir -p "$IMAGES" "$MANIFESTS"
cp "$WORK/carve.tsv" "$MANIFESTS/carve.tsv"
xz -T1 -9 -c "$DISK" >"$IMAGES/carve.raw.xz"
[[ -z $keep_raw ]] || cp "$DISK" "$keep_raw"
log "$(awk -F'\t' 'NR > 1 { n[$9]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' "$WORK/carve.tsv")$(($(wc -l <"$WORK/carve.tsv") - 1)) files"
log "image sha256 $(sha256 "$DISK"), carve.raw.xz $(fsize "$IMAGES/carve.raw.xz") bytes"
