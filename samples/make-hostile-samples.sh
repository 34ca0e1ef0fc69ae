#!/usr/bin/env bash
# Builds the hostile-evidence samples (issue 10): small disk images that are corrupt on purpose.
#
#   samples/make-hostile-samples.sh [--big] [--out DIR]
#
# Writes samples/images/hostile-*.raw.xz (or DIR/hostile-*.raw, uncompressed, with --out) and
# samples/manifests/hostile.tsv. No root needed: nothing is mounted. Needs the packages of
# `scripts/install-deps.sh --samples` (e2fsprogs, dosfstools, mtools, ntfs-3g, faketime, python3,
# xz-utils, and sleuthkit for the checks).
#
#   hostile-fat.raw        FAT16, no partition table: a file whose cluster chain loops back to its first
#                          cluster after 3 of the 8 clusters its size needs, a directory whose chain loops to itself, a directory holding an entry
#                          that points back at it (a directory cycle), and long names patched into the
#                          LFN entries: '/', '../', '..\', newline, CR, ESC, a lone UTF-16 surrogate, NUL
#   hostile-ext4.raw       ext4, no partition table: an inode claiming a 16 TiB file, a file whose extent
#                          points past the end of the image, and names patched into the directory block:
#                          '/' and '../' inside a name, NUL, newline, CR, ESC, invalid UTF-8, '..\',
#                          an extra entry named '..', a 255-byte name
#   hostile-ntfs.raw       NTFS, no partition table: one MFT record with a broken update sequence (fixup),
#                          one with a $DATA attribute whose length runs past the record, one whose $DATA
#                          runs point past the end of the volume; one intact file beside them
#   hostile-mbr.raw        MBR: a real FAT16 in slot 1, slot 2 overlapping it, slot 3 starting past the
#                          end of the image, slot 4 starting inside it and ending past the end
#   hostile-gpt.raw        GPT (CRCs right): the same four partitions
#   hostile-manyfiles.raw  ext4: 10,000 empty files in one directory (--big: 100,000; mke2fs -d inserts each
#                          name by scanning the directory, so the big one takes more than half an hour:
#                          33 min on the 2-core machine. Verified 2026-11-26: ferret-process 29 s, exit 0,
#                          100,000 files = fls's count, ferret-verify 0; fls -r alone 12.5 s, tsk_loaddb
#                          20.2 s, Ferret's ingest 16.4 s: TSK's own directory loading dominates)
#   hostile-zeros.raw      FAT32: one 64 MiB file of zeros (--big: 1 GiB; verified: ferret-process 4.4 s,
#                          exit 0, SHA-256 = that of 1 GiB of zeros, 96 MiB peak, ferret-verify 0)
#
# What each holds and what a correct tool reports is in samples/manifests/hostile.tsv. Deterministic
# (fixed UUIDs, serials and times, mkntfs and ntfscp under a frozen clock): every image comes out
# byte-for-byte the same on every run with the same tool versions.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$HERE/images
MANIFESTS=$HERE/manifests
big=0
out_dir=
usage() { echo "usage: $0 [--big] [--out DIR]"; }
while (($#)); do
  case $1 in
    --big) big=1; shift ;;
    --out) [[ $# -ge 2 ]] || { usage >&2; exit 1; }; out_dir=$(realpath -m "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 1 ;;
  esac
done
# The committed small set goes to samples/; the big set is too large to commit and needs --out.
if ((big)) && [[ -z $out_dir ]]; then echo "make-hostile-samples: --big needs --out DIR" >&2; exit 1; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ferret-hostile-sample.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

umask 022
export TZ=UTC LC_ALL=C MTOOLS_SKIP_CHECK=1 DEBUGFS_PAGER=__none__ PAGER=cat
FROZEN="2026-03-14 21:30:00"
export E2FSPROGS_FAKE_TIME=1773523800   # the same instant, for mke2fs/debugfs
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1 || true)
[[ -n "$FAKETIME_LIB" ]] || { echo "make-hostile-samples: libfaketime missing: run scripts/install-deps.sh --samples" >&2; exit 1; }
frozen() { LD_PRELOAD=$FAKETIME_LIB FAKETIME="$FROZEN" NO_FAKE_STAT=1 "$@"; }

for tool in mkfs.ext4 debugfs mkfs.fat mcopy mmd mkntfs ntfscp python3 xz mmls fls; do
  command -v "$tool" >/dev/null || { echo "make-hostile-samples: $tool missing: run scripts/install-deps.sh --samples" >&2; exit 1; }
done

log() { printf 'make-hostile-samples: %s\n' "$*" >&2; }
die() { printf 'make-hostile-samples: error: %s\n' "$*" >&2; exit 1; }

if ((big)); then MANY=100000; ZERO_MIB=1024; else MANY=10000; ZERO_MIB=64; fi

# Every tree file gets the same fixed time.
freeze_tree() { find "$1" -exec touch -h -d "$FROZEN UTC" {} +; }
# ext4 inodes' ctime (mke2fs -d takes it from the clock, not the source).
freeze_ctimes() {
  local img=$1 n=$2 i
  for ((i = 2; i <= n; i++)); do echo "sif <$i> ctime 20260314213000"; done >"$WORK/ctime.debugfs"
  debugfs -w -f "$WORK/ctime.debugfs" "$img" >/dev/null 2>&1
}

# The patching side: raw bytes the tools will not write.
cat >"$WORK/patch.py" <<'PY'
import struct, sys, zlib

def fat_geometry(img, base):
    with open(img, "rb") as f:
        f.seek(base); bs = f.read(512)
    bps, spc, rsv, nfats, rootents, tot16, _, spf16 = struct.unpack_from("<HBHBHHBH", bs, 11)
    spf = spf16 or struct.unpack_from("<I", bs, 36)[0]
    fat_off = base + rsv * bps
    root_off = fat_off + nfats * spf * bps
    data_off = root_off + rootents * 32
    return dict(bps=bps, cluster=bps * spc, fat_off=fat_off, fat_bytes=spf * bps, nfats=nfats,
                root_off=root_off, root_bytes=rootents * 32, data_off=data_off, fat32=spf16 == 0)

def cluster_off(g, c): return g["data_off"] + (c - 2) * g["cluster"]

def set_fat(f, g, c, value):
    for i in range(g["nfats"]):
        if g["fat32"]:
            f.seek(g["fat_off"] + i * g["fat_bytes"] + 4 * c); f.write(struct.pack("<I", value))
        else:
            f.seek(g["fat_off"] + i * g["fat_bytes"] + 2 * c); f.write(struct.pack("<H", value))

def get_fat(f, g, c):
    f.seek(g["fat_off"] + 2 * c); return struct.unpack("<H", f.read(2))[0]

def dir_entries(f, off, size):
    f.seek(off); data = f.read(size)
    for i in range(0, size, 32):
        e = data[i:i + 32]
        if e[0] == 0: break
        yield off + i, e

def find_short(f, off, size, name83):
    for at, e in dir_entries(f, off, size):
        if e[11] != 0x0F and e[:11] == name83:
            return at, struct.unpack_from("<H", e, 26)[0]
    raise SystemExit(f"patch.py: {name83!r} not found")

LFN_CHARS = list(range(1, 11, 2)) + list(range(14, 26, 2)) + list(range(28, 32, 2))

def fat(img):
    """hostile-fat.raw: cyclic chains, a directory cycle, hostile long names."""
    g = fat_geometry(img, 0)
    with open(img, "r+b") as f:
        # LOOP.BIN: last cluster points back at the first.
        _, first = find_short(f, g["root_off"], g["root_bytes"], b"LOOP    BIN")
        c = first
        while get_fat(f, g, c) < 0xFFF8: c = get_fat(f, g, c)
        set_fat(f, g, c, first)
        at, _ = find_short(f, g["root_off"], g["root_bytes"], b"LOOP    BIN")
        f.seek(at + 28); f.write(struct.pack("<I", 8 * g["cluster"]))   # the size needs 8 clusters
        # LOOPDIR: its one cluster points at itself.
        _, d = find_short(f, g["root_off"], g["root_bytes"], b"LOOPDIR    ")
        assert get_fat(f, g, d) >= 0xFFF8
        set_fat(f, g, d, d)
        # CYCLE/BACK: the subdirectory entry points at CYCLE's own cluster.
        _, cyc = find_short(f, g["root_off"], g["root_bytes"], b"CYCLE      ")
        at, _ = find_short(f, cluster_off(g, cyc), g["cluster"], b"BACK       ")
        f.seek(at + 26); f.write(struct.pack("<H", cyc))
        # NAMES: placeholder characters in the LFN entries become the hostile ones.
        _, nd = find_short(f, g["root_off"], g["root_bytes"], b"NAMES      ")
        swap = {0x2460: 0x002F, 0x2461: 0x005C, 0x2462: 0x000A, 0x2463: 0x000D, 0x2464: 0x001B,
                0x2465: 0xD800, 0x2466: 0x0000}
        n, c, entries = 0, nd, []
        while c < 0xFFF8:
            entries += list(dir_entries(f, cluster_off(g, c), g["cluster"])); c = get_fat(f, g, c)
        for at, e in entries:
            if e[11] != 0x0F: continue
            for p in LFN_CHARS:
                ch = struct.unpack_from("<H", e, p)[0]
                if ch in swap:
                    f.seek(at + p); f.write(struct.pack("<H", swap[ch])); n += 1
        assert n >= 13, n

def ext4_names(img, block_size, block):
    """Placeholder bytes in the names of one (linear) ext4 directory block become hostile ones."""
    swap = {ord("#"): ord("/"), ord("~"): 0, ord("^"): ord(".")}
    with open(img, "r+b") as f:
        f.seek(block * block_size); data = bytearray(f.read(block_size))
        i, n = 0, 0
        while i < block_size:
            ino, rec_len, name_len = struct.unpack_from("<IHB", data, i)
            if rec_len < 8: break
            if ino:
                for j in range(i + 8, i + 8 + name_len):
                    if data[j] in swap: data[j] = swap[data[j]]; n += 1
            i += rec_len
        assert n >= 8, n
        f.seek(block * block_size); f.write(data)

def ntfs(img):
    """hostile-ntfs.raw: three MFT records broken three ways."""
    with open(img, "r+b") as f:
        bs = f.read(512)
        bps = struct.unpack_from("<H", bs, 11)[0]; spc = bs[13]
        cluster = bps * spc
        mft = struct.unpack_from("<Q", bs, 48)[0] * cluster
        raw = bs[64] if bs[64] < 128 else 256 - bs[64]
        rec = raw * cluster if bs[64] < 128 else 1 << raw
        def find(name):
            u = name.encode("utf-16-le")
            for n in range(16, 256):
                f.seek(mft + n * rec); r = f.read(rec)
                if r[:4] == b"FILE" and u in r: return n, r
            raise SystemExit(f"patch.py: {name} not in the MFT")
        def attr(r, want):
            off = struct.unpack_from("<H", r, 20)[0]
            while True:
                t, length = struct.unpack_from("<II", r, off)
                if t == 0xFFFFFFFF: raise SystemExit("no attribute")
                if t == want: return off
                off += length
        # fixup.txt: the update sequence number at the end of the first sector no longer matches.
        n, r = find("fixup.txt")
        usa = struct.unpack_from("<H", r, 4)[0]
        f.seek(mft + n * rec + bps - 2); f.write(struct.pack("<H", struct.unpack_from("<H", r, usa)[0] ^ 0x5A5A))
        # attrlen.bin: $DATA's length field claims 0x7FFFFFF0 bytes.
        n, r = find("attrlen.bin")
        a = attr(r, 0x80)
        f.seek(mft + n * rec + a + 4); f.write(struct.pack("<I", 0x7FFFFFF0))
        # runs.bin: its non-resident $DATA's first run starts at the largest cluster its offset field holds.
        n, r = find("runs.bin")
        a = attr(r, 0x80)
        assert r[a + 8] == 1, "runs.bin must be non-resident"
        ro = a + struct.unpack_from("<H", r, a + 32)[0]
        h = r[ro]; lb, ob = h & 15, h >> 4
        big = bytes([0xFF] * (ob - 1) + [0x7F])
        f.seek(mft + n * rec + ro + 1 + lb); f.write(big)

def mbr(img, parts, disk_id):
    """An MBR with the four entries as given (type, first LBA, sectors), overlaps allowed."""
    with open(img, "r+b") as f:
        f.seek(440); f.write(struct.pack("<IH", disk_id, 0))
        for i, (t, lba, n) in enumerate(parts):
            f.seek(446 + 16 * i)
            f.write(bytes([0, 0xFE, 0xFF, 0xFF, t, 0xFE, 0xFF, 0xFF]) + struct.pack("<II", lba, n))
        f.seek(510); f.write(b"\x55\xaa")

def guid(s):
    import uuid
    return uuid.UUID(s).bytes_le

def gpt(img, sectors, parts, disk_guid):
    """A protective MBR, primary and backup GPT (CRCs right) with the entries as given (first, last LBA)."""
    basic = guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7")
    ents = bytearray(128 * 128)
    for i, (first, last, name) in enumerate(parts):
        e = basic + guid("5eed0010-0000-4000-8000-%012x" % (i + 1)) + struct.pack("<QQQ", first, last, 0)
        e += name.encode("utf-16-le").ljust(72, b"\0")
        ents[128 * i:128 * (i + 1)] = e
    ecrc = zlib.crc32(ents)
    def header(me, alt, ent_lba):
        h = bytearray(b"EFI PART" + struct.pack("<IIII", 0x10000, 92, 0, 0) + struct.pack("<QQQQ", me, alt, 34, sectors - 34)
                      + guid(disk_guid) + struct.pack("<QIII", ent_lba, 128, 128, ecrc))
        struct.pack_into("<I", h, 16, zlib.crc32(h))
        return bytes(h).ljust(512, b"\0")
    mbr(img, [(0xEE, 1, min(sectors - 1, 0xFFFFFFFF)), (0, 0, 0), (0, 0, 0), (0, 0, 0)], 0)
    with open(img, "r+b") as f:
        f.seek(512); f.write(header(1, sectors - 1, 2)); f.write(ents)
        f.seek((sectors - 33) * 512); f.write(ents); f.write(header(sectors - 1, 1, sectors - 33))

cmd = sys.argv[1]
if cmd == "fat": fat(sys.argv[2])
elif cmd == "ext4-names": ext4_names(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif cmd == "ntfs": ntfs(sys.argv[2])
elif cmd == "mbr": mbr(sys.argv[2], [tuple(int(x, 0) for x in p.split(",")) for p in sys.argv[4:]], int(sys.argv[3], 0))
elif cmd == "gpt":
    gpt(sys.argv[2], int(sys.argv[3]), [(int(p.split(",")[0]), int(p.split(",")[1]), p.split(",")[2]) for p in sys.argv[5:]], sys.argv[4])
else: raise SystemExit("patch.py: unknown command " + cmd)
PY
patch() { python3 "$WORK/patch.py" "$@"; }

# ---- hostile-fat.raw --------------------------------------------------------------------------------
build_fat() {
  log "hostile-fat.raw"
  local img=$WORK/hostile-fat.raw t=$WORK/fat-tree
  mkdir -p "$t"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 6)' >"$t/loop.bin"   # 1536 bytes, 3 clusters
  printf 'an ordinary file beside the broken ones\n' >"$t/ok.txt"
  printf 'inside a directory whose chain loops\n' >"$t/inner.txt"
  printf 'hostile name\n' >"$t/name.txt"
  freeze_tree "$t"
  truncate -s 8M "$img"
  frozen mkfs.fat -F 16 -s 1 -S 512 -n HOSTILE-FAT -i 5eed0010 "$img" >/dev/null
  frozen mcopy -m -i "$img" "$t/loop.bin" ::/LOOP.BIN
  frozen mcopy -m -i "$img" "$t/ok.txt" ::/OK.TXT
  frozen mmd -i "$img" ::/LOOPDIR ::/CYCLE ::/CYCLE/BACK ::/NAMES
  frozen mcopy -m -i "$img" "$t/inner.txt" ::/LOOPDIR/INNER.TXT
  frozen mcopy -m -i "$img" "$t/inner.txt" ::/CYCLE/INNER.TXT
  # ①=/ ②=\ ③=LF ④=CR ⑤=ESC ⑥=lone surrogate U+D800 ⑦=NUL, patched in afterwards.
  local n
  for n in '..①..①..①tmp①ferret-escape.txt' 'slash-a①b.txt' '..②..②Windows②evil.dll' 'newline-new③line.txt' \
      'return-cr④ret.txt' 'esc⑤[31mred.txt' 'bad⑥surrogate.txt' 'nul⑦hidden.txt'; do
    LC_ALL=C.UTF-8 frozen mcopy -m -i "$img" "$t/name.txt" "::/NAMES/$n"
  done
  patch fat "$img"
  mv "$img" "$OUT/"
}

# ---- hostile-ext4.raw -------------------------------------------------------------------------------
build_ext4() {
  log "hostile-ext4.raw"
  local img=$WORK/hostile-ext4.raw t=$WORK/ext4-tree uuid=5eed0010-0000-4000-8000-000000000e41
  mkdir -p "$t/names"
  printf 'claims to be 16 TiB\n' >"$t/huge.bin"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 80)' >"$t/pastend.bin"   # 20480 bytes
  printf 'an ordinary file beside the broken ones\n' >"$t/ok.txt"
  # '#' becomes '/', '~' NUL, '^' '.' (patched into the directory block: no tool writes them).
  python3 - "$t/names" <<'EOF'
import os, sys
for n in [b"^^#^^#^^#tmp#ferret-escape.txt", b"a#b.txt", b"nul~hidden.txt", b"new\nline.txt", b"cr\rret.txt",
          b"esc\x1b[31mred.txt", b"bad\xff\xfeutf8.txt", b"..\\..\\Windows\\evil.dll", b"^^", b"L" * 251 + b".txt"]:
    with open(os.path.join(sys.argv[1].encode(), n), "wb") as f: f.write(b"hostile name\n")
EOF
  freeze_tree "$t"
  truncate -s 4M "$img"
  mkfs.ext4 -q -F -b 1024 -O ^metadata_csum,^dir_index -L hostile-ext4 -U "$uuid" -E hash_seed="$uuid",root_owner=0:0 -d "$t" "$img"
  freeze_ctimes "$img" $((11 + $(find "$t" -mindepth 1 | wc -l)))
  debugfs -w -R "sif /huge.bin size 17592186044416" "$img" 2>/dev/null        # 16 TiB
  debugfs -w -R "sif /pastend.bin block[5] 4000000" "$img" 2>/dev/null        # extent's start: block 4,000,000 of 4096
  local blk
  blk=$(debugfs -R "blocks /names" "$img" 2>/dev/null | awk '{print $1}')
  [[ $blk =~ ^[0-9]+$ ]] || die "no block for /names"
  patch ext4-names "$img" 1024 "$blk"
  mv "$img" "$OUT/"
}

