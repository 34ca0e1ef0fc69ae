// The carving registry: every family is reachable and signatures are well formed.
#include <gtest/gtest.h>

#include "carve/format.h"

namespace ferret::carve {
namespace {

TEST(CarveRegistry, EveryFamilyHasAValidatorAndAMagic) {
  for (const Signature& s : signatures()) {
    EXPECT_FALSE(s.magic.empty()) << s.family;
    EXPECT_NE(s.validate, nullptr) << s.family;
  }
  const auto names = families();
  EXPECT_EQ(names.size(), 14u);
  EXPECT_EQ(names.front(), "jpeg");
}

TEST(CarveBytes, ReadsIntegersAndFindsNeedlesAcrossViewEdges) {
  std::string data(3 * kMaxView, 'x');
  data.replace(kMaxView - 2, 5, "%%EOF");
  data[10] = '\x12';
  data[11] = '\x34';
  MemoryBytes b(data);
  EXPECT_EQ(*b.u16be(10), 0x1234);
  EXPECT_EQ(*b.u16le(10), 0x3412);
  EXPECT_FALSE(b.u32le(data.size() - 3));
  EXPECT_EQ(b.find("%%EOF", 0, data.size()), kMaxView - 2);
  EXPECT_FALSE(b.find("%%EOF", 0, kMaxView + 2));  // the needle must end before `to`
  EXPECT_EQ(b.find_byte('E', kMaxView - 4, data.size()), kMaxView);
  EXPECT_TRUE(b.matches(kMaxView - 2, "%%EOF"));
}

}  // namespace
}  // namespace ferret::carve
