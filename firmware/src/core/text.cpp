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

char digitChar(uint8_t v) {
  return v < 10 ? (char)('0' + v) : v < 36 ? (char)('A' + v - 10) : v < 62 ? (char)('a' + v - 36) : v == 62 ? '-' : '_';
}

int8_t digitValue(char c) {
  if (c >= '0' && c <= '9') return (int8_t)(c - '0');
  if (c >= 'A' && c <= 'Z') return (int8_t)(c - 'A' + 10);
  if (c >= 'a' && c <= 'z') return (int8_t)(c - 'a' + 36);
  return c == '-' ? 62 : c == '_' ? 63 : -1;
}

// The i-th character stands for i + 1 zeros (23 bytes of RAM on the AVR, where literals live in RAM).
static const char ZERO_RUNS[MAX_ZERO_RUN + 1] = "!#$%&()+,./:;<>?@[]^{|}";

uint8_t zeroRunLength(char c) {
  for (uint8_t i = 0; i < MAX_ZERO_RUN; i++) {
    if (ZERO_RUNS[i] == c) return (uint8_t)(i + 1);
  }
  return 0;
}

char zeroRunChar(uint8_t k) { return ZERO_RUNS[k - 1]; }

bool VectorReader::begin(const char* s, uint8_t maxDigits) {
  int8_t w = digitValue(*s);
  if (w < 1 || w > (int8_t)maxDigits) return false;
  s_ = s + 1;
  digits_ = (uint8_t)w;
  zeros_ = 0;
  return true;
}

bool VectorReader::next(bool isSigned, int32_t* out) {
  if (zeros_ == 0 && *s_) {
    zeros_ = zeroRunLength(*s_);
    if (zeros_) s_++;
  }
  if (zeros_) {
    zeros_--;
    *out = 0;
    return true;
  }
  uint32_t v = 0;
  for (uint8_t i = 0; i < digits_; i++) {
    int8_t d = digitValue(s_[i]);  // the terminator is no digit: a short element fails here
    if (d < 0) return false;
    v = (v << 6) | (uint8_t)d;
  }
  s_ += digits_;
  uint8_t bits = (uint8_t)(6 * digits_);
  if (isSigned && bits < 32 && (v & (1ul << (bits - 1)))) v |= ~((1ul << bits) - 1);
  *out = (int32_t)v;
  return true;
}

}  // namespace mhil
