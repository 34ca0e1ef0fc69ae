// The escaping every report format relies on: HTML, XML, JSON, CSV cells, and the time parser.
#include <gtest/gtest.h>

#include "report/escape.h"

namespace ferret::report {
namespace {

TEST(ReportEscape, HtmlTextEscapesMarkupQuotesAndShowsWhatIsInvisible) {
  EXPECT_EQ(html_text("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(html_text("it's \"x\" & y"), "it&#39;s &quot;x&quot; &amp; y");
  EXPECT_EQ(html_text("line\nbreak\ttab"), "line\\x0abreak\\x09tab");
  EXPECT_EQ(html_text("invoice\xE2\x80\xAEtxt.exe"), "invoice\\u{202E}txt.exe");  // a right-to-left override
  EXPECT_EQ(html_text("bad \xff byte"), "bad \\xff byte");
  EXPECT_EQ(html_text("caf\xC3\xA9 \xF0\x9F\x8E\xAC"), "caf\xC3\xA9 \xF0\x9F\x8E\xAC");  // ordinary UTF-8 stays
  EXPECT_EQ(html_text(""), "");
}

TEST(ReportEscape, XmlTextNeverProducesACharacterXml10Refuses) {
  EXPECT_EQ(xml_text("a<b>&'\""), "a&lt;b&gt;&amp;&apos;&quot;");
  EXPECT_EQ(xml_text(std::string("nul\0x\x01\x1f", 7)), "nul\\x00x\\x01\\x1f");
  EXPECT_EQ(xml_text("\xEF\xBF\xBE\xEF\xBF\xBF"), "\\u{FFFE}\\u{FFFF}");
  EXPECT_EQ(xml_text("\xC2\x85"), "\\u{0085}");  // C1 control
  EXPECT_EQ(xml_text("\xc3\x28"), "\\xc3(");     // not UTF-8
}

TEST(ReportEscape, JsonStringParsesBackExactlyAndIsSafeInsideAScriptBlock) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("</script><!--"), "\"\\u003c/script\\u003e\\u003c!--\"");
  EXPECT_EQ(json_string("a&b'c"), "\"a\\u0026b\\u0027c\"");
  EXPECT_EQ(json_string("\n\r\t\x01\x7f"), "\"\\n\\r\\t\\u0001\\u007f\"");
  EXPECT_EQ(json_string("x\xE2\x80\xA8y\xE2\x80\xA9"), "\"x\\u2028y\\u2029\"");
  EXPECT_EQ(json_string("rtl\xE2\x80\xAEoverride"), "\"rtl\\u202eoverride\"");
  EXPECT_EQ(json_string("bad\xff"), "\"bad\\\\xff\"");  // stored as the text \xff, as the case does
  EXPECT_EQ(json_string("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
}

TEST(ReportEscape, CsvCellQuotesAndGuardsFormulas) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  for (const char* risky : {"+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    const std::string cell = csv_cell(risky);
    const std::size_t first = cell.front() == '"' ? 1 : 0;
    EXPECT_EQ(cell[first], '\'') << risky;
  }
  EXPECT_EQ(csv_cell("bad\xff"), "bad\\xff");
}

TEST(ReportEscape, ParsesTheCaseTimesAsUtc) {
  double t = 0;
  ASSERT_TRUE(parse_utc_time("1970-01-01T00:00:00Z", t));
  EXPECT_EQ(t, 0);
  ASSERT_TRUE(parse_utc_time("2004-02-29T13:05:00Z", t));
  EXPECT_EQ(t, 1078059900);
  ASSERT_TRUE(parse_utc_time("2026-03-03T13:23:06.25Z", t));
  EXPECT_DOUBLE_EQ(t, 1772544186.25);
  ASSERT_TRUE(parse_utc_time("1969-12-31T23:59:59Z", t));
  EXPECT_EQ(t, -1);
  EXPECT_FALSE(parse_utc_time("", t));
  EXPECT_FALSE(parse_utc_time("2026-03-03 13:23:06Z", t));
  EXPECT_FALSE(parse_utc_time("2026-13-03T13:23:06Z", t));
  EXPECT_FALSE(parse_utc_time("2026-03-03T13:23:06", t));
}

}  // namespace
}  // namespace ferret::report
