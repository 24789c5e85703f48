// One KernelTable per ISA, built from every family's fill function.
#include "isa.h"

#define DF_STR2(x) #x
#define DF_STR(x) DF_STR2(x)

namespace df {
namespace DF_ISA {

const KernelTable* table() {
  static const KernelTable t = [] {
    KernelTable k{};
    k.isa = DF_STR(DF_ISA);
    fill_memory(k.memory);
    fill_clip(k.clip);
    fill_optim(k.optim);
    fill_mathfn(k.math);
    fill_random(k.random);
    fill_qr(k.qr);
    fill_batchnorm(k.batchnorm);
    fill_gemm(k.gemm);
    fill_activation(k.activation);
    fill_loss(k.loss);
    return k;
  }();
  return &t;
}

}  // namespace DF_ISA
}  // namespace df
