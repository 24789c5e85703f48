// Orthogonal initialization: the Q factor of a Householder QR in double, with
// PyTorch's sign fix (column k times sign(R[k][k])). The TS twin is
// src/reference/qr.ts: the same operations in the same order (sums run
// sequentially, i ascending), so both give the same bits.
#include <vector>

#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

// out (rows x cols, row-major) = gain * Q, where Q comes from x (rows x cols,
// row-major). Like torch.nn.init.orthogonal_, a wide x is transposed first
// so the QR runs on a tall m x n matrix (m >= n), and Q is transposed back.
void orthogonal(const float* x, size_t rows, size_t cols, double gain, float* out) {
  bool wide = rows < cols;
  size_t m = wide ? cols : rows, n = wide ? rows : cols;
  if (n == 0) return;
  std::vector<double> a(m * n), v(m * n, 0.0), tau(n, 0.0), sign(n, 0.0), q(m * n, 0.0);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) a[i * n + j] = wide ? x[j * cols + i] : x[i * cols + j];
  for (size_t k = 0; k < n; k++) {
    // Reflector v = x - alpha e_k with alpha = -sign(x_k) ||x||: no cancellation.
    double norm2 = 0.0;
    for (size_t i = k; i < m; i++) norm2 += a[i * n + k] * a[i * n + k];
    double alpha = std::sqrt(norm2), xk = a[k * n + k];
    if (xk > 0.0) alpha = -alpha;
    double vv = 0.0;
    for (size_t i = k; i < m; i++) {
      double vi = i == k ? xk - alpha : a[i * n + k];
      v[i * n + k] = vi;
      vv += vi * vi;
    }
    tau[k] = vv > 0.0 ? 2.0 / vv : 0.0;
    for (size_t j = k; j < n; j++) {
      double s = 0.0;
      for (size_t i = k; i < m; i++) s += v[i * n + k] * a[i * n + j];
      s = s * tau[k];
      for (size_t i = k; i < m; i++) a[i * n + j] -= s * v[i * n + k];
    }
    double rkk = a[k * n + k];
    sign[k] = rkk > 0.0 ? 1.0 : (rkk < 0.0 ? -1.0 : 0.0);
  }
  // Q = H_0 ... H_{n-1} applied to the first n columns of the identity.
  for (size_t j = 0; j < n; j++) q[j * n + j] = 1.0;
  for (size_t k = n; k-- > 0;) {
    for (size_t j = 0; j < n; j++) {
      double s = 0.0;
      for (size_t i = k; i < m; i++) s += v[i * n + k] * q[i * n + j];
      s = s * tau[k];
      for (size_t i = k; i < m; i++) q[i * n + j] -= s * v[i * n + k];
    }
  }
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++) {
      float val = static_cast<float>(q[i * n + j] * sign[j] * gain);
      if (wide) out[j * cols + i] = val;
      else out[i * cols + j] = val;
    }
}

}  // namespace

void fill_qr(QrKernels& k) { k.orthogonal = orthogonal; }

}  // namespace DF_ISA
}  // namespace df
