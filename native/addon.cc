// The addon's entry point: backend control (ISA, threads, info), tensor lists,
// and every binding file registered with DF_REGISTER_BINDING.
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "binding.h"

#ifndef DEEPFIT_VERSION
#define DEEPFIT_VERSION "0.1.0"
#endif

namespace df {
namespace {

// Marks the externals made by makeTensorList, so no other external (from
// another addon) is ever read as a TensorList.
const napi_type_tag kTensorListTag = {0x6465657066697431ull, 0x74656e736f726c73ull};

std::vector<std::pair<const char*, BindingFn>>& registry() {
  static std::vector<std::pair<const char*, BindingFn>> r;
  return r;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", active_isa());
  Napi::Array av = Napi::Array::New(env);
  auto isas = available_isas();
  for (size_t i = 0; i < isas.size(); i++) av.Set(i, isas[i]);
  o.Set("available", av);
  o.Set("threads", get_threads());
  o.Set("version", DEEPFIT_VERSION);
  return o;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "isa must be a string");
  return Napi::Boolean::New(info.Env(), select_isa(info[0].As<Napi::String>().Utf8Value()));
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  size_t n = count(info, 0, "threads");
  if (n < 1 || n > 1024) throw Napi::RangeError::New(info.Env(), "threads must be an integer in [1, 1024]");
  set_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value DefaultThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), default_threads());
}

// Adds the ArrayBuffer behind f to L.buffers, once per buffer (`seen` maps a
// buffer's data pointer, unique among live non-empty buffers, to its entry).
// Empty arrays are never read, and a SharedArrayBuffer can neither be detached
// nor shrink (and has no ArrayBuffer info), so neither needs a check.
void watch_buffer(TensorList& L, const Napi::Float32Array& f, std::unordered_map<void*, size_t>& seen) {
  Napi::Env env = f.Env();
  napi_value buf;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, f, nullptr, nullptr, nullptr, &buf, &offset) != napi_ok) return;
  void* data = nullptr;
  size_t bytes = 0;
  if (f.ElementLength() == 0 || napi_get_arraybuffer_info(env, buf, &data, &bytes) != napi_ok) return;
  size_t need = offset + f.ElementLength() * sizeof(float);
  auto it = seen.find(data);
  if (it != seen.end()) {
    L.buffers[it->second].need = std::max(L.buffers[it->second].need, need);
    return;
  }
  seen.emplace(data, L.buffers.size());
  L.buffers.push_back({Napi::Persistent(Napi::ArrayBuffer(env, buf)), data, need});
}

// makeTensorList(lists: Float32Array[][], callerChecks = false) -> External<TensorList>
//
// With callerChecks the kernels skip the per-call buffer check: the caller
// promises to verify, synchronously before every call, that each array still
// has its length (a detached buffer's arrays read as length 0, and a shrunk
// resizable buffer's arrays lose length or read as 0). The optimizers do this,
// which saves two N-API calls per distinct buffer per step.
Napi::Value MakeTensorList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "lists must be an array of arrays of Float32Array");
  if (!info[1].IsUndefined() && !info[1].IsBoolean()) throw Napi::TypeError::New(env, "callerChecks must be a boolean");
  const bool caller_checks = info[1].IsBoolean() && info[1].As<Napi::Boolean>().Value();
  Napi::Array outer = info[0].As<Napi::Array>();
  auto* L = new TensorList();
  std::unordered_map<void*, size_t> seen;
  try {
    L->lists = outer.Length();
    for (uint32_t l = 0; l < L->lists; l++) {
      Napi::Value v = outer.Get(l);
      if (!v.IsArray()) throw Napi::TypeError::New(env, "lists must be an array of arrays of Float32Array");
      Napi::Array inner = v.As<Napi::Array>();
      if (l == 0) {
        L->tensors = inner.Length();
        L->ptr.resize(L->lists * L->tensors);
        L->len.resize(L->tensors);
      } else if (inner.Length() != L->tensors) {
        throw Napi::RangeError::New(env, "every list must hold the same number of tensors");
      }
      for (uint32_t t = 0; t < L->tensors; t++) {
        Napi::Value a = inner.Get(t);
        if (!a.IsTypedArray() || a.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
          throw Napi::TypeError::New(env, "every tensor must be a Float32Array");
        auto f = a.As<Napi::Float32Array>();
        if (l == 0) L->len[t] = f.ElementLength();
        else if (f.ElementLength() != L->len[t])
          throw Napi::RangeError::New(env, "arrays of one tensor must have the same length");
        L->ptr[l * L->tensors + t] = f.Data();
        if (!caller_checks) watch_buffer(*L, f, seen);
      }
    }
    L->offset.resize(L->tensors + 1);
    L->offset[0] = 0;
    for (size_t t = 0; t < L->tensors; t++) L->offset[t + 1] = L->offset[t] + L->len[t];
    L->keep = Napi::Persistent(outer.As<Napi::Object>());
  } catch (...) {
    delete L;
    throw;
  }
  auto handle = Napi::External<TensorList>::New(env, L, [](Napi::Env, TensorList* p) { delete p; });
  handle.TypeTag(&kTensorListTag);
  return handle;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // DEEPFIT_ISA is read by the TS loader, which calls setIsa and reports a
  // clear error for an unknown or unsupported value.
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("defaultThreads", Napi::Function::New(env, DefaultThreads));
  exports.Set("makeTensorList", Napi::Function::New(env, MakeTensorList));
  for (auto& r : registry()) r.second(env, exports);
  return exports;
}

TensorList& tensor_list(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsExternal() || !info[i].As<Napi::External<TensorList>>().CheckTypeTag(&kTensorListTag))
    throw Napi::TypeError::New(info.Env(), "expected a tensor list handle");
  TensorList& L = *info[i].As<Napi::External<TensorList>>().Data();
  // The raw C calls: this runs for every buffer on every kernel call.
  napi_env env = info.Env();
  for (const auto& b : L.buffers) {
    napi_value v;
    void* data = nullptr;
    size_t bytes = 0;
    if (napi_get_reference_value(env, b.buffer, &v) != napi_ok || napi_get_arraybuffer_info(env, v, &data, &bytes) != napi_ok ||
        data != b.data || bytes < b.need)
      throw Napi::RangeError::New(env, "a tensor list array was detached or resized since the list was made");
  }
  return L;
}

BindingRegistrar::BindingRegistrar(const char* name, BindingFn fn) { registry().emplace_back(name, fn); }

}  // namespace df

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return df::Init(env, exports); }
NODE_API_MODULE(deepfit, InitModule)
