#!/usr/bin/env bash
# Builds the carving benchmark image (issue 6): a media drive whose owner deleted most of it.
#
#   bench/make-carve-image.sh [--size 2G] [OUT]     (OUT defaults to bench/out/bench-carve.raw)
#
# Layout: NO partition table, one ext4 file system (4 KiB blocks) over the whole medium, like
# bench/make-bench-image.sh. Content: ~2,300 files of every family ferret-carve knows, all real
# encoder or tool output, from a few KB to tens of MB:
#   /DCIM, /Pictures   JPEG (baseline from ffmpeg, progressive from jpegtran), PNG, animated GIF, BMP, WebP
#   /Music, /Audio     MP3 (with and without an ID3v2 tag), FLAC, Ogg Vorbis, WAV
#   /Video             MP4 (moov last, and faststart), MOV, 3GP, MKV, WebM, AVI
#   /Releases          40 large videos (~8-50 MB at 2G): a real video whose structure holds AES-CTR
#                      pseudo-random padding, so each is unique and still valid end to end: a `free` box
#                      before the moov (MP4/MOV), a Void element at the end of the Segment (MKV/WebM,
#                      Segment size updated), a JUNK chunk between the movi list and the idx1 index
#                      (AVI, RIFF size updated)
#   /Documents, /Profiles, /Torrents   PDF (hand-written, some with incremental updates), ZIP, DOCX-like
#                      OOXML, SQLite, torrents (python3)
# No file embeds another (no EXIF thumbnails, no cover art), so every genuine item in the image is a
# file of the truth. Then ~60% of the files are deleted with debugfs as the Linux kernel deletes: name
# left in the directory, inode cleared (size 0, empty extent tree), blocks freed, bytes left in place.
#
# Ground truth: OUT.truth.tsv, the columns of samples/manifests/carve.tsv (name family type
# image_offset length sha256 contiguous variant expect), one row per file written: variant
# `allocated` (expect `known`) or `intact` (deleted; expect `complete` when contiguous,
# `partial-or-absent` when fragmented). Offsets and contiguity come from the file system (debugfs
# `blocks`, read before the deletion); mke2fs -d leaves an all-zero 4 KiB block of a file as a hole, so
# such a file is not contiguous either. The script reads every contiguous file back from the image and
# compares its SHA-256.
#
# The image is byte-for-byte reproducible for a given size and tool versions (fixed seeds, bit-exact
# encoders, E2FSPROGS_FAKE_TIME, times set with debugfs). Re-running replaces OUT. Temporary files
# live under bench/out/ (~2x the image size while it runs) and are removed on exit.
#
# Needs: ffmpeg, libjpeg-turbo-progs (jpegtran), e2fsprogs, openssl, python3
# (scripts/install-deps.sh --bench).
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022

usage() { echo "usage: $0 [--size SIZE] [OUT]   SIZE like 2G, 1536M or bytes (default 2G, minimum 768M)"; }
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
out=$(realpath -m "${out:-$repo/bench/out/bench-carve.raw}")
size=$(numfmt --from=iec "${size_arg%iB}" 2>/dev/null) || { echo "bad size: $size_arg" >&2; exit 1; }
size=$((size / 4096 * 4096))
((size >= 768 * 1024 * 1024)) || { echo "size must be at least 768M (got $size_arg)" >&2; exit 1; }

for tool in ffmpeg jpegtran mkfs.ext4 debugfs e2fsck dumpe2fs openssl python3 numfmt; do
  command -v "$tool" >/dev/null || { echo "missing $tool: scripts/install-deps.sh --bench" >&2; exit 1; }
done

