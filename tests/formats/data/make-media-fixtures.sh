#!/usr/bin/env bash
# Regenerates the audio/video carving fixtures in this folder with ffmpeg's real muxers and encoders.
# Needs: ffmpeg with libx264, libvpx, libmp3lame, libvorbis, libopus, libtheora (Debian's ffmpeg has them),
# ImageMagick convert with HEIC/AVIF (libheif) for the HEIF stills, the lame encoder, python3.
# The outputs are committed; run this only to regenerate them (then review the diff). Every encoder
# runs single-threaded with bitexact flags and no metadata, so the bytes do not depend on the machine.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=946684800

ff() { ffmpeg -hide_banner -loglevel error -y -threads 1 "$@"; }
# Tiny sources: a 64x48 test card at 5 fps and a 440 Hz tone.
video=(-f lavfi -i testsrc=size=64x48:rate=5)
tone=(-f lavfi -i sine=frequency=440:sample_rate=22050)
exact=(-fflags +bitexact -flags +bitexact -map_metadata -1 -map_chapters -1)
x264=(-c:v libx264 -preset veryfast -crf 40 -pix_fmt yuv420p -x264-params threads=1:sliced-threads=0)

# --- ISO BMFF: MP4 (moov after mdat, and faststart), fragmented MP4, MOV, 3GP, M4A ---
ff "${video[@]}" "${tone[@]}" -t 1 "${x264[@]}" -c:a aac -b:a 24k "${exact[@]}" mp4-moov-last.mp4
ff "${video[@]}" "${tone[@]}" -t 1 "${x264[@]}" -c:a aac -b:a 24k "${exact[@]}" -movflags +faststart mp4-faststart.mp4
ff "${video[@]}" "${tone[@]}" -t 2 "${x264[@]}" -g 5 -c:a aac -b:a 24k "${exact[@]}" \
   -movflags +frag_keyframe+empty_moov+default_base_moof mp4-fragmented.mp4
# DASH-style: a segment index (sidx) per track, no mfra.
ff "${video[@]}" "${tone[@]}" -t 2 "${x264[@]}" -g 5 -c:a aac -b:a 24k "${exact[@]}" \
   -movflags +frag_keyframe+empty_moov+default_base_moof+global_sidx+skip_trailer mp4-fragmented-sidx.mp4
ff "${video[@]}" "${tone[@]}" -t 1 -c:v mpeg4 -q:v 10 -c:a pcm_s16le "${exact[@]}" -f mov mov-mpeg4-pcm.mov
ff -f lavfi -i testsrc=size=128x96:rate=5 "${tone[@]}" -t 1 -c:v h263 -q:v 20 -c:a aac -ar 8000 -ac 1 -b:a 12k \
   "${exact[@]}" -f 3gp 3gp-h263.3gp
ff "${tone[@]}" -t 1 -c:a aac -b:a 24k "${exact[@]}" -f ipod m4a-aac.m4a
# HEIF stills (ftyp, meta with item locations, mdat) through libheif.
still=$(mktemp --suffix=.ppm)
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 -fflags +bitexact -flags +bitexact "$still"
convert "$still" -strip -quality 50 heic-still.heic
convert "$still" -strip -quality 50 avif-still.avif
rm -f "$still"

# --- Matroska and WebM ---
ff "${video[@]}" "${tone[@]}" -t 1 "${x264[@]}" -c:a libvorbis -q:a 0 "${exact[@]}" mkv-h264-vorbis.mkv
ff "${video[@]}" "${tone[@]}" -t 1 -c:v libvpx -b:v 50k -c:a libopus -b:a 16k "${exact[@]}" webm-vp8-opus.webm
# Audio only: Matroska audio (.mka).
ff "${tone[@]}" -t 0.5 -c:a flac "${exact[@]}" -f matroska mka-flac.mka
# Written to a pipe, the muxer cannot seek back: the Segment has an unknown size (a live stream).
ff "${video[@]}" "${tone[@]}" -t 1 -c:v libvpx -b:v 50k -c:a libopus -b:a 16k "${exact[@]}" -f webm - > webm-live.webm

# --- MP3: CBR with ID3v2 and ID3v1 (and ffmpeg's Info/LAME frame), VBR with a Xing frame, raw frames,
#     MPEG-1 stereo frames with only an ID3v1 trailer (ffmpeg writes ID3v1 only when there is metadata) ---
ff "${tone[@]}" -t 1.5 -c:a libmp3lame -b:a 32k -fflags +bitexact -flags +bitexact -map_metadata -1 \
   -metadata title=Fixture -metadata artist=Ferret -id3v2_version 3 -write_id3v1 1 mp3-cbr-id3.mp3
ff "${tone[@]}" -t 1.5 -c:a libmp3lame -q:a 6 "${exact[@]}" -id3v2_version 4 mp3-vbr-xing.mp3
ff "${tone[@]}" -t 1.5 -c:a libmp3lame -b:a 40k "${exact[@]}" -write_xing 0 -id3v2_version 0 mp3-raw-frames.mp3
# The LAME encoder itself (its Info frame, with LAME's own music CRC), with ID3v2 and ID3v1 tags.
wav=$(mktemp --suffix=.wav)
ff "${tone[@]}" -t 1.5 -fflags +bitexact -flags +bitexact "$wav"
lame --quiet -V 6 --tt Fixture --ta Ferret --add-id3v2 "$wav" mp3-lame-vbr.mp3
rm -f "$wav"
# (ffmpeg writes ID3v1 only together with ID3v2, so the ID3v2 tag is cut off afterwards.)
tmp=$(mktemp --suffix=.mp3)
trap 'rm -f "$tmp"' EXIT
ff -f lavfi -i sine=frequency=440:sample_rate=44100 -t 1 -ac 2 -c:a libmp3lame -b:a 128k "${exact[@]}" \
   -metadata title=Fixture -write_xing 0 -id3v2_version 3 -write_id3v1 1 "$tmp"
python3 - "$tmp" mp3-mpeg1-id3v1.mp3 <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
assert d[:3] == b'ID3'
size = 10 + (d[6] << 21 | d[7] << 14 | d[8] << 7 | d[9])
open(sys.argv[2], 'wb').write(d[size:])
PY

# --- FLAC (native, and with a seek table and picture-free padding), Ogg Vorbis, Opus, Theora, FLAC in Ogg ---
ff "${tone[@]}" -t 1.5 -c:a flac "${exact[@]}" flac-sine.flac
ff -f lavfi -i "aevalsrc=sin(440*2*PI*t)|0.3*sin(660*2*PI*t):s=44100" -t 0.4 -c:a flac -compression_level 8 \
   "${exact[@]}" flac-stereo.flac
ff "${tone[@]}" -t 1.5 -c:a libvorbis -q:a 0 "${exact[@]}" ogg-vorbis.ogg
ff "${tone[@]}" -t 1.5 -c:a libopus -b:a 16k "${exact[@]}" ogg-opus.opus
ff "${video[@]}" "${tone[@]}" -t 1 -c:v libtheora -q:v 2 -c:a libvorbis -q:a 0 "${exact[@]}" ogg-theora-vorbis.ogv
ff "${tone[@]}" -t 0.5 -c:a flac "${exact[@]}" -f ogg ogg-flac.oga
# MPEG-2 layer II frames (.mp2), bare.
ff "${tone[@]}" -t 1 -c:a libtwolame -b:a 64k "${exact[@]}" -f mp2 mp2-layer2.mp2

ls -l mp4-* mov-* 3gp-* m4a-* heic-* avif-* mkv-* mka-* webm-* mp3-* mp2-* flac-* ogg-*
