// The structure validators, one per format family (each in formats/<family>.cpp).
#pragma once

#include "carve/format.h"

namespace ferret::carve::formats {

Verdict validate_jpeg(Bytes& bytes, const Limits& limits);      // marker segments, scan data, EOI
Verdict validate_png(Bytes& bytes, const Limits& limits);       // chunks with CRCs to IEND
Verdict validate_gif(Bytes& bytes, const Limits& limits);       // blocks to the trailer
Verdict validate_bmp(Bytes& bytes, const Limits& limits);       // headers, sizes consistent
Verdict validate_riff(Bytes& bytes, const Limits& limits);      // RIFF chunks: AVI, WAV, WebP, other
Verdict validate_pdf(Bytes& bytes, const Limits& limits);       // header to the last %%EOF, xref checked
Verdict validate_zip(Bytes& bytes, const Limits& limits);       // local headers, central directory, EOCD
Verdict validate_sqlite(Bytes& bytes, const Limits& limits);    // page size x page count
Verdict validate_torrent(Bytes& bytes, const Limits& limits);   // bencode parses, has an info dict
Verdict validate_mp4(Bytes& bytes, const Limits& limits);       // box tree: ftyp, moov, mdat
Verdict validate_matroska(Bytes& bytes, const Limits& limits);  // EBML header, Segment element sizes
Verdict validate_mp3(Bytes& bytes, const Limits& limits);       // ID3v2, frame chain, ID3v1/APE
Verdict validate_flac(Bytes& bytes, const Limits& limits);      // metadata blocks, frames with CRCs
Verdict validate_ogg(Bytes& bytes, const Limits& limits);       // pages with CRCs to end of stream

}  // namespace ferret::carve::formats