mkdir -p "$repo/bench/out" "$(dirname "$out")"
tmp=$(mktemp -d "$repo/bench/out/.make-carve-image.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
src=$tmp/src   # becomes the file system root
mkdir -p "$src"

t_start=$SECONDS
step() { printf '[%4ds] %s\n' "$((SECONDS - t_start))" "$*"; }

# ---- helpers ------------------------------------------------------------------------------------
rng=20260601
R=0
rnd() { rng=$(((rng * 1103515245 + 12345) % 2147483648)); R=$(((rng >> 8) % $1)); }   # R in [0, $1)

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
BX=(-fflags +bitexact -flags +bitexact -map_metadata -1 -threads 1)

# keystream NAME BYTES: deterministic pseudo-random bytes, keyed by NAME
keystream() {
  local h
  h=$(printf '%s' "$1" | openssl dgst -sha256 -r | cut -c1-64)
  (set +o pipefail; openssl enc -aes-128-ctr -nosalt -K "${h:0:32}" -iv "${h:32:32}" < /dev/zero 2>/dev/null | head -c "$2")
}

# Two jobs at a time (2 cores); a failed job leaves $tmp/FAILED.
bg() {
  while (($(jobs -rp | wc -l) >= 2)); do wait -n || true; done
  ("$@" || { echo "job failed: $*" >&2; touch "$tmp/FAILED"; }) &
}
joinall() { wait; [[ ! -e $tmp/FAILED ]] || { echo "media generation failed" >&2; exit 1; }; }

cat > "$tmp/helper.py" <<'PY'
import hashlib, os, sqlite3, struct, sys, zipfile, zlib

def stream(seed, n):
    """Deterministic bytes (SHAKE-256 of the seed)."""
    return hashlib.shake_256(seed.encode()).digest(n)

def rng(seed):
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")

# ---- documents ----
def pdf(out, seed, blob, update):
    title = f"Document {seed}"
    lines = [f"{title} line {i}: {hashlib.md5(f'{seed}/{i}'.encode()).hexdigest()}" for i in range(40 + rng(seed) % 400)]
    content = b"BT /F1 10 Tf 50 780 Td 12 TL\n" + b"".join(b"(" + l.encode() + b") '\n" for l in lines) + b"ET\n"
    packed = zlib.compress(content, 6)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
        b"<< /Title (" + title.encode() + b") /Producer (make-carve-image.sh) >>",
    ]
    if blob:   # an embedded file stream of opaque bytes: makes the PDF large
        data = stream("pdf-blob/" + seed, blob)
        objs.append(b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    d = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(d)); d += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(d)
    d += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offs)
    d += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    for rev in range(update):
        o6 = len(d)
        d += b"6 0 obj\n<< /Title (" + title.encode() + b" rev %d) /Producer (make-carve-image.sh) >>\nendobj\n" % (rev + 2)
        x2 = len(d)
        d += b"xref\n0 1\n0000000000 65535 f \n6 1\n%010d 00000 n \n" % o6
        d += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref, x2)
        xref = x2
    open(out, "wb").write(d)

def zipf(out, seed, stored):
    with zipfile.ZipFile(out, "w") as z:
        n = 2 + rng(seed) % 12
        for i in range(n):
            info = zipfile.ZipInfo(f"{seed}/part{i:02d}.txt", date_time=(2025, 1 + i % 12, 1 + i % 28, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, "\n".join(f"{seed} {i} {j} {hashlib.sha1(f'{seed}{i}{j}'.encode()).hexdigest()}" for j in range(50 + rng(f"{seed}{i}") % 2000)).encode())
        if stored:
            info = zipfile.ZipInfo(f"{seed}/payload.bin", date_time=(2025, 6, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, stream("zip-blob/" + seed, stored))

def docx(out, seed):
    parts = [
        ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + "".join(f"<w:p><w:r><w:t>{seed} paragraph {i}: {hashlib.sha256(f'{seed}{i}'.encode()).hexdigest()}</w:t></w:r></w:p>" for i in range(100 + rng(seed) % 3000))
            + "</w:body></w:document>"),
    ]
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 3, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode())

def sqlitedb(out, seed, rows, blob):
    if os.path.exists(out): os.unlink(out)
    c = sqlite3.connect(out)
    c.execute("PRAGMA page_size = %d" % (1024 << (rng(seed) % 3)))
    c.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visits INTEGER, data BLOB)")
    c.execute("CREATE INDEX items_url ON items (url)")
    c.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)",
                  ((i, f"https://site{i % 97}.example.invalid/{seed}/{i:06d}", f"{seed} item {i}", i % 31,
                    stream(f"sqlite/{seed}/{i}", blob) if blob else None) for i in range(rows)))
    c.commit(); c.close()

def bencode(v):
    if isinstance(v, int): return b"i%de" % v
    if isinstance(v, str): v = v.encode()
    if isinstance(v, bytes): return b"%d:" % len(v) + v
    if isinstance(v, list): return b"l" + b"".join(bencode(x) for x in v) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"

def torrent(out, seed):
    r = rng(seed)
    n = 1 + r % 6
    files = [{"length": 100000 + rng(f"{seed}{i}") % 80000000, "path": [f"{seed}.part{i}.mkv"]} for i in range(n)]
    total = sum(f["length"] for f in files)
    plen = 1 << (15 + r % 5)
    npieces = (total + plen - 1) // plen
    info = {"name": seed, "piece length": plen, "pieces": stream("torrent/" + seed, 20 * npieces)}
    if n == 1: info["length"] = files[0]["length"]
    else: info["files"] = files
    meta = {"info": info}
    # the first key decides the signature a carver sees: vary it as clients do
    keys = r // 7 % 6
    if keys in (0, 1): meta["announce"] = f"udp://tracker{r % 9}.example.invalid:1337/announce"
    if keys in (1, 2): meta["announce-list"] = [[f"udp://t{r % 5}.example.invalid:80"], [f"http://t{r % 3}.example.invalid/announce"]]
    if keys in (0, 3): meta["comment"] = f"{seed} internal"
    if keys in (1, 3, 4): meta["created by"] = "mktorrent 1.1"
    if keys in (2, 4, 5): meta["creation date"] = 1700000000 + r % 50000000
    open(out, "wb").write(bencode(meta))

