// Sequential-scan Huffman decoding for the JPEG validator: codes, coefficient counts, MCU totals.
#include "carve/formats/jpeg_huffman.h"

#include <algorithm>

namespace ferret::carve::formats::jpeg {

bool build_table(const std::uint8_t counts[16], const std::uint8_t* symbols, HuffmanTable& table) {
  table = HuffmanTable{};
  std::int32_t code = 0, k = 0;
  for (int len = 1; len <= 16; ++len) {
    const int n = counts[len - 1];
    if (n == 0) {
      table.maxcode[len] = -1;
    } else {
      table.valptr[len] = k;
      table.mincode[len] = code;
      code += n;
      k += n;
      // All-ones codes are reserved: a length's codes must stay below 2^len - 1 + 1.
      if (code > (1 << len)) return false;
      table.maxcode[len] = code - 1;
    }
    code <<= 1;
  }
  if (k > 256) return false;
  table.maxcode[17] = 0x7FFFFFFF;  // stops the decode loop
  std::copy_n(symbols, k, table.symbols);
  table.defined = true;
  return true;
}

namespace {

// Entropy-coded bytes as bits: FF 00 is a data FF, any other FF xx is a marker that ends the data
// (the reader then has no more bits). Bytes come from one cached view.
class BitReader {
 public:
  BitReader(Bytes& bytes, std::uint64_t pos, std::uint64_t stop) : bytes_(bytes), pos_(pos), stop_(stop) {}

  // The next `n` (<= 16) bits, or -1 when the data ends first.
  std::int32_t bits(int n) {
    while (count_ < n) {
      if (!fill()) return -1;
    }
    count_ -= n;
    return static_cast<std::int32_t>((acc_ >> count_) & ((1u << n) - 1));
  }

  int huffman(const HuffmanTable& t) {
    std::int32_t code = bits(1);
    if (code < 0) return -1;
    int len = 1;
    while (code > t.maxcode[len]) {
      const std::int32_t b = bits(1);
      if (b < 0 || ++len > 16) return -1;
      code = code << 1 | b;
    }
    return t.symbols[t.valptr[len] + code - t.mincode[len]];
  }

  // At a restart marker: drop the padding bits, pass FF Dn; false when it is not RST `expected`.
  bool restart(unsigned expected) {
    count_ = 0;
    const std::uint8_t* p = at(pos_, 2);
    if (!p || p[0] != 0xFF || p[1] != 0xD0 + expected) return false;
    pos_ += 2;
    return true;
  }

  // Where the unread data starts (bits held count as read up to their byte).
  std::uint64_t position() const { return pos_; }
  // The first byte of the bits not yet consumed.
  std::uint64_t consumed_byte() const { return pos_ - static_cast<std::uint64_t>(count_ / 8); }

 private:
  const std::uint8_t* at(std::uint64_t pos, std::size_t n) {
    if (pos >= base_ && pos - base_ + n <= window_.size()) return window_.data() + (pos - base_);
    if (pos >= stop_ + 2 || stop_ + 2 - pos < n) return nullptr;  // +2: the marker after the data
    window_ = bytes_.view(pos, static_cast<std::size_t>(std::min<std::uint64_t>(kMaxView, stop_ + 2 - pos)));
    base_ = pos;
    return window_.size() >= n ? window_.data() : nullptr;
  }

  bool fill() {
    if (pos_ >= stop_ || count_ > 48) return false;
    const std::uint8_t* p = at(pos_, 2);
    if (!p) return false;
    if (p[0] == 0xFF) {
      if (p[1] != 0x00) return false;  // a marker: no more data here
      pos_ += 2;
    } else {
      pos_ += 1;
    }
    acc_ = acc_ << 8 | p[0];
    count_ += 8;
    return true;
  }