# ---- hostile-ntfs.raw -------------------------------------------------------------------------------
build_ntfs() {
  log "hostile-ntfs.raw"
  local img=$WORK/hostile-ntfs.raw t=$WORK/ntfs-tree
  mkdir -p "$t"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 120)' >"$t/runs.bin"    # 30720 bytes, non-resident
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(255, -1, -1)) * 40)' >"$t/attrlen.bin"
  printf 'its MFT record fails the fixup check\n' >"$t/fixup.txt"
  printf 'an ordinary file beside the broken ones\n' >"$t/ok.txt"
  truncate -s 8M "$img"
  frozen mkntfs -q -F -Q -L HOSTILE-NTFS -s 512 -c 4096 -p 0 -H 0 -S 0 "$img" >/dev/null 2>&1
  local f
  for f in runs.bin attrlen.bin fixup.txt ok.txt; do frozen ntfscp -q "$img" "$t/$f" "/$f" >/dev/null; done
  patch ntfs "$img"
  mv "$img" "$OUT/"
}

# A small FAT16 with two files, for the partition-table images.
small_fat() {
  local vol=$1 t=$WORK/small-fat-tree
  rm -rf "$t"; mkdir -p "$t"
  printf 'the one real file system on this disk\n' >"$t/README.TXT"
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 40)' >"$t/DATA.BIN"
  freeze_tree "$t"
  truncate -s 4M "$vol"
  frozen mkfs.fat -F 16 -s 1 -S 512 -n INSIDE -i 5eed0011 "$vol" >/dev/null
  frozen mcopy -m -i "$vol" "$t/README.TXT" "$t/DATA.BIN" ::/
}

