// FLAC frame headers, CRCs and the subframe walk that finds where a frame ends.
#include "carve/formats/flac_frame.h"

#include <array>

namespace ferret::carve::formats::flac {

namespace {

constexpr std::array<std::uint8_t, 256> make_crc8_table() {
  std::array<std::uint8_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned r = i;
    for (int k = 0; k < 8; ++k) r = (r & 0x80) ? ((r << 1) ^ 0x07) & 0xFF : (r << 1) & 0xFF;
    t[i] = static_cast<std::uint8_t>(r);
  }
  return t;
}
constexpr auto kCrc8 = make_crc8_table();

constexpr std::array<std::uint16_t, 256> make_crc16_table() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    unsigned r = i << 8;
    for (int k = 0; k < 8; ++k) r = (r & 0x8000) ? ((r << 1) ^ 0x8005) & 0xFFFF : (r << 1) & 0xFFFF;
    t[i] = static_cast<std::uint16_t>(r);
  }
  return t;
}
constexpr auto kCrc16 = make_crc16_table();

// Slicing-by-8: kSlices[k][b] is the CRC of byte b followed by k zero bytes, so eight bytes fold
// into the register with eight lookups (FLAC frames are checked over every byte of the file).
using Slices = std::array<std::array<std::uint16_t, 256>, 8>;
constexpr Slices make_slices() {
  Slices t{};
  t[0] = make_crc16_table();
  for (std::size_t k = 1; k < 8; ++k) {
    for (unsigned b = 0; b < 256; ++b) {
      const std::uint16_t prev = t[k - 1][b];
      t[k][b] = static_cast<std::uint16_t>((prev << 8) ^ t[0][prev >> 8]);
    }
  }
  return t;
}
constexpr Slices kSlices = make_slices();

constexpr std::uint32_t kRates[12] = {0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000};
constexpr std::uint32_t kSampleSizes[8] = {0, 8, 12, 0, 16, 20, 24, 32};

// MSB-first bits over a byte span; every read says whether the bits were there.
class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> d) : d_(d), bits_(static_cast<std::uint64_t>(d.size()) * 8) {}

  bool read(unsigned n, std::uint32_t& out) {  // n <= 32
    if (n > bits_ - pos_) return false;
    std::uint64_t v = 0;
    for (unsigned left = n; left > 0;) {
      const unsigned in_byte = 8 - static_cast<unsigned>(pos_ & 7);
      const unsigned take = left < in_byte ? left : in_byte;
      const unsigned byte = d_[static_cast<std::size_t>(pos_ >> 3)];
      v = v << take | ((byte >> (in_byte - take)) & ((1u << take) - 1));
      pos_ += take;
      left -= take;
    }
    out = static_cast<std::uint32_t>(v);
    return true;
  }
  bool skip(std::uint64_t n) {
    if (n > bits_ - pos_) return false;
    pos_ += n;
    return true;
  }
  // Zeros up to and including the next one bit; returns the number of zeros.
  bool unary(std::uint32_t& zeros) {
    std::uint64_t count = 0;
    while (pos_ < bits_) {
      const unsigned in_byte = 8 - static_cast<unsigned>(pos_ & 7);
      const unsigned rest = d_[static_cast<std::size_t>(pos_ >> 3)] & ((1u << in_byte) - 1);
      if (rest == 0) {
        count += in_byte;
        pos_ += in_byte;
        continue;
      }
      const unsigned lead = static_cast<unsigned>(__builtin_clz(rest)) - (32 - in_byte);
      count += lead;
      pos_ += lead + 1;
      if (count > 0xFFFFFFFFu) return false;
      zeros = static_cast<std::uint32_t>(count);
      return true;
    }
    return false;
  }
  void align() { pos_ = (pos_ + 7) & ~std::uint64_t{7}; }
  std::uint64_t byte_pos() const { return pos_ >> 3; }

 private:
  std::span<const std::uint8_t> d_;
  std::uint64_t bits_;
  std::uint64_t pos_ = 0;
};

