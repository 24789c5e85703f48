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
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace df {
namespace DF_ISA {

constexpr uint32_t PHILOX_M0 = 0xD2511F53u;
constexpr uint32_t PHILOX_M1 = 0xCD9E8D57u;
constexpr uint32_t PHILOX_W0 = 0x9E3779B9u;
constexpr uint32_t PHILOX_W1 = 0xBB67AE85u;

// Blocks generated together (a multiple of 16).
constexpr int PHILOX_GROUP = 32;

#if defined(__AVX512F__) || defined(__AVX2__)
// Vector Philox: one block per 64-bit lane. The multiplier reads the low 32
// bits of each lane, so the high halves may hold garbage until the words
// are extracted (only low halves are ever read out).
#if defined(__AVX512F__)
using PxVec = __m512i;
constexpr int PX_LANES = 8;
inline PxVec px_set1(uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
inline PxVec px_iota() { return _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0); }
inline PxVec px_add(PxVec a, PxVec b) { return _mm512_add_epi64(a, b); }
inline PxVec px_mul(PxVec a, PxVec b) { return _mm512_mul_epu32(a, b); }
inline PxVec px_hi(PxVec a) { return _mm512_srli_epi64(a, 32); }
inline PxVec px_xor3(PxVec a, PxVec b, PxVec c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
#else
using PxVec = __m256i;
constexpr int PX_LANES = 4;
inline PxVec px_set1(uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
inline PxVec px_iota() { return _mm256_set_epi64x(3, 2, 1, 0); }
inline PxVec px_add(PxVec a, PxVec b) { return _mm256_add_epi64(a, b); }
inline PxVec px_mul(PxVec a, PxVec b) { return _mm256_mul_epu32(a, b); }
inline PxVec px_hi(PxVec a) { return _mm256_srli_epi64(a, 32); }
inline PxVec px_xor3(PxVec a, PxVec b, PxVec c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
#endif

// The round keys of a call, broadcast once: key[r] = (k0 + r W0, k1 + r W1).
struct PxKeys {
  PxVec k0[10], k1[10];
  PxKeys(uint32_t a, uint32_t b) {
    for (int r = 0; r < 10; r++, a += PHILOX_W0, b += PHILOX_W1) {
      k0[r] = px_set1(a);
      k1[r] = px_set1(b);
    }
  }
};

// Philox4x32-10 of blocks (ctr + lane, c2, c3) and (ctr + PX_LANES + lane, ...),
// one per lane, two sets interleaved for instruction-level parallelism:
// x[s][k] is word k of set s.
inline void px_blocks2(uint64_t ctr, uint32_t c2, uint32_t c3, const PxKeys& key, PxVec (&x)[2][4]) {
  for (int s = 0; s < 2; s++) {
    PxVec c = px_add(px_set1(ctr + static_cast<uint64_t>(s) * PX_LANES), px_iota());  // 64-bit: the carry into c1 is free
    x[s][0] = c;
    x[s][1] = px_hi(c);
    x[s][2] = px_set1(c2);
    x[s][3] = px_set1(c3);
  }
  const PxVec m0 = px_set1(PHILOX_M0), m1 = px_set1(PHILOX_M1);
  for (int r = 0; r < 10; r++) {
    for (int s = 0; s < 2; s++) {
      PxVec p0 = px_mul(x[s][0], m0), p1 = px_mul(x[s][2], m1);
      x[s][0] = px_xor3(px_hi(p1), x[s][1], key.k0[r]);
      x[s][2] = px_xor3(px_hi(p0), x[s][3], key.k1[r]);
      x[s][1] = p1;
      x[s][3] = p0;
    }
  }
}

// The words of the lanes' blocks in element order: out[4 lane + k] = x[k].
inline void px_store_linear(const PxVec (&x)[4], uint32_t* out) {
#if defined(__AVX512F__)
  __m512i p01 = _mm512_mask_blend_epi32(0xAAAA, x[0], _mm512_slli_epi64(x[1], 32));  // (w0, w1) per block
  __m512i p23 = _mm512_mask_blend_epi32(0xAAAA, x[2], _mm512_slli_epi64(x[3], 32));
  __m512i lo = _mm512_unpacklo_epi64(p01, p23);  // blocks 0, 2, 4, 6 (one per 128-bit lane)
  __m512i hi = _mm512_unpackhi_epi64(p01, p23);  // blocks 1, 3, 5, 7
  _mm512_storeu_si512(out, _mm512_permutex2var_epi64(lo, _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0), hi));
  _mm512_storeu_si512(out + 16, _mm512_permutex2var_epi64(lo, _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4), hi));
#else
  __m256i p01 = _mm256_blend_epi32(x[0], _mm256_slli_epi64(x[1], 32), 0xAA);
  __m256i p23 = _mm256_blend_epi32(x[2], _mm256_slli_epi64(x[3], 32), 0xAA);
  __m256i lo = _mm256_unpacklo_epi64(p01, p23);  // blocks 0, 2
  __m256i hi = _mm256_unpackhi_epi64(p01, p23);  // blocks 1, 3
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
#endif
}

// Word k of each lane's block, as PX_LANES uint32.
inline void px_store_word(PxVec x, uint32_t* out) {
#if defined(__AVX512F__)
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_cvtepi64_epi32(x));
#else
  __m256i packed = _mm256_permutevar8x32_epi32(x, _mm256_set_epi32(7, 5, 3, 1, 6, 4, 2, 0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(packed));
#endif
}
using PhiloxKey = PxKeys;
#else
struct PhiloxKey {
  uint32_t k0, k1;
  PhiloxKey(uint32_t a, uint32_t b) : k0(a), k1(b) {}
};
#endif

// w[k][j] = word k of Philox4x32-10 at counter (ctr + j, c2, c3), key (k0, k1),
// for j < PHILOX_GROUP. The 64-bit counter ctr + j carries into c1.
inline void philox_group(uint64_t ctr, uint32_t c2, uint32_t c3, const PhiloxKey& key,
                         uint32_t (&w)[4][PHILOX_GROUP]) {
  constexpr int G = PHILOX_GROUP;
#if defined(__AVX512F__) || defined(__AVX2__)
  for (int j = 0; j < G; j += 2 * PX_LANES) {
    PxVec x[2][4];
    px_blocks2(ctr + j, c2, c3, key, x);
    for (int s = 0; s < 2; s++)
      for (int k = 0; k < 4; k++) px_store_word(x[s][k], &w[k][j + s * PX_LANES]);
  }
#else
  uint32_t k0 = key.k0, k1 = key.k1;
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
#endif
}

// The words of blocks ctr .. ctr + PHILOX_GROUP - 1 in element order:
// out[4j + k] = word k of block ctr + j (counter words c2 = c3 = 0).
inline void philox_linear(uint64_t ctr, const PhiloxKey& key, uint32_t* out) {
#if defined(__AVX512F__) || defined(__AVX2__)
  for (int j = 0; j < PHILOX_GROUP; j += 2 * PX_LANES) {
    PxVec x[2][4];
    px_blocks2(ctr + j, 0, 0, key, x);
    px_store_linear(x[0], out + 4 * j);
    px_store_linear(x[1], out + 4 * (j + PX_LANES));
  }
#else
  uint32_t w[4][PHILOX_GROUP];
  philox_group(ctr, 0, 0, key, w);
  for (int j = 0; j < PHILOX_GROUP; j++)
    for (int k = 0; k < 4; k++) out[4 * j + k] = w[k][j];
#endif
}

// Walks the elements [e0, e0 + n) of a call (absolute indices) a group of
// blocks at a time: emit(g, w) receives the words of elements g .. g + 4G - 1,
// element g + 4j + k being w[k][j]. g is a multiple of 4; the first and last
// group may reach outside [e0, e0 + n), so emit clips.
template <class Emit>
inline void philox_range(size_t e0, size_t n, PhiloxStream s, Emit emit) {
  uint32_t w[4][PHILOX_GROUP];
  const PhiloxKey key(s.k0, s.k1);
  size_t end = e0 + n;
  for (size_t b = e0 / 4; n && b * 4 < end; b += PHILOX_GROUP) {
    philox_group(s.offset + b, 0, 0, key, w);
    emit(b * 4, w);
  }
}

// The same walk with the words in element order: emit(lo, words, m) gets
// the m elements lo .. lo + m - 1 (already clipped to the call), words[i]
// being element lo + i's word.
template <class Emit>
inline void philox_range_linear(size_t e0, size_t n, PhiloxStream s, Emit emit) {
  uint32_t w[4 * PHILOX_GROUP];
  const PhiloxKey key(s.k0, s.k1);
  size_t end = e0 + n;
  for (size_t b = e0 / 4; n && b * 4 < end; b += PHILOX_GROUP) {
    philox_linear(s.offset + b, key, w);
    size_t g = b * 4, lo = g > e0 ? g : e0, hi = g + 4 * PHILOX_GROUP < end ? g + 4 * PHILOX_GROUP : end;
    emit(lo, w + (lo - g), hi - lo);
  }
}

}  // namespace DF_ISA
}  // namespace df