# ---- hostile-mbr.raw, hostile-gpt.raw ---------------------------------------------------------------
# 16 MiB (32768 sectors). 1: the FAT16 at 2048 (8192 sectors); 2: 6144 + 8192, overlapping 1; 3: starting
# at sector 100,000,000, far past the end; 4: starting at 20480 and running 1,000,000 sectors, past the end.
build_tables() {
  log "hostile-mbr.raw, hostile-gpt.raw"
  small_fat "$WORK/inside.vol"
  local img=$WORK/hostile-mbr.raw
  truncate -s 16M "$img"
  dd if="$WORK/inside.vol" of="$img" bs=512 seek=2048 conv=notrunc status=none
  patch mbr "$img" 0x5eed0010 0x06,2048,8192 0x83,6144,8192 0x07,100000000,2048 0x0c,20480,1000000
  mv "$img" "$OUT/"
  img=$WORK/hostile-gpt.raw
  truncate -s 16M "$img"
  dd if="$WORK/inside.vol" of="$img" bs=512 seek=2048 conv=notrunc status=none
  patch gpt "$img" 32768 5EED0010-0000-4000-8000-0000000000F1 2048,10239,inside 6144,14335,overlap \
    100000000,100002047,beyond 20480,1020479,past-end
  mv "$img" "$OUT/"
}

