// Bindings for the random kernels (kernels/random.cc). A stream arrives as
// (seedLo, seedHi, offset): the 64-bit seed in two 32-bit halves and the
// offset in blocks (an integer below 2^53). Threads split calls by element
// index, which the kernels use to pick their words, so the thread count never
// changes a value.
#include "binding.h"

namespace df {
namespace {

template <class T, napi_typedarray_type Type>
T* typed(const Napi::CallbackInfo& info, size_t i, const char* what, const char* kind, size_t need) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != Type)
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a " + kind);
  auto a = v.As<Napi::TypedArrayOf<T>>();
  if (a.ElementLength() < need) throw Napi::RangeError::New(info.Env(), std::string(what) + " is too short");
  return a.Data();
}

uint32_t word(const Napi::CallbackInfo& info, size_t i, const char* what) {
  size_t v = count(info, i, what);
  if (v > 0xffffffffu) throw Napi::RangeError::New(info.Env(), std::string(what) + " must be a 32-bit unsigned integer");
  return static_cast<uint32_t>(v);
}

PhiloxStream stream(const Napi::CallbackInfo& info, size_t i) {
  return PhiloxStream{word(info, i, "seedLo"), word(info, i + 1, "seedHi"), count(info, i + 2, "offset")};
}

// philox(ctr: Uint32Array(4), key: Uint32Array(2), out: Uint32Array(4))
Napi::Value Philox(const Napi::CallbackInfo& info) {
  const uint32_t* ctr = typed<uint32_t, napi_uint32_array>(info, 0, "ctr", "Uint32Array", 4);
  const uint32_t* key = typed<uint32_t, napi_uint32_array>(info, 1, "key", "Uint32Array", 2);
  uint32_t* out = typed<uint32_t, napi_uint32_array>(info, 2, "out", "Uint32Array", 4);
  K().random.philox(ctr, key, out);
  return info.Env().Undefined();
}

// The fills share their head: (out, n, seedLo, seedHi, offset, ...params).
// fill(out_at_lo, count, lo, stream) runs one piece.
template <class Fill>
Napi::Value fill_call(const Napi::CallbackInfo& info, Fill fill) {
  Span out = f32(info, 0, "out");
  size_t n = count(info, 1, "n");
  require_len(info, out, n, "out");
  PhiloxStream s = stream(info, 2);
  parallel_range(n, [&](size_t lo, size_t hi) { fill(out.data + lo, hi - lo, lo, s); });
  return info.Env().Undefined();
}

// randUniform(out, n, seedLo, seedHi, offset, scale, shift)
Napi::Value RandUniform(const Napi::CallbackInfo& info) {
  float scale = static_cast<float>(num(info, 5, "scale")), shift = static_cast<float>(num(info, 6, "shift"));
  auto fn = K().random.uniform;
  return fill_call(info, [&](float* o, size_t m, size_t e0, PhiloxStream s) { fn(o, m, e0, s, scale, shift); });
}

// randNormal(out, n, seedLo, seedHi, offset, mean, std)
Napi::Value RandNormal(const Napi::CallbackInfo& info) {
  double mean = num(info, 5, "mean"), std = num(info, 6, "std");
  auto fn = K().random.normal;
  return fill_call(info, [&](float* o, size_t m, size_t e0, PhiloxStream s) { fn(o, m, e0, s, mean, std); });
}

// randTruncNormal(out, n, seedLo, seedHi, offset, lo, hi, mean, scale, a, b)
Napi::Value RandTruncNormal(const Napi::CallbackInfo& info) {
  double vlo = num(info, 5, "lo"), vhi = num(info, 6, "hi"), mean = num(info, 7, "mean"), scale = num(info, 8, "scale");
  float a = static_cast<float>(num(info, 9, "a")), b = static_cast<float>(num(info, 10, "b"));
  auto fn = K().random.trunc_normal;
  return fill_call(info, [&](float* o, size_t m, size_t e0, PhiloxStream s) { fn(o, m, e0, s, vlo, vhi, mean, scale, a, b); });
}

// dropoutForward(x, y, mask: Uint8Array, n, seedLo, seedHi, offset, keepBelow, scale)
Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x"), y = f32(info, 1, "y");
  size_t n = count(info, 3, "n");
  uint8_t* mask = typed<uint8_t, napi_uint8_array>(info, 2, "mask", "Uint8Array", (n + 7) / 8);
  require_len(info, x, n, "x");
  require_len(info, y, n, "y");
  PhiloxStream s = stream(info, 4);
  uint32_t keep_below = word(info, 7, "keepBelow");
  float scale = static_cast<float>(num(info, 8, "scale"));
  auto fn = K().random.dropout_forward;
  static_assert(PAR_CHUNK % 8 == 0, "dropout pieces must start on mask byte boundaries");
  parallel_range(n, [&](size_t lo, size_t hi) {
    fn(x.data + lo, y.data + lo, mask + lo / 8, hi - lo, lo, s, keep_below, scale);
  });
  return info.Env().Undefined();
}

// dropoutBackward(g, mask, gx, n, scale)
Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  Span g = f32(info, 0, "g"), gx = f32(info, 2, "gx");
  size_t n = count(info, 3, "n");
  const uint8_t* mask = typed<uint8_t, napi_uint8_array>(info, 1, "mask", "Uint8Array", (n + 7) / 8);
  require_len(info, g, n, "g");
  require_len(info, gx, n, "gx");
  float scale = static_cast<float>(num(info, 4, "scale"));
  auto fn = K().random.dropout_backward;
  parallel_range(n, [&](size_t lo, size_t hi) { fn(g.data + lo, mask + lo / 8, gx.data + lo, hi - lo, scale); });
  return info.Env().Undefined();
}

// orthogonal(x, rows, cols, gain, out): gain * Q of x (rows x cols).
Napi::Value Orthogonal(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x"), out = f32(info, 4, "out");
  size_t rows = count(info, 1, "rows"), cols = count(info, 2, "cols");
  if (cols && rows > SIZE_MAX / cols) throw Napi::RangeError::New(info.Env(), "rows * cols is too large");
  require_len(info, x, rows * cols, "x");
  require_len(info, out, rows * cols, "out");
  K().qr.orthogonal(x.data, rows, cols, num(info, 3, "gain"), out.data);
  return info.Env().Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("philox", Napi::Function::New(env, Philox));
  exports.Set("randUniform", Napi::Function::New(env, RandUniform));
  exports.Set("randNormal", Napi::Function::New(env, RandNormal));
  exports.Set("randTruncNormal", Napi::Function::New(env, RandTruncNormal));
  exports.Set("dropoutForward", Napi::Function::New(env, DropoutForward));
  exports.Set("dropoutBackward", Napi::Function::New(env, DropoutBackward));
  exports.Set("orthogonal", Napi::Function::New(env, Orthogonal));
}

}  // namespace
DF_REGISTER_BINDING(random, Register);
}  // namespace df
