// Activation functions, forward and backward, elementwise. The transcendental
// ones evaluate the shared double-precision functions (mathfn.h) on the float
// input and round once; derivatives that PyTorch writes in terms of the output
// use float operations in PyTorch's order. The TS reference
// (src/reference/activation.ts) performs the same operations.
#include "isa.h"
#include "mathfn.h"

namespace df {
namespace DF_ISA {
namespace {

constexpr double SQRT1_2 = 0.70710678118654752440;
// d/dx Phi(x) = exp(-x^2/2) * GELU_BETA, with PyTorch's constant M_2_SQRTPI * M_SQRT1_2 * 0.5.
constexpr double GELU_BETA = 1.12837916709551257390 * 0.70710678118654752440 * 0.5;

void forward(int kind, const float* DF_RESTRICT x, float* DF_RESTRICT y, size_t n, double slope_d) {
  const float slope = static_cast<float>(slope_d);
  switch (kind) {
    case ACT_RELU:  // -0 and NaN pass through, as torch.relu
      for (size_t i = 0; i < n; i++) y[i] = x[i] < 0.0f ? 0.0f : x[i];
      break;
    case ACT_LEAKY_RELU:
      for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : x[i] * slope;
      break;
    case ACT_TANH:
      for (size_t i = 0; i < n; i++) y[i] = static_cast<float>(mathfn::tanh(x[i]));
      break;
    case ACT_SIGMOID:
      for (size_t i = 0; i < n; i++) y[i] = static_cast<float>(mathfn::sigmoid(x[i]));
      break;
    case ACT_GELU:
      for (size_t i = 0; i < n; i++) {
        double v = x[i];
        y[i] = static_cast<float>(v * 0.5 * (1.0 + mathfn::erf(v * SQRT1_2)));
      }
      break;
    default: break;
  }
}

void backward(int kind, const float* DF_RESTRICT x, const float* DF_RESTRICT y, const float* DF_RESTRICT gy,
              float* DF_RESTRICT gx, size_t n, double slope_d) {
  const float slope = static_cast<float>(slope_d);
  switch (kind) {
    case ACT_RELU:  // PyTorch's threshold_backward on the output: y <= 0 blocks, NaN passes
      for (size_t i = 0; i < n; i++) gx[i] = y[i] <= 0.0f ? 0.0f : gy[i];
      break;
    case ACT_LEAKY_RELU:
      for (size_t i = 0; i < n; i++) gx[i] = x[i] > 0.0f ? gy[i] : gy[i] * slope;
      break;
    case ACT_TANH:
      for (size_t i = 0; i < n; i++) {
        float yy = y[i] * y[i];
        float d = 1.0f - yy;
        gx[i] = gy[i] * d;
      }
      break;
    case ACT_SIGMOID:
      for (size_t i = 0; i < n; i++) {
        float d = 1.0f - y[i];
        float g = gy[i] * d;
        gx[i] = g * y[i];
      }
      break;
    case ACT_GELU:
      for (size_t i = 0; i < n; i++) {
        double v = x[i];
        double cdf = 0.5 * (1.0 + mathfn::erf(v * SQRT1_2));
        double pdf = mathfn::exp(v * v * -0.5) * GELU_BETA;
        gx[i] = static_cast<float>(static_cast<double>(gy[i]) * (cdf + v * pdf));
      }
      break;
    default: break;
  }
}

}  // namespace

void fill_activation(ActivationKernels& k) {
  k.forward = forward;
  k.backward = backward;
}

}  // namespace DF_ISA
}  // namespace df
