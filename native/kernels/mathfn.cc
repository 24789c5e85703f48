// Evaluates the shared elementary functions over arrays: used by the parity
// tests (every ISA against the TS reference) and by `deepfit verify`.
#include "isa.h"
#include "mathfn.h"

namespace df {
namespace DF_ISA {
namespace {

void eval(int fn, const double* x, double* y, size_t n) {
  switch (fn) {
    case MATH_EXP: for (size_t i = 0; i < n; i++) y[i] = mathfn::exp(x[i]); break;
    case MATH_EXPM1: for (size_t i = 0; i < n; i++) y[i] = mathfn::expm1(x[i]); break;
    case MATH_LOG: for (size_t i = 0; i < n; i++) y[i] = mathfn::log(x[i]); break;
    case MATH_TANH: for (size_t i = 0; i < n; i++) y[i] = mathfn::tanh(x[i]); break;
    case MATH_SIGMOID: for (size_t i = 0; i < n; i++) y[i] = mathfn::sigmoid(x[i]); break;
    case MATH_ERF: for (size_t i = 0; i < n; i++) y[i] = mathfn::erf(x[i]); break;
    case MATH_ERFINV: for (size_t i = 0; i < n; i++) y[i] = mathfn::erfinv(x[i]); break;
    case MATH_SIN2PI: for (size_t i = 0; i < n; i++) { double c; mathfn::sincos2pi(x[i], &y[i], &c); } break;
    case MATH_COS2PI: for (size_t i = 0; i < n; i++) { double s; mathfn::sincos2pi(x[i], &s, &y[i]); } break;
    default: break;
  }
}

}  // namespace

void fill_mathfn(MathKernels& k) { k.eval = eval; }

}  // namespace DF_ISA
}  // namespace df
