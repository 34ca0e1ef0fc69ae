// Escaping of case values for each report format.
#include "report/escape.h"

#include <cstdio>

#include "core/text.h"
#include "extract/extract.h"

namespace ferret::report {

namespace {

void append_markup_escaped(std::string& out, std::string_view visible, bool xml) {
  for (std::size_t i = 0; i < visible.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(visible, i, cp);
    if (len == 0) {  // cannot happen after display_text; kept safe anyway
      out += "\\x??";
      ++i;
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += xml ? "&apos;" : "&#39;"; break;
      case 0xfffe: out += "\\u{FFFE}"; break;
      case 0xffff: out += "\\u{FFFF}"; break;
      default: out.append(visible.substr(i, len));
    }
    i += len;
  }
}

}  // namespace

std::string html_text(std::string_view text) {
  std::string out;
  const std::string visible = display_text(text);
  out.reserve(visible.size() + 8);
  append_markup_escaped(out, visible, false);
  return out;
}

std::string xml_text(std::string_view text) {
  std::string out;
  const std::string visible = display_text(text);
  out.reserve(visible.size() + 8);
  append_markup_escaped(out, visible, true);
  return out;
}

std::string json_string(std::string_view raw) {
  const std::string text = escape_invalid_utf8(raw);
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  char buf[8];
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {  // escape_invalid_utf8 leaves none; never emit invalid JSON
      cp = 0xfffd;
      len = 1;
    }
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // < > & ' could close a <script> block or start markup when the JSON sits in HTML; U+2028/9
        // end lines in old JavaScript; controls and bidi characters would show or reorder text.
        if (is_control_char(cp) || is_bidi_control(cp) || cp == '<' || cp == '>' || cp == '&' || cp == '\'' ||
            cp == 0x2028 || cp == 0x2029 || cp == 0xfffd) {
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
          out += buf;
        } else {
          out.append(text.substr(i, len));
        }
    }
    i += len;
  }
  out += '"';
  return out;
}

std::string csv_cell(std::string_view text) { return extract::csv_field(escape_invalid_utf8(text)); }

bool parse_utc_time(std::string_view t, double& seconds) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t.back() != 'Z') {
    return false;
  }
  const auto number = [&](std::size_t at, std::size_t n, int& value) {
    value = 0;
    for (std::size_t k = at; k < at + n; ++k) {
      if (t[k] < '0' || t[k] > '9') return false;
      value = value * 10 + (t[k] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!number(0, 4, y) || !number(5, 2, mo) || !number(8, 2, d) || !number(11, 2, h) || !number(14, 2, mi) ||
      !number(17, 2, s) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return false;
  }
  double fraction = 0;
  if (t.size() > 20) {
    if (t[19] != '.') return false;
    double scale = 0.1;
    for (std::size_t k = 20; k + 1 < t.size(); ++k) {
      if (t[k] < '0' || t[k] > '9') return false;
      fraction += (t[k] - '0') * scale;
      scale /= 10;
    }
  } else if (t.size() != 20) {
    return false;
  }
  // Days from the civil date (Howard Hinnant's algorithm): no time zone or locale involved.
  const int yy = mo <= 2 ? y - 1 : y;
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(yy - era * 400);
  const unsigned doy = (153u * static_cast<unsigned>(mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const long long days = static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
  seconds = static_cast<double>(days * 86400 + h * 3600 + mi * 60 + s) + fraction;
  return true;
}

}  // namespace ferret::report
