// Board identity, calibration constants and device limits, kept in EEPROM with a CRC.
// A blank or corrupt EEPROM falls back to the reference front end's defaults; no EEPROM
// content can raise a limit above the hard ceilings compiled in here.
#pragma once
#include <stdint.h>
#include "../hal/board.h"

namespace mhil {

// Integers in the units the protocol speaks (PROTOCOL.md §2), so checks are exact.
struct Limits {
  uint32_t maxReadMicrovolts;         // LIM vrmax
  uint32_t maxProgramMicrovoltsPos;   // LIM vpmax
  uint32_t maxProgramMicrovoltsNeg;   // LIM vnmax (magnitude)
  uint32_t minWidthNanos;             // LIM wmin
  uint32_t maxWidthNanos;             // LIM wmax
  uint16_t maxCount;                  // LIM cmax
  uint32_t complianceNanoamps;        // LIM icomp
};

struct Calibration {
  uint16_t magic;
  uint8_t layout;
  char model[16];
  char serial[16];
  uint32_t dacNanovoltsPerCode;        // LIM vlsb
  uint32_t sensePicoampsPerCode[2];    // LOW (LIM alsb), HIGH range
  int16_t senseOffsetCode[2];          // ADC code at zero current, per range
  uint32_t readMicrovolts;             // LIM vread
  uint32_t endurancePulses;            // LIM endur (0 = unknown)
  Limits limits;
  uint16_t crc;                        // CRC-16 over everything before it
};

namespace hard {
const uint32_t MAX_READ_MICROVOLTS = 500000;
const uint32_t MAX_PROGRAM_MICROVOLTS = 2500000;
const uint32_t MIN_WIDTH_NANOS = 10000;
const uint32_t MAX_WIDTH_NANOS = 100000000;
const uint16_t MAX_COUNT = 255;  // keeps LIM chex at 2
const uint32_t MAX_COMPLIANCE_NANOAMPS = 3000000;
}  // namespace hard

const uint16_t CALIBRATION_ADDR = 0;
const uint16_t CALIBRATION_MAGIC = 0x4D48;  // "MH"
const uint8_t CALIBRATION_LAYOUT = 1;

void defaultCalibration(Calibration* cal);
// Clamps scales and limits into their sane/hard ranges; returns true if anything had to change.
bool clampCalibration(Calibration* cal);
// Reads EEPROM; on a bad magic/layout/CRC loads defaults. Returns true when EEPROM was valid.
bool loadCalibration(Board& board, Calibration* cal);
void storeCalibration(Board& board, Calibration* cal);

// Largest DAC code magnitude whose voltage does not exceed `microvolts`.
int16_t codeAtMost(const Calibration& cal, uint32_t microvolts);
// DAC code nearest to `microvolts`, pulled toward zero until within `limitMicrovolts`.
int16_t programCode(const Calibration& cal, int32_t microvolts, uint32_t limitMicrovolts);

}  // namespace mhil