// The residual of a FIXED or LPC subframe: Rice-coded partitions (or escaped raw samples).
bool skip_residual(BitReader& br, std::uint32_t block_size, std::uint32_t order) {
  std::uint32_t method = 0, partition_order = 0;
  if (!br.read(2, method) || method > 1 || !br.read(4, partition_order)) return false;
  const unsigned param_bits = method == 0 ? 4 : 5;
  const std::uint32_t escape = method == 0 ? 15 : 31;
  const std::uint32_t per_partition = block_size >> partition_order;
  if (partition_order > 0 && (per_partition << partition_order) != block_size) return false;
  if (per_partition < order) return false;
  const std::uint32_t partitions = 1u << partition_order;
  for (std::uint32_t i = 0; i < partitions; ++i) {
    const std::uint32_t n = i == 0 ? per_partition - order : per_partition;
    std::uint32_t param = 0;
    if (!br.read(param_bits, param)) return false;
    if (param == escape) {
      std::uint32_t raw_bits = 0;
      if (!br.read(5, raw_bits) || !br.skip(static_cast<std::uint64_t>(n) * raw_bits)) return false;
      continue;
    }
    for (std::uint32_t s = 0; s < n; ++s) {
      std::uint32_t q = 0;
      if (!br.unary(q) || !br.skip(param)) return false;
    }
  }
  return true;
}

bool skip_subframe(BitReader& br, std::uint32_t block_size, std::uint32_t bps) {
  std::uint32_t pad = 0, type = 0, wasted_flag = 0;
  if (!br.read(1, pad) || pad != 0 || !br.read(6, type) || !br.read(1, wasted_flag)) return false;
  if (wasted_flag) {
    std::uint32_t k = 0;
    if (!br.unary(k) || k + 1 >= bps) return false;
    bps -= k + 1;
  }
  if (type == 0) return br.skip(bps);                                                // CONSTANT
  if (type == 1) return br.skip(static_cast<std::uint64_t>(bps) * block_size);     // VERBATIM
  if (type >= 8 && type <= 12) {                                                     // FIXED
    const std::uint32_t order = type - 8;
    return br.skip(static_cast<std::uint64_t>(order) * bps) && skip_residual(br, block_size, order);
  }
  if (type >= 32) {                                                                  // LPC
    const std::uint32_t order = (type & 31) + 1;
    std::uint32_t precision = 0, shift = 0;
    if (!br.skip(static_cast<std::uint64_t>(order) * bps) || !br.read(4, precision) || precision == 15 || !br.read(5, shift)) return false;
    return br.skip(static_cast<std::uint64_t>(order) * (precision + 1)) && skip_residual(br, block_size, order);
  }
  return false;  // reserved subframe type
}

}  // namespace

std::uint16_t crc16_step(std::uint16_t crc, std::uint8_t byte) {
  return static_cast<std::uint16_t>((crc << 8) ^ kCrc16[((crc >> 8) ^ byte) & 0xFF]);
}

std::uint16_t crc16(std::uint16_t crc, const std::uint8_t* p, std::size_t n) {
  for (; n >= 8; n -= 8, p += 8) {
    crc = static_cast<std::uint16_t>(kSlices[7][p[0] ^ (crc >> 8)] ^ kSlices[6][p[1] ^ (crc & 0xFF)] ^ kSlices[5][p[2]] ^
                                     kSlices[4][p[3]] ^ kSlices[3][p[4]] ^ kSlices[2][p[5]] ^ kSlices[1][p[6]] ^
                                     kSlices[0][p[7]]);
  }
  for (; n > 0; --n, ++p) crc = crc16_step(crc, *p);
  return crc;
}

std::optional<StreamInfo> parse_stream_info(std::span<const std::uint8_t> b) {
  if (b.size() < 34) return std::nullopt;
  StreamInfo si;
  si.min_block = static_cast<std::uint32_t>(b[0] << 8 | b[1]);
  si.max_block = static_cast<std::uint32_t>(b[2] << 8 | b[3]);
  si.min_frame = static_cast<std::uint32_t>(b[4] << 16 | b[5] << 8 | b[6]);
  si.max_frame = static_cast<std::uint32_t>(b[7] << 16 | b[8] << 8 | b[9]);
  std::uint64_t x = 0;
  for (int i = 10; i < 18; ++i) x = x << 8 | b[static_cast<std::size_t>(i)];
  si.sample_rate = static_cast<std::uint32_t>(x >> 44);
  si.channels = static_cast<std::uint32_t>((x >> 41) & 7) + 1;
  si.bits_per_sample = static_cast<std::uint32_t>((x >> 36) & 31) + 1;
  si.total_samples = x & ((std::uint64_t{1} << 36) - 1);
  if (si.max_block < 16 || si.min_block > si.max_block || si.sample_rate == 0 || si.bits_per_sample < 4) return std::nullopt;
  if (si.min_frame != 0 && si.max_frame != 0 && si.min_frame > si.max_frame) return std::nullopt;
  return si;
}

