// Reading what the user typed: whole numbers (decimal only), lists, regions, sizes, batch lines.
// Every error is a CliError(kExitUsage) naming the option and saying what is allowed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "errors.h"
#include "picocray/geometry.h"
#include "picocray/kernel.h"

namespace picocray::cli {

using picocray::Region;  // geometry.h

// Splits at every sep; "a,,b" gives an empty middle field.
std::vector<std::string> split(const std::string& s, char sep);
// Splits a batch line the way a shell would for simple cases: whitespace separates words, '...'
// and "..." quote (no escapes inside single quotes; \" and \\ inside double quotes), a backslash
// outside quotes escapes the next character, and a # that starts a word starts a comment. Throws
// CliError(kExitUsage) on an open quote.
std::vector<std::string> split_shell(const std::string& line);

// A whole number in decimal (leading zeros allowed, never octal or hex), min to max; `what`
// names the option in the error.
uint64_t parse_whole(const std::string& s, const std::string& what, uint64_t min, uint64_t max);
// A non-negative decimal with up to `scale_digits` fraction digits, times 10^scale_digits, as a
// whole number (e.g. "133.5" MHz with 6 digits: 133500000 Hz), min to max of that result.
uint64_t parse_scaled(const std::string& s, const std::string& what, int scale_digits, uint64_t min,
                      uint64_t max, const std::string& range_text);

// An index list such as "0,2-3" (for --nodes); sorted, without repeats. `what` names the option
// in the error. Every index must be below `limit` (UINT32_MAX: the syntax alone).
std::vector<uint32_t> parse_index_list(const std::string& s, const std::string& what,
                                       uint32_t limit);
// A comma-separated list of counts from min to max, in the order given, none repeated (for
// --nodes-sweep and --clusters-sweep).
std::vector<uint32_t> parse_count_list(const std::string& s, const std::string& what, uint32_t min,
                                       uint32_t max);

// True when s has the syntax of a decimal number ([+-]digits[.digits][e[+-]digits]), whatever
// its size: tells "not a number" from "a number out of range".
bool decimal_syntax(const std::string& s);
// "X0,X1,Y0,Y1" as decimals within [-4, 4].
Region parse_region(const std::string& s);
// "WxH".
void parse_size(const std::string& s, uint16_t* w, uint16_t* h, uint32_t max_side);

}  // namespace picocray::cli
