// The host API a plugin's parse() calls, in process: bounded reads, checked emitters, flood limits,
// handles the host never gave out, and the tool's second check of a worker's answer.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "plugin_host/parse_session.h"

namespace ferret::plugin_host {
namespace {

// The test's parse(): whatever the current test puts in g_body.
std::function<ferret_parse_result(ferret_file*, const ferret_host_api*)> g_body;
ferret_parse_result call_body(ferret_file* f, const ferret_host_api* h) { return g_body(f, h); }

class MemorySource final : public ContentSource {
 public:
  explicit MemorySource(std::string bytes, std::uint64_t bad_from = UINT64_MAX) : bytes_(std::move(bytes)), bad_from_(bad_from) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset + out.size() > bad_from_) return make_error(Errc::unreadable, "bad sector");
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), bytes_.size() - offset));
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }

 private:
  std::string bytes_;
  std::uint64_t bad_from_;
};

struct PluginSession : ::testing::Test {
  ferret_attr_decl record_attrs[5] = {
      {"label", FERRET_ATTR_TEXT, 1, ""}, {"count", FERRET_ATTR_INT, 0, ""}, {"digest", FERRET_ATTR_HEX, 0, ""},
      {"seen", FERRET_ATTR_TIME, 0, ""},  {"ratio", FERRET_ATTR_REAL, 0, ""},
  };
  ferret_attr_decl child_attrs[1] = {{"parent", FERRET_ATTR_INT, 1, ""}};
  ferret_kind_decl kinds[2] = {{"record", "", record_attrs, 5}, {"child", "", child_attrs, 1}};
  const char* extensions[1] = {"txt"};
  ferret_plugin plugin{};
  PluginInfo info;
  FileView file{"/dir/notes.txt", "notes.txt", "text/plain"};
  MemorySource content{"hello world"};
  SessionOptions options;

  void SetUp() override {
    plugin.struct_size = sizeof plugin;
    plugin.abi_version = FERRET_PLUGIN_ABI_VERSION;
    plugin.name = "probe";
    plugin.version = "1";
    plugin.selector.extensions = extensions;
    plugin.selector.extension_count = 1;
    plugin.kinds = kinds;
    plugin.kind_count = 2;
    plugin.parse = call_body;
    PartialInfo partial;
    auto read = read_descriptor(&plugin, partial);
    ASSERT_TRUE(read.ok()) << read.error().message;
    info = *read;
  }
  ParseOutput run(std::function<ferret_parse_result(ferret_file*, const ferret_host_api*)> body, ContentSource* source = nullptr) {
    g_body = std::move(body);
    return run_parse(plugin, info, file, source != nullptr ? *source : content, options);
  }
  static bool logged(const ParseOutput& out, const std::string& text) {
    for (const auto& l : out.log) {
      if (l.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

ferret_artifact* record(ferret_file* f, const ferret_host_api* h, const char* label = "x") {
  ferret_artifact* a = h->begin_artifact(f, "record");
  h->set_text(a, "label", label, std::strlen(label));
  return a;
}

TEST_F(PluginSession, TheFileIsDescribedAndReadWithinItsBounds) {
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    EXPECT_EQ(h->file_size(f), 11u);
    EXPECT_STREQ(h->file_path(f), "/dir/notes.txt");
    EXPECT_STREQ(h->file_name(f), "notes.txt");
    EXPECT_STREQ(h->file_mime(f), "text/plain");
    char buf[64] = {};
    EXPECT_EQ(h->read(f, 6, buf, sizeof buf), 5);  // fewer only at the end
    EXPECT_STREQ(buf, "world");
    EXPECT_EQ(h->read(f, 11, buf, 4), 0);
    EXPECT_EQ(h->read(f, 1u << 30, buf, 4), 0);
    EXPECT_EQ(h->read(f, 0, nullptr, 4), -1);
    EXPECT_EQ(h->read(f, 0, buf, 0), 0);
    EXPECT_EQ(h->should_stop(f), 0);
    return FERRET_PARSE_OK;
  });
  EXPECT_EQ(out.result, FERRET_PARSE_OK);
  EXPECT_TRUE(out.read_error.empty());
}

TEST_F(PluginSession, AFailedReadIsMinusOneAndRemembered) {
  MemorySource damaged("0123456789", 4);
  auto out = run(
      [](ferret_file* f, const ferret_host_api* h) {
        char buf[8];
        EXPECT_EQ(h->read(f, 0, buf, 4), 4);
        EXPECT_EQ(h->read(f, 2, buf, 8), -1);
        return FERRET_PARSE_MALFORMED;
      },
      &damaged);
  EXPECT_NE(out.read_error.find("byte 2"), std::string::npos) << out.read_error;
  EXPECT_NE(out.read_error.find("bad sector"), std::string::npos);
}

TEST_F(PluginSession, ValidArtifactsAreKeptWithTheirIdsAndTypedValues) {
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    ferret_artifact* a = record(f, h, "caf\xc3\xa9");
    EXPECT_EQ(h->artifact_id(a), 1);
    EXPECT_EQ(h->set_int(a, "count", -42), 0);
    EXPECT_EQ(h->set_text(a, "digest", "00ff", 4), 0);
    EXPECT_EQ(h->set_text(a, "seen", "2024-02-29T13:05:00Z", 20), 0);
    EXPECT_EQ(h->set_text(a, "ratio", "12.5", 4), 0);
    EXPECT_EQ(h->set_text(a, "label", "second value wins", 17), 0);
    EXPECT_EQ(h->end_artifact(a), 0);
    EXPECT_EQ(h->artifact_id(a), 1);  // still known after end (until parse returns)
    ferret_artifact* c = h->begin_artifact(f, "child");
    EXPECT_EQ(h->artifact_id(c), 2);
    EXPECT_EQ(h->set_int(c, "parent", 1), 0);
    EXPECT_EQ(h->end_artifact(c), 0);
    return FERRET_PARSE_OK;
  });
  ASSERT_EQ(out.artifacts.size(), 2u);
  const auto& a = out.artifacts[0];
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.kind, 0u);
  ASSERT_EQ(a.attrs.size(), 5u);  // in declaration order
  EXPECT_EQ(a.attrs[0].value, "second value wins");
  EXPECT_EQ(a.attrs[1].value, "-42");
  EXPECT_EQ(a.attrs[2].value, "00ff");
  EXPECT_EQ(out.artifacts[1].attrs[0].value, "1");
  EXPECT_TRUE(out.log.empty());
  EXPECT_FALSE(check_output(info, out, options.limits));
}

