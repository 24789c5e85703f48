// Bindings for the loss kernels. Per-row (cross-entropy) or per-chunk (MSE)
// partial sums are added in the fixed reduction order, so the loss never
// depends on the thread count.
#include "binding.h"

namespace df {
namespace {

// crossEntropy(x, labels, n, c, labelSmoothing, grad) -> mean loss (double)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Span x = f32(info, 0, "x");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, "labels must be an Int32Array");
  auto labels = info[1].As<Napi::Int32Array>();
  size_t n = count(info, 2, "n"), c = count(info, 3, "c");
  double eps = num(info, 4, "labelSmoothing");
  Span grad = f32(info, 5, "grad");
  size_t nc;
  if (__builtin_mul_overflow(n, c, &nc)) throw Napi::RangeError::New(env, "n * c is too large");
  require_len(info, x, nc, "x"); require_len(info, grad, nc, "grad");
  if (labels.ElementLength() < n) throw Napi::RangeError::New(env, "labels is shorter than n");
  // The labels index the rows, so they are read once, into a private copy that
  // is checked and then used: a SharedArrayBuffer can change under us (another
  // thread's Atomics.store), and a label checked in place could be out of range
  // by the time the kernel reads it. Relaxed atomic loads make that concurrent
  // read well defined; each label is whichever value was there at its load.
  const int32_t* src = labels.Data();
  std::vector<int32_t> lab_copy(n);
  for (size_t r = 0; r < n; r++) {
    int32_t y = __atomic_load_n(src + r, __ATOMIC_RELAXED);
    if (y < 0 || static_cast<size_t>(y) >= c) throw Napi::RangeError::New(env, "label out of range [0, c)");
    lab_copy[r] = y;
  }
  const int32_t* lab = lab_copy.data();
  std::vector<double> row_loss(n);
  auto rows = K().loss.cross_entropy_rows;
  double inv_n = 1.0 / static_cast<double>(n);
  // Rows are independent; pieces of about PAR_CHUNK elements.
  size_t per = std::max<size_t>(1, PAR_CHUNK / std::max<size_t>(c, 1));
  size_t pieces = (n + per - 1) / per;
  auto piece = [&](size_t p) {
    rows(x.data, lab, p * per, std::min(n, (p + 1) * per), c, eps, inv_n, grad.data, row_loss.data());
  };
  if (pieces <= 1 || get_threads() <= 1) for (size_t p = 0; p < pieces; p++) piece(p);
  else parallel_for(pieces, piece);
  auto sum = K().loss.sum_f64;
  double total = reduce_fixed(n, [&](size_t lo, size_t hi) { return sum(row_loss.data() + lo, hi - lo); });
  return Napi::Number::New(env, total / static_cast<double>(n));
}

// mse(x, t, n, scale, grad) -> mean loss (double); grad = (x - t) * scale
Napi::Value Mse(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x"), t = f32(info, 1, "target");
  size_t n = count(info, 2, "n");
  double scale = num(info, 3, "scale");
  Span grad = f32(info, 4, "grad");
  require_len(info, x, n, "x"); require_len(info, t, n, "target"); require_len(info, grad, n, "grad");
  auto fn = K().loss.mse_chunk;
  double total = reduce_fixed(n, [&](size_t lo, size_t hi) {
    return fn(x.data + lo, t.data + lo, grad.data + lo, hi - lo, scale);
  });
  return Napi::Number::New(info.Env(), total / static_cast<double>(n));
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("crossEntropy", Napi::Function::New(env, CrossEntropy));
  exports.Set("mse", Napi::Function::New(env, Mse));
}

}  // namespace
DF_REGISTER_BINDING(loss, Register);
}  // namespace df
