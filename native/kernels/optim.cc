// Optimizer steps: one contiguous range of one tensor, updated in place.
//
// Every operation is one IEEE float32 operation in PyTorch 1.13's order
// (torch/optim/*.py, single-tensor path), so the TS reference in
// src/reference/optim.ts computes the same bits. PyTorch's own CPU kernels fuse
// some of these into FMAs; we never do (-ffp-contract=off), which is why the
// PyTorch fixtures are compared with a few-ulp tolerance.
//
// The flags become template parameters, so each variant is a branch-free loop
// the compiler vectorizes for the ISA this file is built for.
#include <limits>
#include <type_traits>

#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

// Turns runtime bools into std::true_type / std::false_type arguments of f.
template <class F>
void specialize(F&& f) {
  f();
}
template <class F, class... Bools>
void specialize(F&& f, bool b, Bools... rest) {
  if (b) specialize([&](auto... c) { f(std::true_type{}, c...); }, rest...);
  else specialize([&](auto... c) { f(std::false_type{}, c...); }, rest...);
}

// Every stored result goes through canon(): a NaN's sign and payload depend on
// which operand the hardware propagates, and compilers may reorder operands
// (e.g. -a + b into b - a), so NaNs are written as the one quiet NaN 0x7fc00000
// on every ISA and in the reference. NaN still propagates as in PyTorch.
inline float canon(float x) { return x != x ? std::numeric_limits<float>::quiet_NaN() : x; }

// torch.maximum: NaN in either operand gives NaN (selected, so its bits carry).
inline float nan_max(float kept, float candidate) {
  return (candidate > kept || candidate != candidate) ? candidate : kept;
}

// exp_avg = exp_avg*beta1 + (1-beta1)*g; exp_avg_sq = exp_avg_sq*beta2 + ((1-beta2)*g)*g
// (addcmul); denom = sqrt(v)/sqrt(bc2) + eps; p = p + (-step_size*exp_avg)/denom (addcdiv).
template <bool MAX, bool WD, bool DEC, bool AMS>
void adam_loop(const AdamArgs& a, float* DF_RESTRICT p, const float* DF_RESTRICT g, float* DF_RESTRICT m,
               float* DF_RESTRICT v, float* DF_RESTRICT vmax, size_t n) {
  const float b1 = a.beta1, omb1 = a.one_minus_beta1, b2 = a.beta2, omb2 = a.one_minus_beta2;
  const float eps = a.eps, wd = a.weight_decay, scale = a.decay_scale;
  const float nss = a.neg_step_size, bc2s = a.bias_correction2_sqrt;
  for (size_t i = 0; i < n; i++) {
    float pi = p[i];
    if constexpr (DEC) pi = pi * scale;
    float gi = MAX ? -g[i] : g[i];
    if constexpr (WD) gi = gi + wd * pi;
    float mi = m[i] * b1 + omb1 * gi;
    float vi = v[i] * b2 + (omb2 * gi) * gi;
    m[i] = canon(mi);
    v[i] = canon(vi);
    if constexpr (AMS) {
      vi = nan_max(vmax[i], vi);
      vmax[i] = canon(vi);
    }
    float denom = std::sqrt(vi) / bc2s + eps;
    p[i] = canon(pi + (nss * mi) / denom);
  }
}

void adam(const AdamArgs& a, float* p, const float* g, float* m, float* v, float* vmax, size_t n) {
  specialize(
      [&](auto mx, auto wd, auto dec, auto ams) {
        adam_loop<decltype(mx)::value, decltype(wd)::value, decltype(dec)::value, decltype(ams)::value>(a, p, g, m, v,
                                                                                                       vmax, n);
      },
      (a.flags & OPT_MAXIMIZE) != 0, (a.flags & OPT_WEIGHT_DECAY) != 0, (a.flags & OPT_DECOUPLED) != 0,
      (a.flags & OPT_AMSGRAD) != 0);
}

// d = g (+ wd*p); buf = first ? d : buf*momentum + (1-dampening)*d;
// d = nesterov ? d + momentum*buf : buf; p = p + (-lr)*d.
template <bool MAX, bool WD, bool MOM, bool NES, bool FIRST>
void sgd_loop(const SgdArgs& a, float* DF_RESTRICT p, const float* DF_RESTRICT g, float* DF_RESTRICT buf, size_t n) {
  const float nlr = a.neg_lr, wd = a.weight_decay, mom = a.momentum, omd = a.one_minus_dampening;
  for (size_t i = 0; i < n; i++) {
    float pi = p[i];
    float d = MAX ? -g[i] : g[i];
    if constexpr (WD) d = d + wd * pi;
    if constexpr (MOM) {
      float b = FIRST ? d : buf[i] * mom + omd * d;
      buf[i] = canon(b);
      d = NES ? d + mom * b : b;
    }
    p[i] = canon(pi + nlr * d);
  }
}