def docs(d, count_pdf, count_zip, count_docx, count_sqlite, count_torrent):
    for k, (sub, n) in enumerate((("Documents/PDF", count_pdf), ("Documents/Archives", count_zip), ("Documents/Word", count_docx),
                                  ("Profiles", count_sqlite), ("Torrents", count_torrent))):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
        for i in range(int(n)):
            seed = f"{sub.split('/')[-1].lower()}-{i:04d}"
            r = rng(seed)
            if sub.endswith("PDF"):
                blob = 0 if r % 3 else 20000 + r % (3 << 20)
                pdf(os.path.join(d, sub, f"report-{i:04d}.pdf"), seed, blob, 0 if r % 5 else 1 + r % 3)
            elif sub.endswith("Archives"):
                zipf(os.path.join(d, sub, f"archive-{i:04d}.zip"), seed, 0 if r % 2 else 10000 + r % (6 << 20))
            elif sub.endswith("Word"):
                docx(os.path.join(d, sub, f"letter-{i:04d}.docx"), seed)
            elif sub == "Profiles":
                sqlitedb(os.path.join(d, sub, f"places-{i:04d}.sqlite"), seed, 100 + r % 20000, 0 if r % 3 else 64 + r % 2000)
            else:
                torrent(os.path.join(d, sub, f"release-{i:04d}.torrent"), seed)

# ---- container surgery for the large videos ----
def boxes(d):
    pos = 0
    while pos + 8 <= len(d):
        size, typ = struct.unpack(">I4s", d[pos:pos + 8])
        if size == 1: size = struct.unpack(">Q", d[pos + 8:pos + 16])[0]
        if size < 8: raise SystemExit("bad box")
        yield pos, size, typ
        pos += size

def iso_head(base, pad):
    """MP4/MOV: where a `free` box of `pad` bytes goes (before the moov when the moov is last,
    else at the end) and its header: prints the split offset, writes the header to stdout.buffer."""
    d = open(base, "rb").read()
    bx = list(boxes(d))
    at = bx[-1][0] if bx[-1][2] == b"moov" else len(d)
    sys.stderr.write(f"{at}\n")
    sys.stdout.buffer.write(struct.pack(">I4s", pad, b"free"))

def ebml_vint(d, pos):
    first = d[pos]; n = 1
    while not first & (0x80 >> (n - 1)): n += 1
    v = first & ((0x80 >> (n - 1)) - 1)
    for b in d[pos + 1:pos + n]: v = v << 8 | b
    return v, n

def mkv_head(base, pad):
    """MKV/WebM: the file with its Segment size grown by a Void element of `pad` bytes in all,
    followed by that element's ID and 8-byte size; the payload (pad - 9 bytes) is appended after."""
    d = bytearray(open(base, "rb").read())
    pos = 0
    while True:
        idlen = 4 if d[pos] & 0x10 else (3 if d[pos] & 0x20 else (2 if d[pos] & 0x40 else 1))
        eid = bytes(d[pos:pos + idlen])
        size, n = ebml_vint(d, pos + idlen)
        if eid == b"\x18\x53\x80\x67":
            assert n == 8 and pos + idlen + n + size == len(d), "Segment must be last with an 8-byte size"
            d[pos + idlen:pos + idlen + 8] = b"\x01" + (size + pad).to_bytes(7, "big")
            break
        pos += idlen + n + size
    sys.stdout.buffer.write(bytes(d) + b"\xec\x01" + (pad - 9).to_bytes(7, "big"))

def avi_head(base, pad):
    """AVI: a JUNK chunk of `pad` bytes in all (even) goes between the movi list and the idx1 index
    (idx1 offsets count from the movi list, so they stay right, and the index still ends the file, as
    in a real AVI). Prints the split offset on stderr; writes the head up to it, RIFF size grown, and
    the chunk's header to stdout. The payload (pad - 8 bytes) and the rest of the file follow."""
    d = bytearray(open(base, "rb").read())
    assert d[:4] == b"RIFF" and struct.unpack("<I", d[4:8])[0] + 8 == len(d) and pad % 2 == 0
    pos, at = 12, None
    while pos + 8 <= len(d):
        if d[pos:pos + 4] == b"idx1": at = pos
        pos += 8 + (struct.unpack("<I", d[pos + 4:pos + 8])[0] + 1) // 2 * 2
    assert at is not None, "no idx1"
    d[4:8] = struct.pack("<I", len(d) - 8 + pad)
    sys.stderr.write(f"{at}\n")
    sys.stdout.buffer.write(bytes(d[:at]) + b"JUNK" + struct.pack("<I", pad - 8))

def flac_padding(path, keep=512):
    """Shrinks a FLAC's PADDING block (ffmpeg writes 8 KiB of zeros, which mke2fs -d would leave as a hole)."""
    d = bytearray(open(path, "rb").read())
    pos = 4
    while True:
        last, typ, n = d[pos] & 0x80, d[pos] & 0x7F, int.from_bytes(d[pos + 1:pos + 4], "big")
        if typ == 1:
            d[pos + 1:pos + 4] = keep.to_bytes(3, "big"); del d[pos + 4 + keep:pos + 4 + n]; break
        if last: return
        pos += 4 + n
    open(path, "wb").write(d)

