// Bounded text parsing for protocol fields: every parser checks its whole input and says no rather than guess.
#pragma once
#include <stdint.h>
#include <string.h>

namespace mhil {
bool isUpperHex(char c);
uint8_t hexValue(char c);
// Unsigned / signed decimal (U, I of PROTOCOL.md §2), with overflow checks.
bool parseU(const char* s, uint32_t* out);
bool parseI(const char* s, int32_t* out);
// `digits` uppercase hex digits: a two's-complement signed value of 4*digits bits, or unsigned.
bool parseHexSigned(const char* s, uint8_t digits, int32_t* out);
bool parseHexUnsigned(const char* s, uint8_t digits, uint32_t* out);
inline bool is(const char* a, const char* b) { return !strcmp(a, b); }

// Packed vectors (PROTOCOL.md §2 V, version 3): a digit count W, then each element in W base-64 digits
// (0-9 A-Z a-z - _, most significant first) or a run of zero elements in one run character.
const uint8_t MAX_ZERO_RUN = 23;
char digitChar(uint8_t v);      // v < 64
int8_t digitValue(char c);      // -1: not a base-64 digit
uint8_t zeroRunLength(char c);  // 0: not a run character
char zeroRunChar(uint8_t k);    // 1 <= k <= MAX_ZERO_RUN

class VectorReader {
 public:
  // `maxDigits`: the field's width (LIM's hex width in whole 6-bit digits). False: no valid W.
  bool begin(const char* s, uint8_t maxDigits);
  // The next element (signed: two's complement in 6*W bits). False: a bad character, or the text ended.
  bool next(bool isSigned, int32_t* out);
  // The text is used up, no zeros of a run left over.
  bool done() const { return !*s_ && zeros_ == 0; }

 private:
  const char* s_ = "";
  uint8_t digits_ = 0;
  uint8_t zeros_ = 0;
};
}  // namespace mhil