TEST_F(PluginSession, EveryBreachOfTheDeclarationRejectsTheArtifact) {
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    EXPECT_EQ(h->begin_artifact(f, "nope"), nullptr);
    EXPECT_EQ(h->begin_artifact(f, nullptr), nullptr);
    struct Case {
      const char* attr;
      const char* text;  // nullptr: set_int
    } cases[] = {{"color", "red"}, {"label", nullptr}, {"count", "7"}, {"label", "\xff"}, {"digest", "ABCD"},
                 {"seen", "2026-02-30T00:00:00Z"}, {"ratio", "1e5"}};
    std::int64_t expected_id = 1;
    for (const auto& c : cases) {
      ferret_artifact* a = record(f, h);
      EXPECT_EQ(h->artifact_id(a), expected_id++);
      const int set = c.text != nullptr ? h->set_text(a, c.attr, c.text, std::strlen(c.text)) : h->set_int(a, c.attr, 7);
      EXPECT_EQ(set, -1) << c.attr;
      EXPECT_EQ(h->end_artifact(a), -1) << c.attr;
    }
    ferret_artifact* no_label = h->begin_artifact(f, "record");
    EXPECT_EQ(h->end_artifact(no_label), -1);
    ferret_artifact* orphan = h->begin_artifact(f, "child");
    EXPECT_EQ(h->set_int(orphan, "parent", 99), -1);
    EXPECT_EQ(h->end_artifact(orphan), -1);
    ferret_artifact* self = h->begin_artifact(f, "child");
    EXPECT_EQ(h->set_int(self, "parent", h->artifact_id(self)), -1);
    EXPECT_EQ(h->end_artifact(self), -1);
    return FERRET_PARSE_OK;
  });
  EXPECT_TRUE(out.artifacts.empty());
  EXPECT_TRUE(logged(out, "undeclared kind 'nope'"));
  EXPECT_TRUE(logged(out, "'color' is not declared"));
  EXPECT_TRUE(logged(out, "declared text, set with set_int"));
  EXPECT_TRUE(logged(out, "declared int, set with set_text"));
  EXPECT_TRUE(logged(out, "not valid UTF-8"));
  EXPECT_TRUE(logged(out, "lowercase"));
  EXPECT_TRUE(logged(out, "day 30 of month 2"));
  EXPECT_TRUE(logged(out, "not a decimal"));
  EXPECT_TRUE(logged(out, "required attribute 'label' not set"));
  EXPECT_TRUE(logged(out, "parent 99"));
}

TEST_F(PluginSession, HandlesTheHostDidNotGiveOutAreRefusedWithoutACrash) {
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    auto* wild = reinterpret_cast<ferret_artifact*>(static_cast<std::uintptr_t>(0x1234));
    EXPECT_EQ(h->set_int(wild, "count", 1), -1);
    EXPECT_EQ(h->end_artifact(wild), -1);
    EXPECT_EQ(h->artifact_id(wild), 0);
    EXPECT_EQ(h->end_artifact(nullptr), -1);
    auto* other_file = reinterpret_cast<ferret_file*>(static_cast<std::uintptr_t>(0x5678));
    EXPECT_EQ(h->begin_artifact(other_file, "record"), nullptr);
    char buf[4];
    EXPECT_EQ(h->read(other_file, 0, buf, 4), -1);
    EXPECT_STREQ(h->file_path(other_file), "");
    ferret_artifact* a = record(f, h);
    EXPECT_EQ(h->end_artifact(a), 0);
    EXPECT_EQ(h->end_artifact(a), -1);  // twice
    EXPECT_EQ(h->set_int(a, "count", 1), -1);  // after its end
    ferret_artifact* never_ended = record(f, h);
    (void)never_ended;
    return FERRET_PARSE_OK;
  });
  EXPECT_EQ(out.artifacts.size(), 1u);
  EXPECT_TRUE(logged(out, "called twice"));
  EXPECT_TRUE(logged(out, "artifact 2 (record) was begun but never ended"));
  // Outside any session every call fails cleanly.
  const ferret_host_api& h = host_api();
  char buf[4];
  EXPECT_EQ(h.read(nullptr, 0, buf, 4), -1);
  EXPECT_EQ(h.begin_artifact(nullptr, "record"), nullptr);
  EXPECT_EQ(h.set_text(nullptr, "label", "x", 1), -1);
  EXPECT_EQ(h.should_stop(nullptr), 1);
  EXPECT_EQ(h.struct_size, sizeof(ferret_host_api));
  EXPECT_EQ(h.abi_version, FERRET_PLUGIN_ABI_VERSION);
}