std::optional<FrameHeader> parse_frame_header(std::span<const std::uint8_t> p) {
  if (p.size() < 6 || p[0] != 0xFF || (p[1] & 0xFE) != 0xF8) return std::nullopt;
  FrameHeader h;
  h.variable_blocking = p[1] & 1;
  const unsigned bs_code = p[2] >> 4, sr_code = p[2] & 15, ch = p[3] >> 4, ss = (p[3] >> 1) & 7;
  if (bs_code == 0 || sr_code == 15 || ch > 10 || ss == 3 || (p[3] & 1)) return std::nullopt;
  h.channel_assignment = ch;
  h.channels = ch < 8 ? ch + 1 : 2;
  h.bits_per_sample = kSampleSizes[ss];
  // The frame or sample number, UTF-8 style: the first byte's leading ones count the bytes.
  std::size_t i = 4;
  const unsigned first = p[i++];
  unsigned extra = 0;
  std::uint64_t number = 0;
  if (first < 0x80) number = first;
  else if ((first & 0xE0) == 0xC0) extra = 1, number = first & 0x1F;
  else if ((first & 0xF0) == 0xE0) extra = 2, number = first & 0x0F;
  else if ((first & 0xF8) == 0xF0) extra = 3, number = first & 0x07;
  else if ((first & 0xFC) == 0xF8) extra = 4, number = first & 0x03;
  else if ((first & 0xFE) == 0xFC) extra = 5, number = first & 0x01;
  else if (first == 0xFE && h.variable_blocking) extra = 6, number = 0;
  else return std::nullopt;
  for (unsigned k = 0; k < extra; ++k) {
    if (i >= p.size() || (p[i] & 0xC0) != 0x80) return std::nullopt;
    number = number << 6 | (p[i++] & 0x3F);
  }
  h.number = number;
  if (bs_code == 1) h.block_size = 192;
  else if (bs_code <= 5) h.block_size = 576u << (bs_code - 2);
  else if (bs_code == 6) {
    if (i >= p.size()) return std::nullopt;
    h.block_size = p[i++] + 1u;
  } else if (bs_code == 7) {
    if (i + 1 >= p.size()) return std::nullopt;
    h.block_size = (static_cast<std::uint32_t>(p[i]) << 8 | p[i + 1]) + 1u;
    i += 2;
  } else {
    h.block_size = 256u << (bs_code - 8);
  }
  if (sr_code <= 11) {
    h.sample_rate = kRates[sr_code];
  } else if (sr_code == 12) {
    if (i >= p.size()) return std::nullopt;
    h.sample_rate = p[i++] * 1000u;
  } else {
    if (i + 1 >= p.size()) return std::nullopt;
    h.sample_rate = (static_cast<std::uint32_t>(p[i]) << 8 | p[i + 1]) * (sr_code == 14 ? 10u : 1u);
    i += 2;
  }
  if (i >= p.size()) return std::nullopt;
  std::uint8_t crc = 0;
  for (std::size_t k = 0; k < i; ++k) crc = kCrc8[crc ^ p[k]];
  if (crc != p[i]) return std::nullopt;
  h.length = i + 1;
  return h;
}

bool fits_stream(const FrameHeader& h, const StreamInfo& si) {
  if (h.channels != si.channels || h.block_size > si.max_block) return false;
  if (h.sample_rate != 0 && h.sample_rate != si.sample_rate) return false;
  if (h.bits_per_sample != 0 && h.bits_per_sample != si.bits_per_sample) return false;
  return true;
}

std::optional<std::size_t> frame_length(std::span<const std::uint8_t> frame, const FrameHeader& h, const StreamInfo& si) {
  BitReader br(frame);
  if (!br.skip(static_cast<std::uint64_t>(h.length) * 8)) return std::nullopt;
  const std::uint32_t bps = h.bits_per_sample != 0 ? h.bits_per_sample : si.bits_per_sample;
  for (std::uint32_t c = 0; c < h.channels; ++c) {
    // The side channel of a stereo decorrelation carries one bit more.
    const bool side = (h.channel_assignment == 8 && c == 1) || (h.channel_assignment == 9 && c == 0) ||
                      (h.channel_assignment == 10 && c == 1);
    if (!skip_subframe(br, h.block_size, bps + (side ? 1 : 0))) return std::nullopt;
  }
  br.align();
  const std::uint64_t end = br.byte_pos() + 2;
  if (end > frame.size()) return std::nullopt;
  if (crc16(0, frame.data(), static_cast<std::size_t>(end)) != 0) return std::nullopt;
  return static_cast<std::size_t>(end);
}

}  // namespace ferret::carve::formats::flac