# ---- truth ----
TYPES = {"jpg": ("jpeg", "jpg"), "png": ("png", "png"), "gif": ("gif", "gif"), "bmp": ("bmp", "bmp"),
         "webp": ("riff", "webp"), "avi": ("riff", "avi"), "wav": ("riff", "wav"), "mp4": ("mp4", "mp4"),
         "mov": ("mp4", "mov"), "3gp": ("mp4", "3gp"), "mkv": ("matroska", "mkv"), "webm": ("matroska", "webm"),
         "mp3": ("mp3", "mp3"), "flac": ("flac", "flac"), "ogg": ("ogg", "ogg"), "pdf": ("pdf", "pdf"),
         "zip": ("zip", "zip"), "docx": ("zip", "docx"), "sqlite": ("sqlite", "sqlite"), "torrent": ("torrent", "torrent")}

def dedupe(root):
    """Removes files whose content another file already has (an identical deleted file would be
    'already known'); prints how many."""
    seen, gone = set(), 0
    for dp, dn, fn in sorted(os.walk(root)):
        dn.sort()
        for f in sorted(fn):
            p = os.path.join(dp, f)
            h = hashlib.sha256(open(p, "rb").read()).digest()
            if h in seen: os.unlink(p); gone += 1
            else: seen.add(h)
    print(gone)

def file_list(root, out):
    """path<TAB>size<TAB>sha256 of every file, sorted."""
    with open(out, "w") as o:
        for dp, dn, fn in sorted(os.walk(root)):
            dn.sort()
            for f in sorted(fn):
                p = os.path.join(dp, f)
                h = hashlib.sha256()
                with open(p, "rb") as fh:
                    while b := fh.read(1 << 22): h.update(b)
                o.write(f"/{os.path.relpath(p, root)}\t{os.path.getsize(p)}\t{h.hexdigest()}\n")

def parse_debugfs_blocks(path):
    """debugfs -f output of `blocks "PATH"` commands: {PATH: [block, ...]}."""
    res, cur = {}, None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith('debugfs: blocks "'):
            cur = line[len('debugfs: blocks "'):-1]; res[cur] = []
        elif cur is not None and line.strip():
            res[cur] += [int(x) for x in line.split()]
    return res

def parse_debugfs_ls(path):
    """debugfs -f output of `ls -p "DIR"` commands: {PATH: inode}."""
    res, cur = {}, None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith('debugfs: ls -p "'):
            cur = line[len('debugfs: ls -p "'):-1].rstrip("/")
        elif cur is not None and line.startswith("/"):
            f = line.split("/")
            if len(f) >= 7 and f[5] not in (".", ".."):
                res[f"{cur}/{f[5]}"] = int(f[1])
    return res

