// Plugin descriptors as the host reads them (every rule of include/ferret/plugin.h), value checks and file selection.
#include <gtest/gtest.h>

#include <cstring>

#include "plugin_host/plugin_info.h"

namespace ferret::plugin_host {
namespace {

ferret_parse_result parse_nothing(ferret_file*, const ferret_host_api*) { return FERRET_PARSE_OK; }

// A valid descriptor that each test bends one way.
struct Descriptor {
  ferret_attr_decl attrs[3] = {
      {"info_hash", FERRET_ATTR_HEX, 1, "v1 info-hash"},
      {"name", FERRET_ATTR_TEXT, 0, "the torrent's name"},
      {"parent", FERRET_ATTR_INT, 0, "enclosing artifact"},
  };
  ferret_kind_decl kinds[2] = {{"torrent", "a .torrent file", attrs, 3}, {"tracker", "", attrs + 1, 1}};
  const char* mimes[2] = {"application/x-bittorrent", "Video/"};
  const char* extensions[1] = {"torrent"};
  const char* names[1] = {"resume.dat"};
  unsigned char magic_bytes[11] = {'d', '8', ':', 'a', 'n', 'n', 'o', 'u', 'n', 'c', 'e'};
  ferret_magic magics[1] = {{magic_bytes, 11, 0}};
  ferret_plugin plugin{};

