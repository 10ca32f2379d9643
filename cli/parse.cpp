#include "parse.h"

#include <set>

#include "picocray/decimal.h"

namespace picocray::cli {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return out;
}

std::vector<std::string> split_shell(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        cur += c;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\'))
        cur += line[++i];
      else
        cur += c;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else if (c == '#' && !in_word) {
      break;  // a comment runs to the end of the line
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote != 0) throw CliError(kExitUsage, std::string("unterminated ") + quote + " quote");
  if (in_word) out.push_back(cur);
  return out;
}

namespace {

bool parse_uint(const std::string& s, uint32_t* v) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *v = static_cast<uint32_t>(std::stoul(s));
  return true;
}

// Digits only, any number of leading zeros; false on overflow.
bool whole_digits(const std::string& s, uint64_t* v) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  uint64_t x = 0;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (x > (UINT64_MAX - d) / 10) return false;
    x = x * 10 + d;
  }
  *v = x;
  return true;
}

}  // namespace

uint64_t parse_whole(const std::string& s, const std::string& what, uint64_t min, uint64_t max) {
  uint64_t v = 0;
  if (!whole_digits(s, &v) || v < min || v > max)
    throw CliError(kExitUsage, what + " '" + s + "' must be a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  return v;
}

uint64_t parse_scaled(const std::string& s, const std::string& what, int scale_digits, uint64_t min,
                      uint64_t max, const std::string& range_text) {
  auto bad = [&]() {
    return CliError(kExitUsage, what + " '" + s + "' must be a number from " + range_text +
                                    " (at most " + std::to_string(scale_digits) + " decimals)");
  };
  size_t dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) throw bad();
  if (dot != std::string::npos && frac.empty()) throw bad();
  if (static_cast<int>(frac.size()) > scale_digits) throw bad();
  frac.append(static_cast<size_t>(scale_digits) - frac.size(), '0');
  uint64_t v = 0;
  if (!whole_digits((whole.empty() ? "0" : whole) + frac, &v) || v < min || v > max) throw bad();
  return v;
}

std::vector<uint32_t> parse_index_list(const std::string& s, const std::string& what,
                                       uint32_t limit) {
  std::set<uint32_t> seen;
  for (const std::string& part : split(s, ',')) {
    uint32_t a = 0, b = 0;
    size_t dash = part.find('-');
    bool ok = dash == std::string::npos ? parse_uint(part, &a) && parse_uint(part, &b)
                                        : parse_uint(part.substr(0, dash), &a) &&
                                              parse_uint(part.substr(dash + 1), &b) && a <= b;
    if (!ok)
      throw CliError(kExitUsage, what + " '" + s + "' must be indexes and ranges such as 0,2-3");
    if (b >= 64) throw CliError(kExitUsage, what + " '" + s + "': node indexes are 0 to 63");
    if (limit != UINT32_MAX && b >= limit)
      throw CliError(kExitUsage,
                     what + " '" + s + "' names node " + std::to_string(b) +
                         ", but the cluster has " + std::to_string(limit) +
                         (limit == 0 ? " nodes" : " (0-" + std::to_string(limit - 1) + ")"));
    for (uint32_t k = a; k <= b; ++k) seen.insert(k);
  }
  return std::vector<uint32_t>(seen.begin(), seen.end());
}

std::vector<uint32_t> parse_count_list(const std::string& s, const std::string& what, uint32_t min,
                                       uint32_t max) {
  std::vector<uint32_t> out;
  for (const std::string& part : split(s, ',')) {
    uint32_t v = 0;
    if (!parse_uint(part, &v) || v < min || v > max)
      throw CliError(kExitUsage, what + " '" + s + "' must be numbers from " + std::to_string(min) +
                                     " to " + std::to_string(max) + " separated by commas");
    for (uint32_t seen : out)
      if (seen == v)
        throw CliError(kExitUsage, what + " '" + s + "' names " + std::to_string(v) +
                                       " twice: give each count once");
    out.push_back(v);
  }
  return out;
}

bool decimal_syntax(const std::string& s) {
  size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == n;
}

Region parse_region(const std::string& s) {
  auto parts = split(s, ',');
  if (parts.size() != 4)
    throw CliError(kExitUsage, "--region needs four numbers X0,X1,Y0,Y1, got " +
                                   std::to_string(parts.size()) + " in '" + s + "'");
  Coord c[4];
  const char* names[4] = {"X0", "X1", "Y0", "Y1"};
  for (int i = 0; i < 4; ++i) {
    const bool parsed = parse_decimal(parts[i].data(), parts[i].size(), &c[i]);
    if (!parsed && !decimal_syntax(parts[i]))
      throw CliError(kExitUsage, std::string("--region ") + names[i] + " '" + parts[i] +
                                     "' is not a decimal number");
    if (!parsed)
      throw CliError(kExitUsage, std::string("--region ") + names[i] + " '" + parts[i] +
                                     "' must be within [-4, 4] (at most 200 digits, exponent "
                                     "-200 to 200)");
    if (!coord_in_limits(c[i]))
      throw CliError(kExitUsage, std::string("--region ") + names[i] + " '" + parts[i] +
                                     "' is outside the allowed [-4, 4]");
  }
  if (fx::cmp(c[0], c[1]) >= 0)
    throw CliError(kExitUsage, "--region needs X0 < X1, got X0=" + parts[0] + " X1=" + parts[1]);
  if (fx::cmp(c[2], c[3]) >= 0)
    throw CliError(kExitUsage, "--region needs Y0 < Y1, got Y0=" + parts[2] + " Y1=" + parts[3]);
  return Region{c[0], c[1], c[2], c[3]};
}

void parse_size(const std::string& s, uint16_t* w, uint16_t* h, uint32_t max_side) {
  auto parts = split(s, 'x');
  auto bad = [&]() {
    return CliError(kExitUsage, "--size '" + s + "' must be WxH with each side 1 to " +
                                    std::to_string(max_side));
  };
  if (parts.size() != 2) throw bad();
  uint32_t v[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& p = parts[i];
    if (p.empty() || p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos)
      throw bad();
    v[i] = static_cast<uint32_t>(std::stoul(p));
    if (v[i] < 1 || v[i] > max_side) throw bad();
  }
  *w = static_cast<uint16_t>(v[0]);
  *h = static_cast<uint16_t>(v[1]);
}

}  // namespace picocray::cli