def plan(files, blocks_out, ls_out, deleted, truth, rmcmds, block):
    """Writes the truth TSV and the debugfs deletion commands."""
    blocks = parse_debugfs_blocks(blocks_out)
    inodes = parse_debugfs_ls(ls_out)
    dele = set(l.rstrip("\n") for l in open(deleted))
    block = int(block)
    n = {"intact": 0, "allocated": 0, "fragmented": 0}
    with open(truth, "w") as t, open(rmcmds, "w") as rm:
        t.write("name\tfamily\ttype\timage_offset\tlength\tsha256\tcontiguous\tvariant\texpect\n")
        for line in open(files):
            p, size, sha = line.rstrip("\n").split("\t")
            size = int(size)
            ext = p.rsplit(".", 1)[-1].lower()
            fam, typ = TYPES[ext]
            b = blocks[p]
            contig = int(len(b) == (size + block - 1) // block and all(b[i] == b[i - 1] + 1 for i in range(1, len(b))))
            if p in dele:
                variant, expect = "intact", ("complete" if contig else "partial-or-absent")
                ino = inodes[p]
                rm.write(f'rm "{p}"\nsif <{ino}> size 0\nsif <{ino}> blocks 0\nsif <{ino}> block[0] 0xF30A\nsif <{ino}> block[1] 4\n')
                rm.write("".join(f"sif <{ino}> block[{k}] 0\n" for k in list(range(2, 12)) + ["IND", "DIND", "TIND"]))
                n["intact"] += 1; n["fragmented"] += 1 - contig
            else:
                variant, expect = "allocated", "known"; n["allocated"] += 1
            t.write(f"{p}\t{fam}\t{typ}\t{b[0] * block if b else 0}\t{size}\t{sha}\t{contig}\t{variant}\t{expect}\n")
    print(f"{n['intact']} deleted ({n['fragmented']} not contiguous), {n['allocated']} allocated")

def verify(image, truth):
    """Every contiguous file's bytes, read back from the image, hash to the truth's sha256."""
    bad = checked = 0
    with open(image, "rb") as f:
        for line in list(open(truth))[1:]:
            r = line.rstrip("\n").split("\t")
            if r[6] != "1": continue
            f.seek(int(r[3])); h = hashlib.sha256()
            left = int(r[4])
            while left:
                b = f.read(min(left, 1 << 22)); h.update(b); left -= len(b)
            checked += 1
            if h.hexdigest() != r[5]: bad += 1; print(f"verify: {r[0]} differs at {r[3]}", file=sys.stderr)
    if bad: raise SystemExit(f"verify: {bad} of {checked} files differ")
    print(checked)

cmd, a = sys.argv[1], sys.argv[2:]
{"docs": lambda: docs(*a), "iso-head": lambda: iso_head(a[0], int(a[1])), "mkv-head": lambda: mkv_head(a[0], int(a[1])),
 "avi-head": lambda: avi_head(a[0], int(a[1])), "flac-padding": lambda: [flac_padding(p) for p in a],
 "dedupe": lambda: dedupe(a[0]), "file-list": lambda: file_list(*a), "plan": lambda: plan(*a),
 "verify": lambda: verify(*a)}[cmd]()
PY
helper() { python3 "$tmp/helper.py" "$@"; }

# ---- 1. pictures: image sequences (one ffmpeg run each) -----------------------------------------
# The file count scales with the image: at 2G about 2,300 files, ~420 MB before the large videos.
scale=$((size / (2048 * 1024 * 1024 / 100)))   # percent of a 2 GiB image
((scale <= 100)) || scale=100
cnt() { echo $(($1 * scale / 100 > 3 ? $1 * scale / 100 : 3)); }

step "pictures (ffmpeg image sequences, jpegtran)"
P=$src/Pictures
mkdir -p "$src/DCIM/100CANON" "$src/DCIM/101CANON" "$P"/{Wallpapers,Thumbs,Scans,Drawings,Screens,Animated,Bitmaps,WebP}
seq_img() {  # seq_img PATTERN COUNT SOURCE [OPTIONS...]
  local pat=$1 n=$2 s=$3; shift 3
  ff -f lavfi -i "$s" -frames:v "$n" "$@" "${BX[@]}" "$pat"
}
bg seq_img "$src/DCIM/100CANON/IMG_%04d.jpg" "$(cnt 220)" "mandelbrot=size=1024x768:rate=25" -q:v 3
bg seq_img "$src/DCIM/101CANON/IMG_%04d.jpg" "$(cnt 120)" "life=size=800x600:rate=25:seed=1234:mold=10:ratio=0.2" -q:v 2
bg seq_img "$P/Wallpapers/wall_%04d.jpg" "$(cnt 60)" "testsrc2=size=1920x1080:rate=5" -q:v 2
bg seq_img "$P/Thumbs/thumb_%04d.jpg" "$(cnt 200)" "testsrc=size=240x180:rate=25" -q:v 6
bg seq_img "$P/Scans/base_%04d.jpg" "$(cnt 120)" "cellauto=size=1280x960:rate=25:seed=77:rule=30" -q:v 4
bg seq_img "$P/Drawings/draw_%04d.png" "$(cnt 140)" "testsrc2=size=480x360:rate=25"
bg seq_img "$P/Screens/screen_%04d.png" "$(cnt 100)" "life=size=640x480:rate=25:seed=99:mold=20:ratio=0.4"
bg seq_img "$P/Screens/fractal_%04d.png" "$(cnt 30)" "mandelbrot=size=800x600:rate=25:start_scale=1.5"
bg seq_img "$P/Bitmaps/bitmap_%04d.bmp" "$(cnt 60)" "rgbtestsrc=size=320x240:rate=25,hue=H=t*2"
bg seq_img "$P/WebP/photo_%04d.webp" "$(cnt 100)" "testsrc2=size=640x360:rate=25" -c:v libwebp -quality 75
joinall
# progressive JPEGs: jpegtran over the scans (the baseline originals go)
for f in "$P"/Scans/base_*.jpg; do
  jpegtran -progressive -copy none -outfile "${f/base_/scan_}" "$f"; rm "$f"
done
# animated GIFs, one ffmpeg run each
gif() {
  local i=$1 pats=(testsrc testsrc2 smptebars rgbtestsrc) sizes=(160x120 200x150 320x240 120x90)
  ff -f lavfi -i "${pats[i % 4]}=size=${sizes[i / 4 % 4]}:rate=$((5 + i % 6))" -t "$((1 + i % 4)).$((i % 10))" -loop 0 "${BX[@]}" \
    "$P/Animated/anim_$(printf %04d "$i").gif"
}
for ((i = 0; i < $(cnt 80); i++)); do bg gif "$i"; done
joinall

# ---- 2. audio and small videos: one ffmpeg run per file -------------------------------------------
step "audio (mp3, flac, ogg, wav)"
# tone F1 F2 SEED: a lavfi graph, two sine tones in stereo under seeded pink noise (unique per seed)
tone() {
  printf 'sine=frequency=%d:sample_rate=44100[l];sine=frequency=%d:sample_rate=44100[r];[l][r]join=inputs=2:channel_layout=stereo[t];anoisesrc=seed=%d:color=pink:amplitude=0.08:sample_rate=44100,aformat=channel_layouts=stereo[n];[t][n]amix=inputs=2[out0]' "$1" "$2" "$3"
}
ARTISTS=(Harbor.Lights Iron.Valley Quiet.Orbit Copper.Lanterns Night.Shift Paper.Verdict)
audio() {  # audio KIND INDEX
  local kind=$1 i=$2 f1=$((180 + $2 * 37 % 600)) f2=$((220 + $2 * 53 % 700)) d=$((4 + $2 * 7 % 40)) dir name
  dir=$src/Music/${ARTISTS[i % 6]}/Album.$((i / 6 % 5 + 1)); name=$(printf '%02d - Track %d' $((i % 20 + 1)) "$i")
  local a=(-f lavfi -i "$(tone "$f1" "$f2" "$i")")
  mkdir -p "$dir"
  case $kind in
    mp3) if ((i % 2)); then ff "${a[@]}" -t "$d" -c:a libmp3lame -b:a $((96 + i % 3 * 32))k -id3v2_version 3 \
           -metadata title="Track $i" -metadata artist="${ARTISTS[i % 6]}" "${BX[@]}" "$dir/$name.mp3"
         else ff "${a[@]}" -t "$d" -ac 1 -ar 22050 -c:a libmp3lame -b:a 48k -id3v2_version 0 "${BX[@]}" "$dir/$name.mp3"; fi ;;
    flac) ff "${a[@]}" -t "$((d / 3 + 3))" -c:a flac -compression_level $((i % 9)) "${BX[@]}" "$dir/$name.flac"
          helper flac-padding "$dir/$name.flac" ;;
    ogg) ff "${a[@]}" -t "$d" -c:a libvorbis -q:a $((i % 6)) "${BX[@]}" "$dir/$name.ogg" ;;
    wav) mkdir -p "$src/Audio/Recordings"
         ff "${a[@]}" -t "$((d / 2 + 1))" -ac $((1 + i % 2)) -ar $((i % 2 ? 44100 : 16000)) -c:a pcm_s16le "${BX[@]}" \
           "$src/Audio/Recordings/rec_$(printf %04d "$i").wav" ;;
  esac
}
for ((i = 0; i < $(cnt 160); i++)); do bg audio mp3 "$i"; done
for ((i = 0; i < $(cnt 50); i++)); do bg audio flac $((1000 + i)); done
for ((i = 0; i < $(cnt 90); i++)); do bg audio ogg $((2000 + i)); done
for ((i = 0; i < $(cnt 40); i++)); do bg audio wav $((3000 + i)); done
joinall

