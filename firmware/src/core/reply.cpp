// Protocol line builder (see reply.h).
#include "reply.h"
#include "crc32c.h"
#include "text.h"

namespace mhil {

static const char HEX[] = "0123456789ABCDEF";

void Reply::put(char c) {
  if (len_ < REPLY_MAX - TRAILER) buf_[len_++] = c;  // room kept for " *CRC\n"
  else overflow_ = true;
}

void Reply::append(const char* s) { while (*s) put(*s++); }
void Reply::appendN(const char* s, uint16_t n) { for (uint16_t i = 0; i < n; i++) put(s[i]); }

void Reply::appendU64(uint64_t v) {
  char tmp[21];
  uint8_t n = 0;
  do {
    tmp[n++] = (char)('0' + (uint8_t)(v % 10u));
    v /= 10u;
  } while (v);
  while (n) put(tmp[--n]);
}

void Reply::appendHex(uint32_t v, uint8_t digits) {
  for (int8_t i = (int8_t)digits - 1; i >= 0; i--) put(HEX[(v >> (4 * i)) & 0xF]);
}

void Reply::fieldVector(const int16_t* v, uint8_t n) {
  sep();
  uint8_t w = 1;
  for (uint8_t i = 0; i < n; i++) {
    while (v[i] < -(1L << (6 * w - 1)) || v[i] >= (1L << (6 * w - 1))) w++;
  }
  put(digitChar(w));
  uint8_t zeros = 0;
  for (uint16_t i = 0; i <= n; i++) {
    if (i < n && v[i] == 0) {
      zeros++;
      continue;
    }
    while (zeros) {
      uint8_t k = zeros < MAX_ZERO_RUN ? zeros : MAX_ZERO_RUN;
      put(zeroRunChar(k));
      zeros = (uint8_t)(zeros - k);
    }
    if (i == n) break;
    uint32_t u = (uint32_t)(int32_t)v[i];
    for (int8_t d = (int8_t)w - 1; d >= 0; d--) put(digitChar((uint8_t)((u >> (6 * d)) & 63u)));
  }
}

void Reply::field(const char* s) { sep(); append(s); }
void Reply::fieldN(const char* s, uint16_t n) { sep(); appendN(s, n); }
void Reply::fieldU(uint32_t v) { sep(); appendU64(v); }
void Reply::fieldHex(uint32_t v, uint8_t digits) { sep(); appendHex(v, digits); }

void Reply::fieldD(uint64_t mantissa, int8_t exponent) {
  sep();
  appendD(mantissa, exponent);
}

void Reply::appendD(uint64_t mantissa, int8_t exponent) {
  appendU64(mantissa);
  if (mantissa != 0 && exponent != 0) {
    put('e');
    if (exponent < 0) {
      put('-');
      exponent = (int8_t)-exponent;
    }
    appendU64((uint64_t)exponent);
  }
}

void Reply::keyU(const char* key, uint32_t v) { sep(); append(key); put('='); appendU64(v); }
void Reply::keyStr(const char* key, const char* v) { sep(); append(key); put('='); append(v); }
void Reply::keyHex(const char* key, uint32_t v) { sep(); append(key); put('='); appendHex(v, 8); }
void Reply::keyD(const char* key, uint64_t mantissa, int8_t exponent) {
  sep();
  append(key);
  put('=');
  appendD(mantissa, exponent);
}

const char* Reply::finish(uint16_t* length) {
  buf_[len_++] = ' ';
  uint32_t crc = crc32c(buf_, len_);
  buf_[len_++] = '*';
  for (int8_t i = 7; i >= 0; i--) buf_[len_++] = HEX[(crc >> (4 * i)) & 0xF];
  buf_[len_++] = '\n';
  buf_[len_++] = '\n';  // a second break: one lost on the way neither merges two lines nor leaves one waiting
  *length = len_;
  return buf_;
}

}  // namespace mhil
