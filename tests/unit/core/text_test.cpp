// Text helpers: hex, UTF-8 validation and escaping, JSON escaping, UTC times.
#include "core/text.h"

#include <gtest/gtest.h>

namespace ferret {
namespace {

TEST(Text, HexIsLowercase) {
  const unsigned char bytes[] = {0x00, 0xab, 0xff, 0x10};
  EXPECT_EQ(to_hex(bytes), "00abff10");
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("Fianc\xc3\xa9\x65 \xe6\x9d\xb1\xe4\xba\xac"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("abc\xff"));
  EXPECT_FALSE(is_valid_utf8("\xe6\x9d"));          // truncated
}

TEST(Text, InvalidBytesAreEscapedAndValidOnesKept) {
  EXPECT_EQ(escape_invalid_utf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(escape_invalid_utf8("a\xff" "b\xc0\xaf"), "a\\xffb\\xc0\\xaf");
}

TEST(Text, JsonEscaping) {
  EXPECT_EQ(json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  EXPECT_EQ(json_escape("<script>"), "<script>");
}

TEST(Text, UtcIso8601) {
  EXPECT_EQ(utc_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_iso8601(1078012800), "2004-02-29T00:00:00Z");  // leap day
  EXPECT_EQ(utc_iso8601(1078012800, 500000000), "2004-02-29T00:00:00.5Z");
}

TEST(Text, HumanBytes) {
  EXPECT_EQ(human_bytes(512), "512 B");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(2.0 * 1024 * 1024 * 1024), "2.0 GiB");
}

}  // namespace
}  // namespace ferret

namespace ferret {
namespace {

TEST(Text, DisplayTextNeutralisesControlAndBidiCharacters) {
  EXPECT_EQ(display_text("plain é 日本"), "plain é 日本");
  EXPECT_EQ(display_text("line\nbreak\ttab"), "line\\x0abreak\\x09tab");
  EXPECT_EQ(display_text("invoice\u202etxt.exe"), "invoice\\u{202E}txt.exe");
  EXPECT_EQ(display_text("esc\x1b[31mred"), "esc\\x1b[31mred");
  EXPECT_EQ(display_text(std::string("bad\xff", 4)), "bad\\xff");
  EXPECT_EQ(display_text("c1\xc2\x9b"), "c1\\u{009B}");
}

TEST(Text, DecodeUtf8GivesCodePointsAndRejectsOverlongs) {
  char32_t cp = 0;
  EXPECT_EQ(decode_utf8("\xe2\x80\xae", 0, cp), 3u);
  EXPECT_EQ(cp, U'\u202e');
  EXPECT_EQ(decode_utf8("\xc0\xaf", 0, cp), 0u);  // overlong '/'
  EXPECT_EQ(decode_utf8("\xed\xa0\x80", 0, cp), 0u);  // surrogate
  EXPECT_EQ(decode_utf8("a", 1, cp), 0u);  // past the end
}

}  // namespace
}  // namespace ferret