# ---- hostile-manyfiles.raw --------------------------------------------------------------------------
build_many() {
  log "hostile-manyfiles.raw ($MANY files in one directory)"
  local img=$WORK/hostile-manyfiles.raw t=$WORK/many-tree uuid=5eed0010-0000-4000-8000-0000000000a1
  mkdir -p "$t/many"
  (cd "$t/many" && seq -f 'f%06g.txt' 1 "$MANY" | xargs touch)
  freeze_tree "$t"
  local mib=$((MANY / 1000 * 3 / 2 + 8))
  truncate -s "${mib}M" "$img"
  mkfs.ext4 -q -F -b 1024 -N $((MANY + MANY / 20 + 64)) -L hostile-many -U "$uuid" -E hash_seed="$uuid",root_owner=0:0 -d "$t" "$img"
  freeze_ctimes "$img" $((MANY + 12))
  mv "$img" "$OUT/"
}

# ---- hostile-zeros.raw ------------------------------------------------------------------------------
build_zeros() {
  log "hostile-zeros.raw (${ZERO_MIB} MiB of zeros)"
  local img=$WORK/hostile-zeros.raw spc=2 mib=$((ZERO_MIB + 16))
  ((big)) && { spc=8; mib=$((ZERO_MIB + 64)); }
  head -c $((ZERO_MIB * 1048576)) /dev/zero >"$WORK/ZEROS.BIN"
  touch -d "$FROZEN UTC" "$WORK/ZEROS.BIN"
  truncate -s "${mib}M" "$img"
  frozen mkfs.fat -F 32 -s "$spc" -S 512 -n ZEROS -i 5eed0012 "$img" >/dev/null
  frozen mcopy -m -i "$img" "$WORK/ZEROS.BIN" ::/ZEROS.BIN
  rm "$WORK/ZEROS.BIN"
  mv "$img" "$OUT/"
}

