// mathEval(name, x: Float64Array, out: Float64Array): the shared elementary
// functions over an array (for parity checks).
#include <cstring>

#include "binding.h"

namespace df {
namespace {

const char* const NAMES[] = {"exp", "expm1", "log", "tanh", "sigmoid", "erf", "erfinv", "sin2pi", "cos2pi"};

Napi::Value MathEval(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throw Napi::TypeError::New(env, "name must be a string");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  int fn = -1;
  for (int i = 0; i < MATH_COUNT; i++)
    if (name == NAMES[i]) fn = i;
  if (fn < 0) throw Napi::RangeError::New(env, "unknown function " + name);
  for (int i = 1; i <= 2; i++)
    if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw Napi::TypeError::New(env, "x and out must be Float64Arrays");
  auto x = info[1].As<Napi::Float64Array>();
  auto y = info[2].As<Napi::Float64Array>();
  if (y.ElementLength() < x.ElementLength()) throw Napi::RangeError::New(env, "out is shorter than x");
  K().math.eval(fn, x.Data(), y.Data(), x.ElementLength());
  return env.Undefined();
}

void Register(Napi::Env env, Napi::Object exports) {
  static_assert(sizeof(NAMES) / sizeof(NAMES[0]) == MATH_COUNT, "one name per function");
  exports.Set("mathEval", Napi::Function::New(env, MathEval));
}

}  // namespace
DF_REGISTER_BINDING(mathfn, Register);
}  // namespace df
