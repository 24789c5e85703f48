// Bindings for the memory kernels (bandwidth ceilings, copy, read pass).
#include "binding.h"

namespace df {
namespace {

// touch4(a, b, c, d, n): the AdamW-traffic ceiling.
Napi::Value Touch4(const Napi::CallbackInfo& info) {
  Span a = f32(info, 0, "a"), b = f32(info, 1, "b"), c = f32(info, 2, "c"), d = f32(info, 3, "d");
  size_t n = count(info, 4, "n");
  require_len(info, a, n, "a"); require_len(info, b, n, "b");
  require_len(info, c, n, "c"); require_len(info, d, n, "d");
  auto fn = K().memory.touch4;
  parallel_range(n, [&](size_t lo, size_t hi) { fn(a.data + lo, b.data + lo, c.data + lo, d.data + lo, hi - lo); });
  return info.Env().Undefined();
}

// addressMod(x): the address of x's first element modulo 4096, for the
// allocation helper (src/alloc.ts), which aligns and staggers large arrays.
Napi::Value AddressMod(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x");
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(x.data) % 4096));
}

// copy(dst, src, n)
Napi::Value Copy(const Napi::CallbackInfo& info) {
  Span d = f32(info, 0, "dst"), s = f32(info, 1, "src");
  size_t n = count(info, 2, "n");
  require_len(info, d, n, "dst"); require_len(info, s, n, "src");
  auto fn = K().memory.copy;
  parallel_range(n, [&](size_t lo, size_t hi) { fn(d.data + lo, s.data + lo, hi - lo); });
  return info.Env().Undefined();
}

// readSum(x, n): one read pass, in the fixed reduction order.
Napi::Value ReadSum(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x");
  size_t n = count(info, 1, "n");
  require_len(info, x, n, "x");
  auto fn = K().memory.read_sum;
  return Napi::Number::New(info.Env(), reduce_fixed(n, [&](size_t lo, size_t hi) { return fn(x.data + lo, hi - lo); }));
}

// allFinite(list, l): whether every array of list l holds only finite values.
Napi::Value AllFinite(const Napi::CallbackInfo& info) {
  TensorList& L = tensor_list(info, 0);
  size_t l = count(info, 1, "list index");
  if (l >= L.lists) throw Napi::RangeError::New(info.Env(), "list index out of range");
  auto fn = K().memory.all_finite;
  std::atomic<int> ok{1};
  L.for_each([&](size_t t, size_t b, size_t e) {
    if (!fn(L.at(l, t) + b, e - b)) ok.store(0);
  });
  return Napi::Boolean::New(info.Env(), ok.load() != 0);
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("touch4", Napi::Function::New(env, Touch4));
  exports.Set("addressMod", Napi::Function::New(env, AddressMod));
  exports.Set("copy", Napi::Function::New(env, Copy));
  exports.Set("readSum", Napi::Function::New(env, ReadSum));
  exports.Set("allFinite", Napi::Function::New(env, AllFinite));
}

}  // namespace
DF_REGISTER_BINDING(memory, Register);
}  // namespace df