void sgd(const SgdArgs& a, float* p, const float* g, float* buf, size_t n) {
  const bool mom = (a.flags & OPT_MOMENTUM) != 0;
  specialize(
      [&](auto mx, auto wd, auto mo, auto nes, auto first) {
        sgd_loop<decltype(mx)::value, decltype(wd)::value, decltype(mo)::value, decltype(nes)::value,
                 decltype(first)::value>(a, p, g, buf, n);
      },
      (a.flags & OPT_MAXIMIZE) != 0, (a.flags & OPT_WEIGHT_DECAY) != 0, mom, mom && (a.flags & OPT_NESTEROV) != 0,
      mom && a.first);
}

// sq = sq*alpha + ((1-alpha)*g)*g; centered: ga = ga*alpha + (1-alpha)*g,
// avg = sqrt(sq - ga*ga) (addcmul, value -1, fused); else avg = sqrt(sq); avg += eps.
// momentum: buf = buf*momentum + g/avg, p = p + (-lr)*buf; else p = p + (-lr*g)/avg.
template <bool MAX, bool WD, bool CEN, bool MOM>
void rmsprop_loop(const RmspropArgs& a, float* DF_RESTRICT p, const float* DF_RESTRICT g, float* DF_RESTRICT sq,
                  float* DF_RESTRICT gavg, float* DF_RESTRICT buf, size_t n) {
  const float nlr = a.neg_lr, al = a.alpha, oma = a.one_minus_alpha, eps = a.eps, wd = a.weight_decay;
  const float mom = a.momentum;
  for (size_t i = 0; i < n; i++) {
    float pi = p[i];
    float gi = MAX ? -g[i] : g[i];
    if constexpr (WD) gi = gi + wd * pi;
    float s = sq[i] * al + (oma * gi) * gi;
    sq[i] = canon(s);
    float avg;
    if constexpr (CEN) {
      float ga = gavg[i] * al + oma * gi;
      gavg[i] = canon(ga);
      // PyTorch's addcmul here is a fused multiply-add: ga*ga never overflows
      // on its own, so an Inf square_avg stays Inf (not Inf-Inf = NaN). Double
      // holds ga*ga exactly, which gives the same result without FMA hardware.
      avg = std::sqrt(static_cast<float>(static_cast<double>(s) - static_cast<double>(ga) * static_cast<double>(ga)));
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + eps;
    if constexpr (MOM) {
      float b = buf[i] * mom + gi / avg;
      buf[i] = canon(b);
      p[i] = canon(pi + nlr * b);
    } else {
      p[i] = canon(pi + (nlr * gi) / avg);
    }
  }
}

void rmsprop(const RmspropArgs& a, float* p, const float* g, float* sq, float* gavg, float* buf, size_t n) {
  specialize(
      [&](auto mx, auto wd, auto cen, auto mom) {
        rmsprop_loop<decltype(mx)::value, decltype(wd)::value, decltype(cen)::value, decltype(mom)::value>(
            a, p, g, sq, gavg, buf, n);
      },
      (a.flags & OPT_MAXIMIZE) != 0, (a.flags & OPT_WEIGHT_DECAY) != 0, (a.flags & OPT_CENTERED) != 0,
      (a.flags & OPT_MOMENTUM) != 0);
}

// sum = sum + g*g (addcmul, value 1); std = sqrt(sum) + eps; p = p + (-clr*g)/std.
template <bool MAX, bool WD>
void adagrad_loop(const AdagradArgs& a, float* DF_RESTRICT p, const float* DF_RESTRICT g, float* DF_RESTRICT sum,
                  size_t n) {
  const float wd = a.weight_decay, eps = a.eps, nclr = a.neg_clr;
  for (size_t i = 0; i < n; i++) {
    float pi = p[i];
    float gi = MAX ? -g[i] : g[i];
    if constexpr (WD) gi = gi + wd * pi;
    float s = sum[i] + gi * gi;
    sum[i] = canon(s);
    float sd = std::sqrt(s) + eps;
    p[i] = canon(pi + (nclr * gi) / sd);
  }
}

void adagrad(const AdagradArgs& a, float* p, const float* g, float* sum, size_t n) {
  specialize([&](auto mx, auto wd) { adagrad_loop<decltype(mx)::value, decltype(wd)::value>(a, p, g, sum, n); },
             (a.flags & OPT_MAXIMIZE) != 0, (a.flags & OPT_WEIGHT_DECAY) != 0);
}

}  // namespace

void fill_optim(OptimKernels& k) {
  k.adam = adam;
  k.sgd = sgd;
  k.rmsprop = rmsprop;
  k.adagrad = adagrad;
}

}  // namespace DF_ISA
}  // namespace df
