// Protocol field parsing (see text.h).
#include "text.h"

namespace mhil {

bool isUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
uint8_t hexValue(char c) { return c <= '9' ? (uint8_t)(c - '0') : (uint8_t)(c - 'A' + 10); }

bool parseU(const char* s, uint32_t* out) {
  if (!*s) return false;
  uint32_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    uint8_t d = (uint8_t)(*s - '0');
    if (v > (0xFFFFFFFFu - d) / 10u) return false;
    v = v * 10u + d;
  }
  *out = v;
  return true;
}

bool parseI(const char* s, int32_t* out) {
  bool neg = *s == '-';
  uint32_t mag;
  if (!parseU(neg ? s + 1 : s, &mag)) return false;
  if (neg ? mag > 0x80000000u : mag > 0x7FFFFFFFu) return false;
  *out = neg ? (int32_t)(0u - mag) : (int32_t)mag;
  return true;
}

// `digits` uppercase hex digits, a two's-complement signed value of 4*digits bits.
bool parseHexSigned(const char* s, uint8_t digits, int32_t* out) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < digits; i++) {
    if (!isUpperHex(s[i])) return false;
    v = (v << 4) | hexValue(s[i]);
  }
  uint8_t bits = (uint8_t)(4 * digits);
  if (bits < 32 && (v & (1ul << (bits - 1)))) v |= ~((1ul << bits) - 1);
  *out = (int32_t)v;
  return true;
}

bool parseHexUnsigned(const char* s, uint8_t digits, uint32_t* out) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < digits; i++) {
    if (!isUpperHex(s[i])) return false;
    v = (v << 4) | hexValue(s[i]);
  }
  *out = v;
  return true;
}

}  // namespace mhil