TEST_F(PluginSession, TooManyArtifactsIsAFloodThatDropsEverything) {
  options.limits.max_artifacts = 10;
  int flood_calls = 0;
  options.on_flood = [&](const ParseOutput& o) {
    ++flood_calls;
    EXPECT_TRUE(o.artifacts.empty());
  };
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    int refused = 0;
    for (int i = 0; i < 1000; ++i) {
      ferret_artifact* a = record(f, h);
      if (h->end_artifact(a) != 0) ++refused;
    }
    EXPECT_EQ(refused, 990);
    EXPECT_EQ(h->should_stop(f), 1);
    return FERRET_PARSE_OK;
  });
  EXPECT_EQ(flood_calls, 1);
  EXPECT_EQ(out.ending, Ending::flood);
  EXPECT_TRUE(out.artifacts.empty());
  EXPECT_NE(out.flood_reason.find("more than 10 artifacts"), std::string::npos);
}

TEST_F(PluginSession, TooMuchTextIsAFloodAndOneLongValueIsARejection) {
  options.limits.max_value_bytes = 8;
  options.limits.max_text_bytes = 20;
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    ferret_artifact* a = h->begin_artifact(f, "record");
    EXPECT_EQ(h->set_text(a, "label", "123456789", 9), -1);  // over max_value_bytes: refused, no flood
    EXPECT_EQ(h->end_artifact(a), -1);
    for (int i = 0; i < 5; ++i) h->end_artifact(record(f, h, "12345678"));
    return FERRET_PARSE_OK;
  });
  EXPECT_EQ(out.ending, Ending::flood);
  EXPECT_NE(out.flood_reason.find("20 bytes"), std::string::npos);
}

TEST_F(PluginSession, LogLinesAreBoundedAndMadeUtf8) {
  options.limits.max_log_lines = 3;
  options.limits.max_log_line_bytes = 10;
  auto out = run([](ferret_file* f, const ferret_host_api* h) {
    h->log(f, FERRET_LOG_WARNING, "bad \xff byte");
    h->log(f, FERRET_LOG_INFO, nullptr);
    h->log(f, static_cast<ferret_log_level>(42), "0123456789abcdef");
    for (int i = 0; i < 5; ++i) h->log(f, FERRET_LOG_DEBUG, "more");
    return FERRET_PARSE_OK;
  });
  ASSERT_EQ(out.log.size(), 3u);
  EXPECT_EQ(out.log[0], "warning: bad \\xff byte");
  EXPECT_EQ(out.log[1], "info: (null)");
  EXPECT_EQ(out.log[2], "info: 0123456789 [cut]");
  EXPECT_EQ(out.log_dropped, 5u);
}

TEST_F(PluginSession, ShouldStopTurnsTrueAtItsTime) {
  options.stop_at = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  auto out = run([](ferret_file* f, const ferret_host_api* h) { return h->should_stop(f) ? FERRET_PARSE_FAILED : FERRET_PARSE_OK; });
  EXPECT_EQ(out.result, FERRET_PARSE_FAILED);
}

TEST_F(PluginSession, TheToolRechecksAnAnswerFromAWorker) {
  ParseOutput out;
  out.artifacts.push_back({1, 0, {{0, "label"}, {2, "00ff"}}});
  EXPECT_FALSE(check_output(info, out, options.limits));
  auto broken = out;
  broken.artifacts[0].kind = 7;
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.artifacts[0].attrs[1].value = "00FF";
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.artifacts[0].attrs.erase(broken.artifacts[0].attrs.begin());  // required label gone
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.artifacts.push_back({1, 0, {{0, "again"}}});  // repeated id
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.artifacts.push_back({2, 1, {{0, "3"}}});  // parent not recorded before it
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.artifacts[0].attrs.push_back({9, "x"});
  EXPECT_TRUE(check_output(info, broken, options.limits));
  broken = out;
  broken.ending = Ending::flood;
  EXPECT_TRUE(check_output(info, broken, options.limits));
  EXPECT_STREQ(parse_result_name(FERRET_PARSE_MALFORMED), "malformed");
  EXPECT_STREQ(parse_result_name(17), "");
}

}  // namespace
}  // namespace ferret::plugin_host
