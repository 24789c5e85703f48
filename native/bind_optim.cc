// Bindings for the optimizer steps: one call updates every tensor of a cached
// TensorList (one parameter group), split over the pool at fixed flat positions.
//
// Every step function takes (list, scalars: Float64Array, perTensor:
// Float64Array, flags). The scalars are computed once per step in double by the
// TS optimizers; static_cast<float> rounds them exactly like Math.fround.
#include "binding.h"

namespace df {
namespace {

struct F64 {
  const double* data;
  size_t size;
};

F64 f64(const Napi::CallbackInfo& info, size_t i, const char* what, size_t need) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw Napi::TypeError::New(info.Env(), std::string(what) + " must be a Float64Array");
  auto a = v.As<Napi::Float64Array>();
  if (a.ElementLength() < need)
    throw Napi::RangeError::New(info.Env(), std::string(what) + " must hold at least " + std::to_string(need) + " values");
  return F64{a.Data(), a.ElementLength()};
}

// The list must hold exactly `lists` arrays per tensor (params, grads, state...).
TensorList& step_list(const Napi::CallbackInfo& info, size_t lists) {
  TensorList& L = tensor_list(info, 0);
  if (L.lists != lists)
    throw Napi::RangeError::New(info.Env(), "the tensor list must hold " + std::to_string(lists) + " arrays per tensor");
  return L;
}

unsigned flags_arg(const Napi::CallbackInfo& info) {
  size_t f = count(info, 3, "flags");
  if (f > 0xffff) throw Napi::RangeError::New(info.Env(), "flags out of range");
  return static_cast<unsigned>(f);
}

inline float f(double x) { return static_cast<float>(x); }

// Lists: params, grads, exp_avg, exp_avg_sq[, max_exp_avg_sq]. Scalars: beta1,
// 1-beta1, beta2, 1-beta2, eps, weight_decay, decay_scale. Per tensor:
// -step_size, sqrt(bias_correction2).
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  unsigned flags = flags_arg(info);
  TensorList& L = step_list(info, (flags & OPT_AMSGRAD) ? 5 : 4);
  F64 s = f64(info, 1, "scalars", 7), t = f64(info, 2, "perTensor", 2 * L.tensors);
  AdamArgs base{f(s.data[0]), f(s.data[1]), f(s.data[2]), f(s.data[3]), f(s.data[4]), f(s.data[5]), f(s.data[6]),
                0.f, 0.f, flags};
  auto fn = K().optim.adam;
  bool ams = (flags & OPT_AMSGRAD) != 0;
  L.for_each([&](size_t i, size_t b, size_t e) {
    AdamArgs a = base;
    a.neg_step_size = f(t.data[2 * i]);
    a.bias_correction2_sqrt = f(t.data[2 * i + 1]);
    fn(a, L.at(0, i) + b, L.at(1, i) + b, L.at(2, i) + b, L.at(3, i) + b, ams ? L.at(4, i) + b : nullptr, e - b);
  });
  return info.Env().Undefined();
}

// Lists: params, grads[, momentum_buffer]. Scalars: -lr, weight_decay,
// momentum, 1-dampening. Per tensor (with momentum): 1 where the buffer is new.
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  unsigned flags = flags_arg(info);
  bool mom = (flags & OPT_MOMENTUM) != 0;
  TensorList& L = step_list(info, mom ? 3 : 2);
  F64 s = f64(info, 1, "scalars", 4), t = f64(info, 2, "perTensor", mom ? L.tensors : 0);
  SgdArgs base{f(s.data[0]), f(s.data[1]), f(s.data[2]), f(s.data[3]), false, flags};
  auto fn = K().optim.sgd;
  L.for_each([&](size_t i, size_t b, size_t e) {
    SgdArgs a = base;
    a.first = mom && t.data[i] != 0;
    fn(a, L.at(0, i) + b, L.at(1, i) + b, mom ? L.at(2, i) + b : nullptr, e - b);
  });
  return info.Env().Undefined();
}

// Lists: params, grads, square_avg[, grad_avg if centered][, momentum_buffer].
// Scalars: -lr, alpha, 1-alpha, eps, weight_decay, momentum.
Napi::Value RmspropStep(const Napi::CallbackInfo& info) {
  unsigned flags = flags_arg(info);
  bool cen = (flags & OPT_CENTERED) != 0, mom = (flags & OPT_MOMENTUM) != 0;
  TensorList& L = step_list(info, 3 + cen + mom);
  F64 s = f64(info, 1, "scalars", 6);
  RmspropArgs a{f(s.data[0]), f(s.data[1]), f(s.data[2]), f(s.data[3]), f(s.data[4]), f(s.data[5]), flags};
  auto fn = K().optim.rmsprop;
  size_t buf_list = cen ? 4 : 3;
  L.for_each([&](size_t i, size_t b, size_t e) {
    fn(a, L.at(0, i) + b, L.at(1, i) + b, L.at(2, i) + b, cen ? L.at(3, i) + b : nullptr,
       mom ? L.at(buf_list, i) + b : nullptr, e - b);
  });
  return info.Env().Undefined();
}

// Lists: params, grads, sum. Scalars: weight_decay, eps. Per tensor: -clr.
Napi::Value AdagradStep(const Napi::CallbackInfo& info) {
  unsigned flags = flags_arg(info);
  TensorList& L = step_list(info, 3);
  F64 s = f64(info, 1, "scalars", 2), t = f64(info, 2, "perTensor", L.tensors);
  AdagradArgs base{f(s.data[0]), f(s.data[1]), 0.f, flags};
  auto fn = K().optim.adagrad;
  L.for_each([&](size_t i, size_t b, size_t e) {
    AdagradArgs a = base;
    a.neg_clr = f(t.data[i]);
    fn(a, L.at(0, i) + b, L.at(1, i) + b, L.at(2, i) + b, e - b);
  });
  return info.Env().Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep));
  exports.Set("rmspropStep", Napi::Function::New(env, RmspropStep));
  exports.Set("adagradStep", Napi::Function::New(env, AdagradStep));
}

}  // namespace
DF_REGISTER_BINDING(optim, Register);
}  // namespace df