  Bytes& bytes_;
  std::uint64_t pos_, stop_;
  std::uint64_t acc_ = 0;
  int count_ = 0;
  std::uint64_t base_ = 0;
  std::span<const std::uint8_t> window_;
};

// One 8x8 block: a DC difference, then AC run/size codes to EOB or coefficient 63.
bool skip_block(BitReader& r, const HuffmanTable& dc, const HuffmanTable& ac, int max_dc, int max_ac) {
  const int t = r.huffman(dc);
  if (t < 0 || t > max_dc) return false;
  if (t > 0 && r.bits(t) < 0) return false;
  for (int k = 1; k < 64;) {
    const int rs = r.huffman(ac);
    if (rs < 0) return false;
    const int run = rs >> 4, size = rs & 15;
    if (size == 0) {
      if (run != 15) return true;  // EOB
      k += 16;                     // ZRL: sixteen zeros
      if (k > 64) return false;
      continue;
    }
    k += run;
    if (k > 63 || size > max_ac) return false;
    if (r.bits(size) < 0) return false;
    ++k;
  }
  return true;
}

std::uint32_t ceil_div(std::uint32_t a, std::uint32_t b) { return (a + b - 1) / b; }

}  // namespace

ScanCheck check_sequential_scan(Bytes& bytes, std::uint64_t pos, std::uint64_t stop, const Frame& frame,
                                const Scan& scan, const HuffmanTable (&dc)[4], const HuffmanTable (&ac)[4],
                                std::uint16_t restart_interval) {
  ScanCheck out;
  int hmax = 1, vmax = 1;
  for (int i = 0; i < frame.count; ++i) {
    hmax = std::max<int>(hmax, frame.components[i].h);
    vmax = std::max<int>(vmax, frame.components[i].v);
  }
  // Blocks per MCU and the MCU count: one block per MCU when the scan has one component.
  std::uint64_t mcus = 0;
  if (scan.count == 1) {
    const FrameComponent& c = frame.components[scan.components[0].frame_index];
    const std::uint32_t w = ceil_div(static_cast<std::uint32_t>(frame.width) * c.h, static_cast<std::uint32_t>(hmax));
    const std::uint32_t h = ceil_div(static_cast<std::uint32_t>(frame.height) * c.v, static_cast<std::uint32_t>(vmax));
    mcus = static_cast<std::uint64_t>(ceil_div(w, 8)) * ceil_div(h, 8);
  } else {
    mcus = static_cast<std::uint64_t>(ceil_div(frame.width, 8u * static_cast<std::uint32_t>(hmax))) *
           ceil_div(frame.height, 8u * static_cast<std::uint32_t>(vmax));
  }
  const int max_dc = frame.precision == 12 ? 15 : 11;
  const int max_ac = frame.precision == 12 ? 14 : 10;
  BitReader r(bytes, pos, stop);
  unsigned next_rst = 0;
  for (std::uint64_t m = 0; m < mcus; ++m) {
    if (restart_interval != 0 && m != 0 && m % restart_interval == 0) {
      if (!r.restart(next_rst)) {
        out.bad_at = r.position();
        out.why = "restart marker missing where the restart interval puts one";
        return out;
      }
      next_rst = (next_rst + 1) & 7;
    }
    const std::uint64_t mcu_start = r.consumed_byte();
    for (int i = 0; i < scan.count; ++i) {
      const ScanComponent& sc = scan.components[i];
      const FrameComponent& c = frame.components[sc.frame_index];
      const int blocks = scan.count == 1 ? 1 : c.h * c.v;
      for (int b = 0; b < blocks; ++b) {
        if (!skip_block(r, dc[sc.dc], ac[sc.ac], max_dc, max_ac)) {
          out.bad_at = mcu_start;
          out.why = "scan data that does not decode as the frame's blocks";
          return out;
        }
      }
    }
  }
  // Every block is there: only padding bits (and fill bytes) may stand before the marker.
  if (stop - r.position() > 8) {
    out.bad_at = r.position();
    out.why = "scan data goes on past the frame's last block";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace ferret::carve::formats::jpeg
