// Bindings for the activation kernels, split over the pool in fixed pieces.
#include "binding.h"

namespace df {
namespace {

const char* const NAMES[] = {"relu", "leakyRelu", "tanh", "sigmoid", "gelu"};

int kind(const Napi::CallbackInfo& info, size_t i) {
  if (info[i].IsString()) {
    std::string s = info[i].As<Napi::String>().Utf8Value();
    for (int k = 0; k < ACT_COUNT; k++)
      if (s == NAMES[k]) return k;
  }
  throw Napi::RangeError::New(info.Env(), "activation must be one of relu, leakyRelu, tanh, sigmoid, gelu");
}

// Runs fn(begin, end) over [0, n) on the pool. The transcendental kinds cost
// tens to hundreds of nanoseconds an element, so they are cut into smaller
// pieces than PAR_CHUNK to use every thread on layer-sized inputs.
// Elementwise, so the split never changes a result.
void split(int k, size_t n, const std::function<void(size_t, size_t)>& fn) {
  if (k == ACT_RELU || k == ACT_LEAKY_RELU) return parallel_range(n, fn);
  constexpr size_t PIECE = 2048;
  size_t pieces = (n + PIECE - 1) / PIECE;
  if (pieces <= 1 || get_threads() <= 1) {
    if (n) fn(0, n);
    return;
  }
  parallel_for(pieces, [&](size_t p) { fn(p * PIECE, std::min(n, (p + 1) * PIECE)); });
}

// activationForward(kind, x, y, n, slope)
Napi::Value Forward(const Napi::CallbackInfo& info) {
  int k = kind(info, 0);
  Span x = f32(info, 1, "x"), y = f32(info, 2, "y");
  size_t n = count(info, 3, "n");
  double slope = num(info, 4, "slope");
  require_len(info, x, n, "x"); require_len(info, y, n, "y");
  auto fn = K().activation.forward;
  split(k, n, [&](size_t lo, size_t hi) { fn(k, x.data + lo, y.data + lo, hi - lo, slope); });
  return info.Env().Undefined();
}

// activationBackward(kind, x, y, gy, gx, n, slope)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  int k = kind(info, 0);
  Span x = f32(info, 1, "x"), y = f32(info, 2, "y"), gy = f32(info, 3, "gy"), gx = f32(info, 4, "gx");
  size_t n = count(info, 5, "n");
  double slope = num(info, 6, "slope");
  require_len(info, x, n, "x"); require_len(info, y, n, "y");
  require_len(info, gy, n, "gy"); require_len(info, gx, n, "gx");
  auto fn = K().activation.backward;
  split(k, n, [&](size_t lo, size_t hi) { fn(k, x.data + lo, y.data + lo, gy.data + lo, gx.data + lo, hi - lo, slope); });
  return info.Env().Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(NAMES) / sizeof(NAMES[0]) == ACT_COUNT, "one name per activation");
  exports.Set("activationForward", Napi::Function::New(env, Forward));
  exports.Set("activationBackward", Napi::Function::New(env, Backward));
}

}  // namespace
DF_REGISTER_BINDING(activation, Register);
}  // namespace df
