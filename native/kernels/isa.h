// Included by every file in native/kernels/. Those files are compiled once per
// instruction set with DF_ISA set to its name (scalar, avx2, avx512, neon), so
// each build lands in its own namespace df::<isa> and the tables never clash.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "table.h"

#ifndef DF_ISA
#error "native/kernels/*.cc are compiled once per ISA with -DDF_ISA=<name>"
#endif

#define DF_RESTRICT __restrict__

namespace df {
namespace DF_ISA {

// Bytes in the widest vector register of the ISA this file is built for.
#if defined(__AVX512F__)
constexpr size_t VEC_BYTES = 64;
#elif defined(__AVX__)
constexpr size_t VEC_BYTES = 32;
#else
constexpr size_t VEC_BYTES = 16;  // SSE2, NEON
#endif

// The fixed reduction order of table.h, for one chunk of at most REDUCE_CHUNK
// elements: element i goes to double lane (i mod 8). f(i) gives the term.
template <class F>
inline double lane8_sum(size_t n, F f) {
  double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) l[j] += f(i + j);
  for (int j = 0; i + j < n; j++) l[j] += f(i + j);
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// Every kernel family declares its entry points here, one fill function per
// family; table.cc calls them all.
void fill_memory(MemoryKernels& k);
void fill_clip(ClipKernels& k);
void fill_optim(OptimKernels& k);
void fill_mathfn(MathKernels& k);
void fill_random(RandomKernels& k);
void fill_qr(QrKernels& k);
void fill_batchnorm(BatchNormKernels& k);
void fill_gemm(GemmKernels& k);
void fill_activation(ActivationKernels& k);
void fill_loss(LossKernels& k);

}  // namespace DF_ISA
}  // namespace df
