// Bindings for gradient clipping and the L2 penalty: one call covers every
// tensor of a TensorList.
//
// normPowSum combines results in a fixed order: each tensor is reduced on its
// own in the order of table.h (chunks of REDUCE_CHUNK counted from the
// tensor's first element); tensor sums are then added in list order starting
// from 0. The chunks run in parallel; neither the split nor the combination
// depends on the thread count.
#include <cmath>

#include "binding.h"

namespace df {
namespace {

size_t list_index(const Napi::CallbackInfo& info, const TensorList& L, size_t i, const char* what) {
  size_t l = count(info, i, what);
  if (l >= L.lists) throw Napi::RangeError::New(info.Env(), std::string(what) + " out of range");
  return l;
}

struct Piece {
  size_t tensor, begin, end;
};

// normPowSum(list, l, p): sum over list l of |x|^p (p = 1, 2 or any p > 0), or
// max |x| for p = Infinity. The caller takes the root.
Napi::Value NormPowSum(const Napi::CallbackInfo& info) {
  TensorList& L = tensor_list(info, 0);
  size_t l = list_index(info, L, 1, "list index");
  double p = num(info, 2, "p");
  if (!(p > 0)) throw Napi::RangeError::New(info.Env(), "p must be > 0");
  const ClipKernels& ck = K().clip;
  bool is_max = p == INFINITY;
  auto fn = is_max ? ck.max_abs : p == 1 ? ck.sum_abs : p == 2 ? ck.sum_sq : ck.sum_pow;

  std::vector<Piece> pieces;
  for (size_t t = 0; t < L.tensors; t++)
    for (size_t b = 0; b < L.len[t]; b += REDUCE_CHUNK) pieces.push_back({t, b, std::min(L.len[t], b + REDUCE_CHUNK)});
  std::vector<double> part(pieces.size());
  auto run = [&](size_t i) {
    const Piece& pc = pieces[i];
    part[i] = fn(L.at(l, pc.tensor) + pc.begin, pc.end - pc.begin, p);
  };
  if (L.total() <= PAR_CHUNK || get_threads() <= 1 || pieces.size() <= 1) {
    for (size_t i = 0; i < pieces.size(); i++) run(i);
  } else {
    // A few contiguous runs of pieces per thread: many small tensors cost one wake-up per run, not per tensor.
    size_t tasks = std::min(pieces.size(), static_cast<size_t>(get_threads()) * 4);
    parallel_for(tasks, [&](size_t k) {
      for (size_t i = pieces.size() * k / tasks; i < pieces.size() * (k + 1) / tasks; i++) run(i);
    });
  }

  double total = 0.0;
  if (is_max) {
    for (double v : part) total = (v != v || total != total) ? NAN : std::max(total, v);
    return Napi::Number::New(info.Env(), total);
  }
  size_t i = 0;
  for (size_t t = 0; t < L.tensors; t++) {
    double s = 0.0;
    for (; i < pieces.size() && pieces[i].tensor == t; i++) s += part[i];
    total += s;
  }
  return Napi::Number::New(info.Env(), total);
}

// scaleList(list, l, c): x *= float(c) over list l.
Napi::Value ScaleList(const Napi::CallbackInfo& info) {
  TensorList& L = tensor_list(info, 0);
  size_t l = list_index(info, L, 1, "list index");
  float c = static_cast<float>(num(info, 2, "c"));
  auto fn = K().clip.scale;
  L.for_each([&](size_t t, size_t b, size_t e) { fn(L.at(l, t) + b, e - b, c); });
  return info.Env().Undefined();
}

// clampList(list, l, lo, hi): x = clamp(x, float(lo), float(hi)) over list l.
Napi::Value ClampList(const Napi::CallbackInfo& info) {
  TensorList& L = tensor_list(info, 0);
  size_t l = list_index(info, L, 1, "list index");
  float lo = static_cast<float>(num(info, 2, "lo")), hi = static_cast<float>(num(info, 3, "hi"));
  auto fn = K().clip.clamp;
  L.for_each([&](size_t t, size_t b, size_t e) { fn(L.at(l, t) + b, e - b, lo, hi); });
  return info.Env().Undefined();
}

// addScaledList(list, dst, src, a): list[dst] += float(a) · list[src].
Napi::Value AddScaledList(const Napi::CallbackInfo& info) {
  TensorList& L = tensor_list(info, 0);
  size_t d = list_index(info, L, 1, "dst list index"), s = list_index(info, L, 2, "src list index");
  if (d == s) throw Napi::RangeError::New(info.Env(), "dst and src lists must differ");
  float a = static_cast<float>(num(info, 3, "a"));
  auto fn = K().clip.add_scaled;
  L.for_each([&](size_t t, size_t b, size_t e) { fn(L.at(d, t) + b, L.at(s, t) + b, e - b, a); });
  return info.Env().Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("normPowSum", Napi::Function::New(env, NormPowSum));
  exports.Set("scaleList", Napi::Function::New(env, ScaleList));
  exports.Set("clampList", Napi::Function::New(env, ClampList));
  exports.Set("addScaledList", Napi::Function::New(env, AddScaledList));
}

}  // namespace
DF_REGISTER_BINDING(clip, Register);
}  // namespace df
