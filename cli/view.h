// Views given as a centre and a width, and the zoom between two views. All of it in fixed point
// on 128-bit coordinates (common/fixed.h), never through double, so a deep view keeps its digits.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "parse.h"
#include "picocray/fixed.h"

namespace picocray::cli {

struct View {
  Coord cx, cy;  // centre
  Coord span;    // width; the height follows from the image's aspect ratio
};

// One decimal; `what` names the option in the error (CliError kExitUsage).
Coord parse_coord(const std::string& s, const std::string& what);
// "CX,CY" and a span (> 0 and at most 8).
View parse_view(const std::string& center, const std::string& span);
// "CX,CY,SPAN" (--zoom-to).
View parse_view3(const std::string& s, const std::string& what);

// The region of a W x H image centred on the view: width `span`, height span * H / W.
// Throws CliError(kExitUsage) when a corner falls outside [-4, 4].
Region region_of(const View& v, uint32_t width, uint32_t height, const std::string& what);
// Centre and width of a region.
View view_of(const Region& r);

// `frames` views from `from` to `to` (both included): the span shrinks (or grows) geometrically
// and the centre moves so that it arrives with the span.
std::vector<View> zoom_path(const View& from, const View& to, uint32_t frames);

namespace fxu {
// Helpers on non-negative coordinates, exact or rounded toward zero.
Coord half(const Coord& a);                      // a / 2, arithmetic
Coord div_frac(const Coord& a, const Coord& b);  // a / b for 0 <= a <= b, b > 0
Coord pow(const Coord& q, uint32_t k);           // q^k for 0 <= q <= 1
}  // namespace fxu

}  // namespace picocray::cli
