#include "dispatch.h"

#include <atomic>
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

// Shared by every worker_thread of the process: the first K() on any thread
// may race another's first K() or setIsa, so the pointer is atomic (both lazy
// defaults store the same table).
std::atomic<const KernelTable*> active{nullptr};

const KernelTable* init_default() {
  const KernelTable* best = nullptr;
  for (const auto& e : entries())
    if (e.supported()) best = e.table();
  const KernelTable* expected = nullptr;
  // A concurrent setIsa wins over the default.
  if (!active.compare_exchange_strong(expected, best, std::memory_order_acq_rel)) return expected;
  return best;
}

}  // namespace

const KernelTable& K() {
  const KernelTable* t = active.load(std::memory_order_acquire);
  if (!t) t = init_default();
  return *t;
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
      active.store(e.table(), std::memory_order_release);
      return true;
    }
  return false;
}

const char* active_isa() { return K().isa; }

}  // namespace df
