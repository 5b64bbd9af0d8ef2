// A protocol line under construction (PROTOCOL.md §1): bounded, CRC appended by finish().
#pragma once
#include <stdint.h>

namespace mhil {

const uint16_t REPLY_MAX = 448;  // the longest reply is LIM (~370 bytes)
const uint8_t TRAILER = 12;      // " *" + 8 CRC digits + "\n\n" (two breaks: PROTOCOL.md §1)
const uint8_t CRC_DIGITS = 8;

class Reply {
 public:
  Reply() : len_(0), overflow_(false) {}
  void clear() { len_ = 0; overflow_ = false; }
  // Fields: each call after the first is preceded by one space.
  void field(const char* s);
  void fieldN(const char* s, uint16_t n);
  void fieldU(uint32_t v);
  void fieldHex(uint32_t v, uint8_t digits);
  // key=value fields
  void keyU(const char* key, uint32_t v);
  void keyStr(const char* key, const char* v);
  void keyHex(const char* key, uint32_t v);
  // An exact decimal (PROTOCOL.md D): `mantissa` e `exponent`, "0" when zero.
  void fieldD(uint64_t mantissa, int8_t exponent);
  void keyD(const char* key, uint64_t mantissa, int8_t exponent);
  // Raw text inside the current field (no space).
  void append(const char* s);
  void appendN(const char* s, uint16_t n);
  void appendU64(uint64_t v);
  void appendD(uint64_t mantissa, int8_t exponent);
  void appendHex(uint32_t v, uint8_t digits);
  // A packed vector (PROTOCOL.md §2 V) of signed codes as one field: the fewest digits that hold them all.
  void fieldVector(const int16_t* v, uint8_t n);
  // Appends " *CRC\n\n"; returns the whole line.
  const char* finish(uint16_t* length);
  const char* text() const { return buf_; }
  uint16_t length() const { return len_; }

 private:
  void put(char c);
  void sep() { if (len_ > 0) put(' '); }
  char buf_[REPLY_MAX];
  uint16_t len_;
  bool overflow_;
};

}  // namespace mhil
