// The host's side: each width's digest of counts and work from the portable references, over the
// same seeded points as the emulated Cortex-M33 image.
#include <cstdio>

#include "points.h"

int main() {
  for (int limbs = 1; limbs <= 4; limbs *= 2)
    std::printf("p%d 0x%08x\n", 32 * limbs,
                m33check::digest<true>(limbs, limbs == 4 ? 1200 : 4000));
  return 0;
}
