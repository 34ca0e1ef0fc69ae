// Which files are plugin files, in which order, and their SHA-256 (taken without loading them).
#include <gtest/gtest.h>

#include <fstream>

#include "plugin_host/discovery.h"
#include "plugin_host/worker.h"
#include "test_support.h"

namespace ferret::plugin_host {
namespace {

void touch(const std::filesystem::path& p, const std::string& content = "x") { std::ofstream(p) << content; }

TEST(PluginDiscovery, OnlyFerretSharedObjectsInFolderOrderThenNameOrder) {
  test::TempDir first, second;
  touch(first / "ferret-zeta.so");
  touch(first / "ferret-alpha.so");
  touch(first / "libferret-x.so");
  touch(first / "ferret-.so");
  touch(first / "ferret-readme.txt");
  std::filesystem::create_directory(first / "ferret-dir.so");
  touch(second / "ferret-beta.so");
  std::filesystem::create_symlink(first / "ferret-alpha.so", second / "ferret-alias.so");
  auto files = find_plugin_files({second.path(), first.path(), second.path()});
  ASSERT_TRUE(files.ok()) << files.error().message;
  std::vector<std::string> names;
  for (const auto& f : *files) names.push_back(f.parent_path() == std::filesystem::canonical(first.path()) ? "1/" + f.filename().string()
                                                                                                          : "2/" + f.filename().string());
  // The symbolic link resolves to first/ferret-alpha.so, which is then not listed twice.
  EXPECT_EQ(names, (std::vector<std::string>{"1/ferret-alpha.so", "2/ferret-beta.so", "1/ferret-zeta.so"}));
  EXPECT_FALSE(find_plugin_files({first / "missing"}).ok());
}

TEST(PluginDiscovery, Sha256OfAFile) {
  test::TempDir dir;
  touch(dir / "ferret-abc.so", "abc");
  auto sha = sha256_of_file(dir / "ferret-abc.so");
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_FALSE(sha256_of_file(dir / "nope").ok());
}

TEST(PluginDiscovery, AMissingPluginFolderIsAUsageError) {
  DiscoverOptions options;
  options.plugin_dirs = {"/nonexistent/ferret-plugins"};
  options.search_default_dirs = false;
  auto found = discover_plugins(options);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace ferret::plugin_host