OUT=$WORK/out
mkdir -p "$OUT"
build_fat
build_ext4
build_ntfs
build_tables
build_many
build_zeros

# ---- checks: The Sleuth Kit sees what the manifest says -----------------------------------------------
log "checks"
fls -r "$OUT/hostile-fat.raw" 2>/dev/null | grep -q 'LOOP.BIN' || die "fls does not list LOOP.BIN"
[[ $(fls -r "$OUT/hostile-ext4.raw" 2>/dev/null | grep -c 'r/r') -ge 12 ]] || die "fls lists too few ext4 files"
fls "$OUT/hostile-ntfs.raw" 2>/dev/null | grep -q 'ok.txt' || die "fls does not list ntfs ok.txt"
[[ $(fls -r "$OUT/hostile-manyfiles.raw" 2>/dev/null | grep -c 'f[0-9]*\.txt') -eq $MANY ]] || die "fls does not list $MANY files"
mmls "$OUT/hostile-mbr.raw" >/dev/null 2>&1 || true
mmls "$OUT/hostile-gpt.raw" 2>/dev/null | grep -q overlap || die "mmls does not read the GPT"

if [[ -n $out_dir ]]; then
  mkdir -p "$out_dir"
  mv "$OUT"/*.raw "$out_dir/"
  log "images in $out_dir"
else
  for f in "$OUT"/*.raw; do xz -T1 -9 -c "$f" >"$IMAGES/$(basename "$f").xz"; done
  log "images in $IMAGES"
fi