step "small videos (mp4, mov, 3gp, mkv, webm, avi)"
PATS=(testsrc testsrc2 smptebars mandelbrot "life=seed=5:mold=10" rgbtestsrc "cellauto=seed=9:rule=90" smptehdbars)
SIZES=(320x240 480x270 640x360 352x288 426x240)
vid() {  # vid KIND INDEX
  local kind=$1 i=$2 p=${PATS[$2 % 8]} sz=${SIZES[$2 / 8 % 5]} d=$((2 + $2 * 3 % 7)) dir=$src/Video/$1 o
  [[ $p == *=* ]] && p="$p:size=$sz:rate=25" || p="$p=size=$sz:rate=25"
  local a=(-f lavfi -i "$p" -f lavfi -i "$(tone $((200 + i % 500)) $((300 + i % 400)) "$i")" -t "$d" -pix_fmt yuv420p)
  mkdir -p "$dir"; o=$dir/clip_$(printf %04d "$i")
  case $kind in
    mp4) ff "${a[@]}" -c:v libx264 -preset veryfast -crf $((24 + i % 8)) -pix_fmt yuv420p -c:a aac -b:a 64k \
           $( ((i % 3)) || echo -movflags +faststart) "${BX[@]}" "$o.mp4" ;;
    mov) ff "${a[@]}" -c:v mpeg4 -q:v $((5 + i % 5)) -c:a aac -b:a 64k "${BX[@]}" -f mov "$o.mov" ;;
    3gp) ff "${a[@]}" -s 176x144 -c:v h263 -q:v $((4 + i % 8)) -c:a aac -ar 8000 -ac 1 -b:a 12k "${BX[@]}" -f 3gp "$o.3gp" ;;
    mkv) ff "${a[@]}" -c:v libx264 -preset veryfast -crf $((22 + i % 8)) -pix_fmt yuv420p -c:a $( ((i % 2)) && echo libvorbis || echo flac) \
           "${BX[@]}" "$o.mkv" ;;
    webm) ff "${a[@]}" -c:v libvpx -deadline good -cpu-used 5 -b:v $((200 + i % 5 * 150))k -c:a libvorbis -q:a 2 "${BX[@]}" "$o.webm" ;;
    avi) ff "${a[@]}" -c:v mpeg4 -q:v $((5 + i % 6)) -c:a libmp3lame -b:a 64k "${BX[@]}" "$o.avi" ;;
  esac
}
for ((i = 0; i < $(cnt 110); i++)); do bg vid mp4 "$i"; done
for ((i = 0; i < $(cnt 40); i++)); do bg vid mov $((100 + i)); done
for ((i = 0; i < $(cnt 40); i++)); do bg vid 3gp $((200 + i)); done
for ((i = 0; i < $(cnt 60); i++)); do bg vid mkv $((300 + i)); done
for ((i = 0; i < $(cnt 40); i++)); do bg vid webm $((400 + i)); done
for ((i = 0; i < $(cnt 50); i++)); do bg vid avi $((500 + i)); done
joinall

