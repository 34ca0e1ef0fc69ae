// SQLite validator: a database made by sqlite3, header checks, in-header size, root pages.
#include "carve/formats/formats.h"
#include "format_test_support.h"

namespace ferret::carve::test {
namespace {

using formats::validate_sqlite;

TEST(SqliteValidator, CompleteBeforeZerosRandomAndAnotherFile) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  FERRET_FIXTURE(other, "jpeg-baseline.jpg");
  expect_complete_before_fillers(validate_sqlite, db, other, "sqlite", "sqlite");
}

TEST(SqliteValidator, ZeroFilledOverflowPagesThatCellsPointAtAreReal) {
  FERRET_FIXTURE(db, "sqlite-zeroblob.sqlite");
  FERRET_FIXTURE(other, "png-rgb.png");
  expect_complete_before_fillers(validate_sqlite, db, other, "sqlite", "sqlite");
}

TEST(SqliteValidator, TruncatedIsNeverCompleteWithAWrongLength) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  // Page contents are not walked: a cut followed by filler still has page_size x page_count bytes.
  expect_truncations_not_complete(validate_sqlite, db, Truncation{.filler_detected = false});
}

TEST(SqliteValidator, StaleInHeaderSizeIsPartial) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  Buffer buf = db;
  buf[95] ^= 1;  // version-valid-for no longer equals the change counter (as before 3.7.0)
  const Verdict v = run(validate_sqlite, buf);
  EXPECT_EQ(v.status, Status::partial);
  EXPECT_EQ(v.length, 1024u);
}

TEST(SqliteValidator, HeaderFieldsOutOfRangeAreRejected) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  for (auto [at, value] : std::initializer_list<std::pair<std::size_t, std::uint8_t>>{
           {16, 3}, {18, 9}, {21, 63}, {20, 255}, {100, 0x07}}) {
    Buffer buf = db;
    buf[at] = value;
    EXPECT_EQ(run(validate_sqlite, buf).status, Status::rejected) << at;
  }
}

TEST(SqliteValidator, SchemaRootThatIsNotABtreePageIsPartial) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  Buffer buf = db;
  // Page 2 is the root of the first table; its type byte becomes garbage.
  buf[1024] = 0x42;
  EXPECT_EQ(run(validate_sqlite, buf).status, Status::partial);
}

TEST(SqliteValidator, APageOfAnotherFileInsideIsPartial) {
  // A fragmented database read as contiguous: one page is another file's data, or zeros.
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  FERRET_FIXTURE(jpg, "jpeg-baseline.jpg");
  ASSERT_EQ(db[36] | db[37] | db[38] | db[39], 0);  // no free pages: every page is accounted for
  for (std::size_t page : {3u, 10u, 19u}) {
    for (bool zeros : {false, true}) {
      Buffer buf = db;
      for (std::size_t i = 0; i < 1024; ++i) buf[(page - 1) * 1024 + i] = zeros ? 0 : jpg[1000 + i];
      const Verdict v = run(validate_sqlite, followed_by(buf, Filler::zeros));
      EXPECT_EQ(v.status, Status::partial) << "page " << page << (zeros ? " zeros: " : ": ") << describe(v);
      EXPECT_LE(v.length, (page - 1) * 1024);
    }
  }
}

TEST(SqliteValidator, HugePageCountIsPartialAndBounded) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  Buffer buf = followed_by(db, Filler::zeros, 65536);
  put_u32be(buf, 28, 0xFFFFFFF0u);
  const Verdict v = run(validate_sqlite, buf);
  EXPECT_NE(v.status, Status::complete);
  EXPECT_LE(v.length, db.size());
}

TEST(SqliteValidator, OverwrittenMiddleIsNeverCompleteWithAWrongLength) {
  FERRET_FIXTURE(db, "sqlite-small.sqlite");
  expect_overwrites_never_misjudged(validate_sqlite, db, 64, 40);
}

TEST(SqliteValidator, Fuzz) {
  fuzz_validator(validate_sqlite, {read_fixture("sqlite-small.sqlite")}, std::string_view("SQLite format 3\0", 16), 0x591);
}

}  // namespace
}  // namespace ferret::carve::test
