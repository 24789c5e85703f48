// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC'11), the counter-based generator behind every random kernel. The TS twin
// is src/reference/random.ts.
//
// Stream layout (shared with the reference): a generator has a 64-bit key
// (the seed) and a 64-bit offset counted in Philox blocks. Element e of a call
// reads word (e mod 4) of the block whose counter is
// (offset + floor(e / 4), 0, 0) as (c0 | c1 << 32, c2, c3). So a value depends
// only on (seed, offset, e), and a call consumes ceil(n / 4) blocks.
#pragma once
#include <cstdint>

namespace df {
namespace DF_ISA {

constexpr uint32_t PHILOX_M0 = 0xD2511F53u;
constexpr uint32_t PHILOX_M1 = 0xCD9E8D57u;
constexpr uint32_t PHILOX_W0 = 0x9E3779B9u;
constexpr uint32_t PHILOX_W1 = 0xBB67AE85u;

// Blocks generated together: plain loops of this length over 32-bit lanes,
// which the compiler turns into vector code on every ISA.
constexpr int PHILOX_GROUP = 16;

// w[k][j] = word k of Philox4x32-10 at counter (ctr + j, c2, c3), key (k0, k1),
// for j < PHILOX_GROUP. The 64-bit counter ctr + j carries into c1.
inline void philox_group(uint64_t ctr, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1,
                         uint32_t (&w)[4][PHILOX_GROUP]) {
  constexpr int G = PHILOX_GROUP;
  uint32_t x0[G], x1[G], x2[G], x3[G];
  for (int j = 0; j < G; j++) {
    uint64_t c = ctr + static_cast<uint64_t>(j);
    x0[j] = static_cast<uint32_t>(c);
    x1[j] = static_cast<uint32_t>(c >> 32);
    x2[j] = c2;
    x3[j] = c3;
  }
  for (int r = 0; r < 10; r++) {
    for (int j = 0; j < G; j++) {
      uint64_t p0 = static_cast<uint64_t>(PHILOX_M0) * x0[j];
      uint64_t p1 = static_cast<uint64_t>(PHILOX_M1) * x2[j];
      uint32_t y0 = static_cast<uint32_t>(p1 >> 32) ^ x1[j] ^ k0;
      uint32_t y2 = static_cast<uint32_t>(p0 >> 32) ^ x3[j] ^ k1;
      x1[j] = static_cast<uint32_t>(p1);
      x3[j] = static_cast<uint32_t>(p0);
      x0[j] = y0;
      x2[j] = y2;
    }
    k0 += PHILOX_W0;
    k1 += PHILOX_W1;
  }
  for (int j = 0; j < G; j++) {
    w[0][j] = x0[j];
    w[1][j] = x1[j];
    w[2][j] = x2[j];
    w[3][j] = x3[j];
  }
}

// Walks the elements [e0, e0 + n) of a call (absolute indices) a group of
// blocks at a time: emit(g, w) receives the words of elements g .. g + 4G - 1,
// element g + 4j + k being w[k][j]. g is a multiple of 4; the first and last
// group may reach outside [e0, e0 + n), so emit checks bounds there.
template <class Emit>
inline void philox_range(size_t e0, size_t n, PhiloxStream s, Emit emit) {
  uint32_t w[4][PHILOX_GROUP];
  size_t end = e0 + n;
  for (size_t b = e0 / 4; n && b * 4 < end; b += PHILOX_GROUP) {
    philox_group(s.offset + b, 0, 0, s.k0, s.k1, w);
    emit(b * 4, w);
  }
}

}  // namespace DF_ISA
}  // namespace df
