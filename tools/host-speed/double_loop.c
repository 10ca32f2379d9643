/* The baseline a user would write: one thread, double precision, the same pixels and the same
 * escape definition as PicoCray (z1 = c; escaped when |z|^2 > 4; max_iter means inside). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: double_loop X0 X1 Y0 Y1 W H ITER\n");
    return 2;
  }
  double x0 = atof(argv[1]), x1 = atof(argv[2]), y0 = atof(argv[3]), y1 = atof(argv[4]);
  int w = atoi(argv[5]), h = atoi(argv[6]), m = atoi(argv[7]);
  unsigned short* out = malloc((size_t)w * h * sizeof *out);
  long long total = 0;
  for (int j = 0; j < h; ++j)
    for (int i = 0; i < w; ++i) {
      double cx = x0 + (i + 0.5) * (x1 - x0) / w, cy = y1 - (j + 0.5) * (y1 - y0) / h;
      double x = cx, y = cy;
      int k = 1;
      for (;; ++k) {
        double x2 = x * x, y2 = y * y;
        if (x2 + y2 > 4 || k == m) break;
        y = 2 * x * y + cy;
        x = x2 - y2 + cx;
      }
      out[(size_t)j * w + i] = (unsigned short)k;
      total += k;
    }
  printf("%lld\n", total);
  free(out);
  return 0;
}
