// Bindings for the batch-norm kernels (kernels/batchnorm.cc) on [N, C, L].
// Sums split channels over threads, elementwise passes split rows; each
// channel's sum is computed whole by one thread in the fixed order, so results
// never depend on the thread count.
#include "binding.h"

namespace df {
namespace {

// Outputs from this size on are written with non-temporal stores (the kernel's
// `stream`): far larger than a core's share of the last-level cache, they
// would be evicted before use, and streaming saves reading them in first.
constexpr size_t STREAM_MIN_BYTES = 8u << 20;

struct Shape {
  size_t N, C, L, total;
};

Shape shape(const Napi::CallbackInfo& info, size_t i) {
  Shape s{count(info, i, "N"), count(info, i + 1, "C"), count(info, i + 2, "L"), 0};
  double total = static_cast<double>(s.N) * static_cast<double>(s.C) * static_cast<double>(s.L);
  if (total > 9007199254740991.0) throw Napi::RangeError::New(info.Env(), "N * C * L is too large");
  s.total = s.N * s.C * s.L;
  return s;
}

double* f64(const Napi::CallbackInfo& info, size_t i, const char* what, size_t need) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  if (a.ElementLength() < need) throw Napi::RangeError::New(info.Env(), std::string(what) + " is shorter than C");
  return a.Data();
}

const float* input(const Napi::CallbackInfo& info, size_t i, const char* what, const Shape& s) {
  Span x = f32(info, i, what);
  require_len(info, x, s.total, what);
  return x.data;
}

// Channel ranges for the sums: blocks of 64 channels when L = 1 (the kernel's
// channel block), single channels otherwise.
void over_channels(const Shape& s, const std::function<void(size_t, size_t)>& fn) {
  size_t unit = s.L == 1 ? 64 : 1;
  size_t units = (s.C + unit - 1) / unit;
  size_t tasks = std::min(units, static_cast<size_t>(get_threads()) * 4);
  if (s.total < PAR_CHUNK || tasks <= 1 || get_threads() <= 1) {
    if (s.C) fn(0, s.C);
    return;
  }
  parallel_for(tasks, [&](size_t t) {
    size_t b = units * t / tasks * unit, e = std::min(s.C, units * (t + 1) / tasks * unit);
    if (e > b) fn(b, e);
  });
}

// Row ranges for the elementwise passes: rows of C values (L = 1) or (n, c) rows of L.
void over_rows(const Shape& s, const std::function<void(size_t, size_t)>& fn) {
  size_t rows = s.L == 1 ? s.N : s.N * s.C, len = s.L == 1 ? s.C : s.L;
  if (rows == 0 || len == 0) return;
  size_t per = std::max<size_t>(1, PAR_CHUNK / len);
  size_t pieces = (rows + per - 1) / per;
  if (pieces <= 1 || get_threads() <= 1) {
    fn(0, rows);
    return;
  }
  parallel_for(pieces, [&](size_t p) { fn(p * per, std::min(rows, (p + 1) * per)); });
}

// bnStats(x, N, C, L, sum, sumsq)
Napi::Value BnStats(const Napi::CallbackInfo& info) {
  Shape s = shape(info, 1);
  const float* x = input(info, 0, "x", s);
  double* sum = f64(info, 4, "sum", s.C);
  double* sumsq = f64(info, 5, "sumsq", s.C);
  auto fn = K().batchnorm.stats;
  over_channels(s, [&](size_t c0, size_t c1) { fn(x, s.N, s.C, s.L, c0, c1, sum, sumsq); });
  return info.Env().Undefined();
}

// bnBackwardSums(g, x, N, C, L, mean, sumG, sumGx)
Napi::Value BnBackwardSums(const Napi::CallbackInfo& info) {
  Shape s = shape(info, 2);
  const float* g = input(info, 0, "g", s);
  const float* x = input(info, 1, "x", s);
  const double* mean = f64(info, 5, "mean", s.C);
  double* sg = f64(info, 6, "sumG", s.C);
  double* sgx = f64(info, 7, "sumGx", s.C);
  auto fn = K().batchnorm.backward_sums;
  over_channels(s, [&](size_t c0, size_t c1) { fn(g, x, s.N, s.C, s.L, c0, c1, mean, sg, sgx); });
  return info.Env().Undefined();
}

// bnApply(x, y, N, C, L, alpha: Float32Array, beta: Float32Array)
Napi::Value BnApply(const Napi::CallbackInfo& info) {
  Shape s = shape(info, 2);
  const float* x = input(info, 0, "x", s);
  float* y = const_cast<float*>(input(info, 1, "y", s));
  Span alpha = f32(info, 5, "alpha"), beta = f32(info, 6, "beta");
  require_len(info, alpha, s.C, "alpha");
  require_len(info, beta, s.C, "beta");
  // An output this large leaves the caches anyway: stream it to memory.
  int stream = s.total * sizeof(float) >= STREAM_MIN_BYTES ? 1 : 0;
  auto fn = K().batchnorm.apply;
  over_rows(s, [&](size_t r0, size_t r1) { fn(x, y, r0, r1, s.C, s.L, alpha.data, beta.data, stream); });
  return info.Env().Undefined();
}

// bnBackwardApply(g, x, dx, N, C, L, mean, k1, k2, k3, train)
Napi::Value BnBackwardApply(const Napi::CallbackInfo& info) {
  Shape s = shape(info, 3);
  const float* g = input(info, 0, "g", s);
  const float* x = input(info, 1, "x", s);
  float* dx = const_cast<float*>(input(info, 2, "dx", s));
  const double* mean = f64(info, 6, "mean", s.C);
  const double* k1 = f64(info, 7, "k1", s.C);
  const double* k2 = f64(info, 8, "k2", s.C);
  const double* k3 = f64(info, 9, "k3", s.C);
  if (!info[10].IsBoolean()) throw Napi::TypeError::New(info.Env(), "train must be a boolean");
  int train = info[10].As<Napi::Boolean>().Value() ? 1 : 0;
  auto fn = K().batchnorm.backward_apply;
  over_rows(s, [&](size_t r0, size_t r1) { fn(g, x, dx, r0, r1, s.C, s.L, mean, k1, k2, k3, train); });
  return info.Env().Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("bnStats", Napi::Function::New(env, BnStats));
  exports.Set("bnBackwardSums", Napi::Function::New(env, BnBackwardSums));
  exports.Set("bnApply", Napi::Function::New(env, BnApply));
  exports.Set("bnBackwardApply", Napi::Function::New(env, BnBackwardApply));
}

}  // namespace
DF_REGISTER_BINDING(batchnorm, Register);
}  // namespace df
