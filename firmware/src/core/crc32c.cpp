// CRC-32C with a 16-entry nibble table: 64 bytes of flash (PROGMEM on the AVR, no RAM), two lookups a byte.
#include "crc32c.h"
#ifdef __AVR__
#include <avr/pgmspace.h>
#define NIBBLE(i) pgm_read_dword(&NIBBLES[i])
#else
#define PROGMEM
#define NIBBLE(i) NIBBLES[i]
#endif

namespace mhil {
// NIBBLES[k]: the CRC register after shifting the 4 bits k through the reflected polynomial 0x82F63B78.
static const uint32_t NIBBLES[16] PROGMEM = {
    0x00000000, 0x105EC76F, 0x20BD8EDE, 0x30E349B1, 0x417B1DBC, 0x5125DAD3, 0x61C69362, 0x7198540D,
    0x82F63B78, 0x92A8FC17, 0xA24BB5A6, 0xB21572C9, 0xC38D26C4, 0xD3D3E1AB, 0xE330A81A, 0xF36E6F75,
};

uint32_t crc32c(const void* data, uint16_t n) {
  const uint8_t* p = (const uint8_t*)data;
  uint32_t c = 0xFFFFFFFFul;
  while (n--) {
    c ^= *p++;
    c = (c >> 4) ^ NIBBLE(c & 0xF);
    c = (c >> 4) ^ NIBBLE(c & 0xF);
  }
  return c ^ 0xFFFFFFFFul;
}
}  // namespace mhil