  Descriptor() {
    plugin.struct_size = sizeof(ferret_plugin);
    plugin.abi_version = FERRET_PLUGIN_ABI_VERSION;
    plugin.name = "torrent";
    plugin.version = "1.2.0";
    plugin.description = "BitTorrent metainfo";
    plugin.selector = {mimes, 2, extensions, 1, names, 1, magics, 1};
    plugin.kinds = kinds;
    plugin.kind_count = 2;
    plugin.parse = parse_nothing;
  }
  Result<PluginInfo> read() {
    PartialInfo partial;
    return read_descriptor(&plugin, partial);
  }
  std::string refusal() {
    auto r = read();
    return r.ok() ? "(accepted)" : r.error().message;
  }
};

TEST(PluginDescriptor, AValidDescriptorIsCopiedWhole) {
  Descriptor d;
  auto info = d.read();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->name, "torrent");
  EXPECT_EQ(info->version, "1.2.0");
  EXPECT_EQ(info->abi_version, 1u);
  EXPECT_EQ(info->selector.mime_types, (std::vector<std::string>{"application/x-bittorrent", "video/"}));
  EXPECT_EQ(info->selector.extensions, std::vector<std::string>{"torrent"});
  ASSERT_EQ(info->selector.magics.size(), 1u);
  EXPECT_EQ(info->selector.magics[0].bytes, "d8:announce");
  ASSERT_EQ(info->kinds.size(), 2u);
  EXPECT_EQ(info->kinds[0].attrs[0].type, FERRET_ATTR_HEX);
  EXPECT_TRUE(info->kinds[0].attrs[0].required);
  EXPECT_EQ(info->find_kind("tracker"), 1);
  EXPECT_EQ(info->kinds[0].find_attr("parent"), 2);
  EXPECT_EQ(info->find_kind("nope"), -1);
}

TEST(PluginDescriptor, AnotherAbiVersionIsRefusedNamingBothVersions) {
  Descriptor d;
  d.plugin.abi_version = 2;
  d.plugin.name = nullptr;  // not read: the layout of another ABI is unknown
  PartialInfo partial;
  auto r = read_descriptor(&d.plugin, partial);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ABI version 2"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("ABI version 1"), std::string::npos) << r.error().message;
  EXPECT_EQ(partial.abi_version, 2u);
  EXPECT_FALSE(partial.name.has_value());
}

TEST(PluginDescriptor, ASmallerStructSizeIsRefusedALargerOneIsFine) {
  Descriptor d;
  d.plugin.struct_size = 16;
  EXPECT_NE(d.refusal().find("struct_size"), std::string::npos);
  d.plugin.struct_size = sizeof(ferret_plugin) + 64;  // a newer plugin with members this host ignores
  EXPECT_TRUE(d.read().ok());
}

TEST(PluginDescriptor, NamesAndDeclarationsMustBeWellFormed) {
  {
    Descriptor d;
    d.plugin.name = "Torrent";
    EXPECT_NE(d.refusal().find("[a-z0-9_]+"), std::string::npos);
  }
  {
    Descriptor d;
    d.plugin.version = "";
    EXPECT_NE(d.refusal().find("version"), std::string::npos);
  }
  {
    Descriptor d;
    d.plugin.parse = nullptr;
    EXPECT_EQ(d.refusal(), "parse is NULL");
  }
  {
    Descriptor d;
    d.kinds[1].name = "torrent";
    EXPECT_EQ(d.refusal(), "kind 'torrent' declared twice");
  }
  {
    Descriptor d;
    d.kinds[0].name = "bad-kind";
    EXPECT_NE(d.refusal().find("kind 'bad-kind'"), std::string::npos);
  }
  {
    Descriptor d;
    d.attrs[1].name = "info_hash";
    EXPECT_EQ(d.refusal(), "kind 'torrent': attribute 'info_hash' declared twice");
  }
  {
    Descriptor d;
    const int nine = 9;  // what a C plugin may store there; no such ferret_attr_type exists in C++
    std::memcpy(&d.attrs[1].type, &nine, sizeof nine);
    EXPECT_NE(d.refusal().find("type 9"), std::string::npos);
  }
  {
    Descriptor d;
    d.attrs[2].type = FERRET_ATTR_TEXT;
    EXPECT_NE(d.refusal().find("'parent'"), std::string::npos);
  }
  {
    Descriptor d;
    d.kinds[0].attrs = nullptr;
    EXPECT_NE(d.refusal().find("attrs is NULL"), std::string::npos);
  }
  {
    Descriptor d;
    d.plugin.kinds = nullptr;
    EXPECT_NE(d.refusal().find("kinds"), std::string::npos);
  }
  {
    Descriptor d;
    const char* bad = "caf\xff";
    d.plugin.description = bad;
    EXPECT_NE(d.refusal().find("UTF-8"), std::string::npos);
  }
  PartialInfo partial;
  EXPECT_FALSE(read_descriptor(nullptr, partial).ok());
}

TEST(PluginDescriptor, SelectorsMustBeUsable) {
  {
    Descriptor d;
    d.plugin.selector = {};
    EXPECT_NE(d.refusal().find("never be offered"), std::string::npos);
  }
  {
    Descriptor d;
    d.extensions[0] = ".torrent";
    EXPECT_NE(d.refusal().find("without the dot"), std::string::npos);
  }
  {
    Descriptor d;
    d.magics[0].length = 0;
    EXPECT_NE(d.refusal().find("length 0"), std::string::npos);
  }
  {
    Descriptor d;
    d.magics[0].offset = kMaxMagicEnd;
    EXPECT_NE(d.refusal().find("first"), std::string::npos);
  }
  {
    Descriptor d;
    d.plugin.selector.file_names = nullptr;
    EXPECT_NE(d.refusal().find("the list is NULL"), std::string::npos);
  }
  {
    Descriptor d;
    d.mimes[0] = "text/plain; charset=utf-8";
    EXPECT_NE(d.refusal().find("MIME"), std::string::npos);
  }
}

TEST(PluginValues, EachTypeAcceptsItsFormOnly) {
  EXPECT_FALSE(check_value(FERRET_ATTR_TEXT, "caf\xc3\xa9 \xe6\x97\xa5"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TEXT, "caf\xe9"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TEXT, "\xed\xa0\x80"));  // a UTF-16 surrogate
  EXPECT_TRUE(check_value(FERRET_ATTR_TEXT, std::string_view("a\0b", 3)));

  EXPECT_FALSE(check_value(FERRET_ATTR_INT, "-9223372036854775808"));
  EXPECT_TRUE(check_value(FERRET_ATTR_INT, "9223372036854775808"));
  EXPECT_TRUE(check_value(FERRET_ATTR_INT, "12a"));
  EXPECT_TRUE(check_value(FERRET_ATTR_INT, ""));

  EXPECT_FALSE(check_value(FERRET_ATTR_HEX, "0123456789abcdef"));
  EXPECT_NE(check_value(FERRET_ATTR_HEX, "ABCD")->find("lowercase"), std::string::npos);
  EXPECT_TRUE(check_value(FERRET_ATTR_HEX, "0x12"));
  EXPECT_TRUE(check_value(FERRET_ATTR_HEX, ""));

  EXPECT_FALSE(check_value(FERRET_ATTR_TIME, "2024-02-29T13:05:00Z"));
  EXPECT_FALSE(check_value(FERRET_ATTR_TIME, "1999-12-31T23:59:60Z"));  // a leap second
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2023-02-29T13:05:00Z"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2024-13-01T00:00:00Z"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2024-01-01T24:00:00Z"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2024-01-01 00:00:00Z"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2024-01-01T00:00:00"));
  EXPECT_TRUE(check_value(FERRET_ATTR_TIME, "2024-01-01T00:00:00.5Z"));

  for (const char* ok : {"0", "-3", "12.5", "-0.25", "51.507222"}) EXPECT_FALSE(check_value(FERRET_ATTR_REAL, ok)) << ok;
  for (const char* bad : {"", "-", ".5", "5.", "1e5", "inf", "nan", "1,5", "+1", " 1"}) EXPECT_TRUE(check_value(FERRET_ATTR_REAL, bad)) << bad;
  EXPECT_STREQ(type_name(FERRET_ATTR_REAL), "real");
}

TEST(PluginSelection, MimeExtensionNameAndMagic) {
  Descriptor d;
  auto info = d.read();
  ASSERT_TRUE(info.ok());
  const Selector& s = info->selector;
  EXPECT_TRUE(selects_by_name(s, {"x.bin", "application/x-bittorrent"}));
  EXPECT_TRUE(selects_by_name(s, {"x.bin", "VIDEO/mp4"}));      // prefix, any case
  EXPECT_FALSE(selects_by_name(s, {"x.bin", "application/x-bittorrent2"}));
  EXPECT_FALSE(selects_by_name(s, {"x.bin", "videos/mp4"}));
  EXPECT_TRUE(selects_by_name(s, {"Movie.TORRENT", ""}));
  EXPECT_FALSE(selects_by_name(s, {"torrent", ""}));
  EXPECT_TRUE(selects_by_name(s, {"Resume.DAT", ""}));
  EXPECT_FALSE(selects_by_name(s, {"resume.dat.bak", ""}));
  EXPECT_TRUE(selects_by_magic(s, "d8:announce13:http://x"));
  EXPECT_FALSE(selects_by_magic(s, "d8:announc"));  // the head is shorter than the magic
  EXPECT_FALSE(selects_by_magic(s, "xd8:announce"));
  EXPECT_EQ(head_bytes_needed(s), 11u);

  EXPECT_EQ(extension_of("a.b.TXT"), "txt");
  EXPECT_EQ(extension_of("..hidden release..nfo"), "nfo");
  EXPECT_EQ(extension_of(".bashrc"), "");
  EXPECT_EQ(extension_of("trailing."), "");
  EXPECT_EQ(extension_of("README"), "");
}

}  // namespace
}  // namespace ferret::plugin_host