# ---- 3. documents, databases, torrents ----------------------------------------------------------
step "documents, SQLite, torrents (python3)"
helper docs "$src" "$(cnt 80)" "$(cnt 60)" "$(cnt 30)" "$(cnt 30)" "$(cnt 120)"
dups=$(helper dedupe "$src")
((dups == 0)) || step "  removed $dups duplicate file(s)"

# ---- 4. the large videos: fill the file system --------------------------------------------------
step "base videos for the large releases"
B=$tmp/base
mkdir -p "$B"
VENC=(-c:v mpeg4 -q:v 4 -pix_fmt yuv420p)
ff -f lavfi -i "testsrc=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440" -t 8 "${VENC[@]}" -c:a aac -b:a 96k "${BX[@]}" "$B/a.mp4"
ff -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=550" -t 6 -c:v libx264 -preset veryfast -crf 26 -pix_fmt yuv420p \
  -c:a aac -b:a 96k -movflags +faststart "${BX[@]}" "$B/b.mp4"
ff -f lavfi -i "smptehdbars=size=1280x720:rate=25" -f lavfi -i "sine=frequency=660" -t 6 "${VENC[@]}" -c:a aac -b:a 96k "${BX[@]}" -f mov "$B/c.mov"
ff -f lavfi -i "mandelbrot=size=960x540:rate=25" -f lavfi -i "sine=frequency=330" -t 5 -c:v libx264 -preset veryfast -crf 24 -pix_fmt yuv420p \
  -c:a libvorbis -q:a 3 "${BX[@]}" "$B/d.mkv"
ff -f lavfi -i "testsrc=size=854x480:rate=25" -f lavfi -i "sine=frequency=770" -t 5 -c:v libvpx -deadline good -cpu-used 5 -b:v 1500k \
  -c:a libvorbis -q:a 3 "${BX[@]}" "$B/e.webm"
ff -f lavfi -i "rgbtestsrc=size=640x480:rate=25" -f lavfi -i "sine=frequency=880" -t 5 "${VENC[@]}" -c:a libmp3lame -b:a 128k "${BX[@]}" "$B/f.avi"
BASES=(a.mp4 b.mp4 c.mov d.mkv e.webm f.avi)

small_bytes=$(find "$src" -type f -printf '%s\n' | awk '{b += int(($1 + 4095) / 4096) * 4096} END {print b + 0}')
# ext4 metadata (journal, inode tables) takes ~5% of the medium; fill ~89% before the deletions.
budget=$((size * 84 / 100 - small_bytes))
n_big=$((40 * scale / 100 > 8 ? 40 * scale / 100 : 8))
((budget > n_big * 4 * 1048576)) || { echo "size $size_arg is too small for the content ($small_bytes bytes of small files)" >&2; exit 1; }
weights=() total_weight=0
for ((k = 0; k < n_big; k++)); do rnd 7; weights+=($((1 + R))); total_weight=$((total_weight + 1 + R)); done
step "writing $n_big large videos ($((budget / 1048576)) MiB)"
GRPS=(VOiDRiP KRAKEN PiXELPUSH NOCTURNE)
for ((k = 0; k < n_big; k++)); do
  base=${BASES[k % 6]} ext=${BASES[k % 6]##*.}
  rel=$(printf 'Release.%03d.2026.720p.WEB-DL-%s' "$k" "${GRPS[k % 4]}")
  mkdir -p "$src/Releases/$rel"
  f=$src/Releases/$rel/$rel.$ext
  bytes=$((budget / total_weight * weights[k] + k * 4099))
  pad=$((bytes - $(stat -c %s "$B/$base")))
  ((pad > 1048576)) || pad=1048576
  case $ext in
    mp4|mov)
      at=$(helper iso-head "$B/$base" "$pad" 2>&1 >"$tmp/hdr")
      { head -c "$at" "$B/$base"; cat "$tmp/hdr"; keystream "${f#"$src"}" $((pad - 8)); tail -c +$((at + 1)) "$B/$base"; } >"$f" ;;
    mkv|webm)
      { helper mkv-head "$B/$base" "$pad"; keystream "${f#"$src"}" $((pad - 9)); } >"$f" ;;
    avi)
      pad=$((pad / 2 * 2))
      at=$(helper avi-head "$B/$base" "$pad" 2>&1 >"$tmp/hdr")
      { cat "$tmp/hdr"; keystream "${f#"$src"}" $((pad - 8)); tail -c +$((at + 1)) "$B/$base"; } >"$f" ;;
  esac
done

