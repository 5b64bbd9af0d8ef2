// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0 ("123456789" -> 0x29B1).
#include "crc16.h"

namespace mhil {
uint16_t crc16(const void* data, uint16_t n, uint16_t crc) {
  const uint8_t* p = (const uint8_t*)data;
  while (n--) {
    crc ^= (uint16_t)(*p++) << 8;
    for (uint8_t i = 0; i < 8; i++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  return crc;
}
}  // namespace mhil
