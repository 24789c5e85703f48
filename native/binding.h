// Helpers shared by the N-API binding files (native/bind_*.cc). Each binding
// file registers itself with DF_REGISTER_BINDING; addon.cc calls them all.
//
// Argument checks here are a last line of defence against crashes: the public
// TypeScript API validates first and gives the user-facing messages.
#pragma once
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dispatch.h"
#include "threadpool.h"

namespace df {

struct Span {
  float* data;
  size_t size;
};

inline Span f32(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float32Array");
  auto a = v.As<Napi::Float32Array>();
  return Span{a.Data(), a.ElementLength()};
}

inline double num(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

inline size_t count(const Napi::CallbackInfo& info, size_t i, const char* what) {
  double d = num(info, i, what);
  if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must be a non-negative integer");
  return static_cast<size_t>(d);
}

inline void require_len(const Napi::CallbackInfo& info, const Span& s, size_t n, const char* what) {
  if (s.size < n)
    throw Napi::RangeError::New(info.Env(), std::string(what) + " is shorter than the element count");
}

// Elementwise work is cut into pieces of this many elements for the pool. Small
// inputs stay on the calling thread.
constexpr size_t PAR_CHUNK = 32768;

// Runs fn(begin, end) over [0, n) in PAR_CHUNK pieces, on the pool.
inline void parallel_range(size_t n, const std::function<void(size_t, size_t)>& fn) {
  size_t pieces = (n + PAR_CHUNK - 1) / PAR_CHUNK;
  if (pieces <= 1 || get_threads() <= 1) {
    if (n) fn(0, n);
    return;
  }
  // Give each thread a few contiguous runs: fewer wake-ups, better locality.
  size_t tasks = std::min(pieces, static_cast<size_t>(get_threads()) * 4);
  parallel_for(tasks, [&](size_t t) {
    size_t b = pieces * t / tasks, e = pieces * (t + 1) / tasks;
    fn(b * PAR_CHUNK, std::min(n, e * PAR_CHUNK));
  });
}

// The fixed-order reduction of table.h: chunk_sum(begin, end) reduces one
// chunk; chunk results are added in order. The chunking is independent of the
// thread count, so the result is too.
inline double reduce_fixed(size_t n, const std::function<double(size_t, size_t)>& chunk_sum) {
  size_t chunks = (n + REDUCE_CHUNK - 1) / REDUCE_CHUNK;
  std::vector<double> part(chunks, 0.0);
  if (chunks <= 1 || get_threads() <= 1) {
    for (size_t c = 0; c < chunks; c++) part[c] = chunk_sum(c * REDUCE_CHUNK, std::min(n, (c + 1) * REDUCE_CHUNK));
  } else {
    parallel_for(chunks, [&](size_t c) {
      part[c] = chunk_sum(c * REDUCE_CHUNK, std::min(n, (c + 1) * REDUCE_CHUNK));
    });
  }
  double s = 0.0;
  for (double p : part) s += p;
  return s;
}

// A list of tensors for multi-tensor kernels: `lists` arrays (e.g. params,
// grads, exp_avg, exp_avg_sq), each holding one Float32Array per tensor; the
// arrays of one tensor all have the same length. Built once and cached by the
// caller, so a step costs one N-API call whatever the number of tensors.
struct TensorList {
  size_t lists = 0, tensors = 0;
  std::vector<float*> ptr;       // ptr[l * tensors + t]
  std::vector<size_t> len;       // len[t]
  std::vector<size_t> offset;    // offset[t]: first flat index of tensor t; offset[tensors] = total
  Napi::ObjectReference keep;    // holds the JS arrays (and so their buffers) alive
  // Keeping an array alive does not stop its buffer from being detached
  // (transferred) or a resizable buffer from shrinking, so every use re-checks
  // each distinct ArrayBuffer: same data pointer, still `need` bytes long.
  // Arrays that share a buffer (state slabs) cost one check. Empty for a list
  // made with callerChecks, whose caller verifies the lengths before each call.
  struct BufferCheck {
    Napi::Reference<Napi::ArrayBuffer> buffer;
    void* data;
    size_t need;
  };
  std::vector<BufferCheck> buffers;

  float* at(size_t l, size_t t) const { return ptr[l * tensors + t]; }
  size_t total() const { return offset[tensors]; }

  // Calls fn(t, begin, end) for every part of every tensor, in parallel, cut at
  // fixed flat positions so the work split never depends on the thread count.
  void for_each(const std::function<void(size_t t, size_t b, size_t e)>& fn) const {
    parallel_range(total(), [&](size_t b, size_t e) {
      size_t t = std::upper_bound(offset.begin(), offset.end(), b) - offset.begin() - 1;
      for (; t < tensors && offset[t] < e; t++) {
        size_t lo = std::max(b, offset[t]) - offset[t];
        size_t hi = std::min(e, offset[t + 1]) - offset[t];
        if (hi > lo) fn(t, lo, hi);
      }
    });
  }
};

// The TensorList behind argument i: a handle made by makeTensorList whose
// arrays are all still attached and unchanged in length (a RangeError otherwise).
TensorList& tensor_list(const Napi::CallbackInfo& info, size_t i);

using BindingFn = void (*)(Napi::Env, Napi::Object);
struct BindingRegistrar {
  BindingRegistrar(const char* name, BindingFn fn);
};
#define DF_REGISTER_BINDING(name, fn) static ::df::BindingRegistrar df_registrar_##name(#name, fn)

}  // namespace df