# ---- 5. modification times (path-derived), then the file system ----------------------------------
step "source tree: $(find "$src" -type f | wc -l) files, $(du -sm --apparent-size "$src" | cut -f1) MiB"
n=0
while IFS= read -r -d '' p; do
  n=$((n + 1)); touch -h -d "@$((1700000000 + n * 7919 % 60000000))" "$src/$p"
done < <(cd "$src" && find . -mindepth 1 -depth -print0 | sort -z)
touch -h -d @1700000000 "$src"

img=$tmp/image.raw
step "mkfs.ext4 -d (no partition table, $((size / 1048576)) MiB)"
truncate -s "$size" "$img"
E2FSPROGS_FAKE_TIME=1700000000 mkfs.ext4 -q -F -b 4096 -m 0 -L MEDIA-CARVE \
  -U 5eed0006-b3c4-4d5e-8f60-0a1b2c3d4e5f -E hash_seed=5eed0006-0f1e-4d2c-8b3a-495867a6b7c8,lazy_itable_init=0,root_owner=1000:1000,nodiscard \
  -d "$src" "$img"

debugfs_run() {  # debugfs_run CMDFILE OUTFILE: fail on any error message
  E2FSPROGS_FAKE_TIME=1760000000 debugfs -w -f "$1" "$img" > "$2" 2> "$tmp/debugfs.err"
  if grep -v '^debugfs [0-9]' "$tmp/debugfs.err" | grep -q .; then
    echo "debugfs failed:" >&2; head "$tmp/debugfs.err" >&2; exit 1
  fi
}
step "times and owners (debugfs)"
count=$(cd "$src" && find . -mindepth 1 -printf x | wc -c)
stamp=$(date -u -d @1700000000 +%Y%m%d%H%M%S)
for ((ino = 12; ino < 12 + count; ino++)); do
  printf 'sif <%d> ctime %s\nsif <%d> crtime %s\nsif <%d> atime %s\nsif <%d> ctime_extra 0\nsif <%d> crtime_extra 0\nsif <%d> atime_extra 0\nsif <%d> uid 1000\nsif <%d> gid 1000\n' \
    "$ino" "$stamp" "$ino" "$stamp" "$ino" "$stamp" "$ino" "$ino" "$ino" "$ino" "$ino"
done > "$tmp/sif.cmds"
for ino in 2 11; do
  for f in ctime crtime atime mtime; do printf 'sif <%d> %s %s\nsif <%d> %s_extra 0\n' "$ino" $f "$stamp" "$ino" $f; done
done >> "$tmp/sif.cmds"
debugfs_run "$tmp/sif.cmds" /dev/null

# ---- 6. truth, deletions --------------------------------------------------------------------------
step "ground truth: extents and inodes (debugfs), SHA-256 of every file"
helper file-list "$src" "$tmp/files.tsv"
cut -f1 "$tmp/files.tsv" | sed 's/.*/blocks "&"/' > "$tmp/blocks.cmds"
(cd "$src" && find . -type d | sed 's|^\.||; s|^$|/|' | sort) | sed 's/.*/ls -p "&"/' > "$tmp/ls.cmds"
E2FSPROGS_FAKE_TIME=1760000000 debugfs -f "$tmp/blocks.cmds" "$img" > "$tmp/blocks.out" 2>/dev/null
E2FSPROGS_FAKE_TIME=1760000000 debugfs -f "$tmp/ls.cmds" "$img" > "$tmp/ls.out" 2>/dev/null
# ~60% deleted, picked with the seeded generator
: > "$tmp/deleted"
while IFS=$'\t' read -r p _; do rnd 100; ((R >= 60)) || echo "$p" >> "$tmp/deleted"; done < "$tmp/files.tsv"
truth=$out.truth.tsv
summary=$(helper plan "$tmp/files.tsv" "$tmp/blocks.out" "$tmp/ls.out" "$tmp/deleted" "$tmp/truth.tsv" "$tmp/rm.cmds" 4096)
step "deleting files with debugfs (kernel-like: inode cleared): $summary"
debugfs_run "$tmp/rm.cmds" /dev/null

step "checking the file system (e2fsck -fn) and the truth against the image"
e2fsck -fn "$img" > "$tmp/fsck.out" 2>&1 || { echo "e2fsck found problems:" >&2; cat "$tmp/fsck.out" >&2; exit 1; }
checked=$(helper verify "$img" "$tmp/truth.tsv")

read -r blocks free < <(dumpe2fs -h "$img" 2>/dev/null | awk -F': *' '/^Block count/{b=$2} /^Free blocks/{f=$2} END{print b, f}')
mv -f "$img" "$out"
mv -f "$tmp/truth.tsv" "$truth"
step "done: $out"
echo "  $size bytes, ext4 (no partition table), $(($(wc -l < "$truth") - 1)) files: $summary;" \
  "$checked contiguous files verified against the image; $(((blocks - free) * 100 / blocks))% of blocks in use after the deletions"
echo "  truth: $truth"
awk -F'\t' 'NR > 1 { n[$3]++; if ($8 == "intact") d[$3]++ } END { for (t in n) printf "    %-8s %5d files, %5d deleted\n", t, n[t], d[t] }' "$truth" | sort
