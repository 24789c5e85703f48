#include "dispatch.h"

#include <cstdlib>

#define DF_DECLARE(ns) \
  namespace df {       \
  namespace ns {       \
  const KernelTable* table(); \
  }                    \
  }

#ifdef DF_HAVE_scalar
DF_DECLARE(scalar)
#endif
#ifdef DF_HAVE_avx2
DF_DECLARE(avx2)
#endif
#ifdef DF_HAVE_avx512
DF_DECLARE(avx512)
#endif
#ifdef DF_HAVE_neon
DF_DECLARE(neon)
#endif

namespace df {
namespace {

struct Entry {
  const char* name;
  const KernelTable* (*table)();
  bool (*supported)();
};

bool always() { return true; }
#ifdef DF_X86
// __builtin_cpu_supports checks the CPUID bits; the OS must also save the
// wide registers (XGETBV), which GCC's runtime checks for AVX and AVX-512.
bool has_avx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
bool has_avx512() {
  return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}
#endif

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
#ifdef DF_HAVE_scalar
      {"scalar", scalar::table, always},
#endif
#ifdef DF_HAVE_avx2
      {"avx2", avx2::table, has_avx2},
#endif
#ifdef DF_HAVE_avx512
      {"avx512", avx512::table, has_avx512},
#endif
#ifdef DF_HAVE_neon
      {"neon", neon::table, always},
#endif
  };
  return e;
}

const KernelTable* active = nullptr;

void init_default() {
  for (const auto& e : entries())
    if (e.supported()) active = e.table();
}

}  // namespace

const KernelTable& K() {
  if (!active) init_default();
  return *active;
}

std::vector<std::string> available_isas() {
  std::vector<std::string> out;
  for (const auto& e : entries())
    if (e.supported()) out.push_back(e.name);
  return out;
}

bool select_isa(const std::string& name) {
  for (const auto& e : entries())
    if (name == e.name && e.supported()) {
      active = e.table();
      return true;
    }
  return false;
}

const char* active_isa() { return K().isa; }

}  // namespace df
