// Bindings for GEMM (threaded over rectangles of C), the bias-gradient column
// sums, and the FMA peak probe the benchmark compares against.
#include "binding.h"

namespace df {
namespace {

bool flag(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

// a * b, or a RangeError if it does not fit (a crash guard for huge dims).
size_t product(const Napi::CallbackInfo& info, size_t a, size_t b) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Napi::RangeError::New(info.Env(), "matrix dimensions are too large");
  return r;
}

// Splits C [m,n] into rectangles for the pool: each rectangle packs its own
// slices of A and B, so they are as large as possible, just enough for two per
// thread (the pool balances them dynamically), cutting the longer side in half
// each time at micro-tile multiples. The split never changes the result (each
// element's k order is fixed), only the speed.
void run_blocks(size_t m, size_t n, size_t k, const std::function<void(size_t, size_t, size_t, size_t)>& fn) {
  const GemmKernels& g = K().gemm;
  size_t threads = static_cast<size_t>(get_threads());
  double flops = 2.0 * m * n * k;
  if (threads <= 1 || flops < 4e6) {
    fn(0, m, 0, n);
    return;
  }
  size_t row_units = (m + g.mr - 1) / g.mr, col_units = (n + g.nr - 1) / g.nr;
  size_t rb = 1, cb = 1;
  while (rb * cb < 2 * threads) {
    bool rows_can = row_units / rb >= 2, cols_can = col_units / cb >= 2;
    if (rows_can && (!cols_can || m / rb >= n / cb)) rb *= 2;
    else if (cols_can) cb *= 2;
    else break;
  }
  size_t mb = (row_units + rb - 1) / rb * g.mr, nb = (col_units + cb - 1) / cb * g.nr;
  rb = (m + mb - 1) / mb;
  cb = (n + nb - 1) / nb;
  parallel_for(rb * cb, [&](size_t t) {
    size_t i0 = (t / cb) * mb, j0 = (t % cb) * nb;
    fn(i0, std::min(m, i0 + mb), j0, std::min(n, j0 + nb));
  });
}

// gemm(transA, transB, m, n, k, a, b, c, accumulate)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  bool ta = flag(info, 0, "transA"), tb = flag(info, 1, "transB");
  size_t m = count(info, 2, "m"), n = count(info, 3, "n"), k = count(info, 4, "k");
  Span a = f32(info, 5, "a"), b = f32(info, 6, "b"), c = f32(info, 7, "c");
  bool acc = flag(info, 8, "accumulate");
  require_len(info, a, product(info, m, k), "a");
  require_len(info, b, product(info, k, n), "b");
  require_len(info, c, product(info, m, n), "c");
  auto fn = K().gemm.sgemm_block;
  run_blocks(m, n, k, [&](size_t i0, size_t i1, size_t j0, size_t j1) {
    fn(ta, tb, m, n, k, a.data, b.data, c.data, acc, i0, i1, j0, j1);
  });
  return info.Env().Undefined();
}

// colSumAcc(x, m, n, out): out[j] += sum over rows of x[m,n], rows in order.
Napi::Value ColSumAcc(const Napi::CallbackInfo& info) {
  Span x = f32(info, 0, "x");
  size_t m = count(info, 1, "m"), n = count(info, 2, "n");
  Span out = f32(info, 3, "out");
  require_len(info, x, product(info, m, n), "x");
  require_len(info, out, n, "out");
  auto fn = K().gemm.col_sum_acc;
  // Columns are independent: split them when the work is large.
  if (product(info, m, n) < PAR_CHUNK * 2 || n < 64) fn(x.data, m, n, out.data, 0, n);
  else parallel_range(n, [&](size_t lo, size_t hi) { fn(x.data, m, n, out.data, lo, hi); });
  return info.Env().Undefined();
}

// fmaPeak(iters, allThreads): flops done by the register-only FMA loop, on
// this thread alone, or spread over the pool in many small pieces (the pool
// hands pieces out dynamically, so flops / wall time is the aggregate rate).
Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  size_t iters = count(info, 0, "iters");
  bool all = flag(info, 1, "allThreads");
  auto fn = K().gemm.fma_peak;
  size_t pieces = all ? static_cast<size_t>(get_threads()) * 8 : 1;
  std::vector<float> sink(pieces * 16);
  std::vector<double> flops(pieces);
  size_t per = all ? std::max<size_t>(1, iters / 8) : iters;
  if (pieces == 1) flops[0] = fn(per, sink.data());
  else parallel_for(pieces, [&](size_t t) { flops[t] = fn(per, sink.data() + t * 16); });
  double total = 0;
  for (double f : flops) total += f;
  return Napi::Number::New(info.Env(), total);
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("colSumAcc", Napi::Function::New(env, ColSumAcc));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak));
}

}  // namespace
DF_REGISTER_BINDING(gemm, Register);
}  // namespace df
