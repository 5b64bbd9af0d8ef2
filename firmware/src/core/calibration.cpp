// Calibration in EEPROM (see calibration.h).
#include "calibration.h"
#include "crc16.h"
#include "../hal/front_end.h"
#include <string.h>

namespace mhil {

void defaultCalibration(Calibration* cal) {
  memset(cal, 0, sizeof *cal);
  cal->magic = CALIBRATION_MAGIC;
  cal->layout = CALIBRATION_LAYOUT;
  strncpy(cal->model, "MHIL-XB16", sizeof cal->model - 1);
  strncpy(cal->serial, "UNSET", sizeof cal->serial - 1);
  cal->dacNanovoltsPerCode = frontend::DAC_NANOVOLTS_PER_CODE;
  cal->sensePicoampsPerCode[0] = frontend::SENSE_LOW_PICOAMPS_PER_CODE;
  cal->sensePicoampsPerCode[1] = frontend::SENSE_HIGH_PICOAMPS_PER_CODE;
  cal->readMicrovolts = 200000;
  cal->endurancePulses = 0;
  Limits& l = cal->limits;
  l.maxReadMicrovolts = 300000;
  l.maxProgramMicrovoltsPos = 1500000;
  l.maxProgramMicrovoltsNeg = 1350000;
  l.minWidthNanos = 20000;
  l.maxWidthNanos = 10000000;
  l.maxCount = 100;
  l.complianceNanoamps = 2000000;
}

template <typename T>
static bool clampTo(T& v, T lo, T hi) {
  if (v < lo) { v = lo; return true; }
  if (v > hi) { v = hi; return true; }
  return false;
}

bool clampCalibration(Calibration* cal) {
  bool changed = false;
  changed |= clampTo<uint32_t>(cal->dacNanovoltsPerCode, 1000, 1000000);
  changed |= clampTo<uint32_t>(cal->sensePicoampsPerCode[0], 1, 10000000);
  changed |= clampTo<uint32_t>(cal->sensePicoampsPerCode[1], 1, 10000000);
  changed |= clampTo<int16_t>(cal->senseOffsetCode[0], -1000, 1000);
  changed |= clampTo<int16_t>(cal->senseOffsetCode[1], -1000, 1000);
  Limits& l = cal->limits;
  changed |= clampTo<uint32_t>(l.maxReadMicrovolts, 0, hard::MAX_READ_MICROVOLTS);
  changed |= clampTo<uint32_t>(cal->readMicrovolts, 0, l.maxReadMicrovolts);
  changed |= clampTo<uint32_t>(l.maxProgramMicrovoltsPos, 0, hard::MAX_PROGRAM_MICROVOLTS);
  changed |= clampTo<uint32_t>(l.maxProgramMicrovoltsNeg, 0, hard::MAX_PROGRAM_MICROVOLTS);
  changed |= clampTo<uint32_t>(l.maxWidthNanos, hard::MIN_WIDTH_NANOS, hard::MAX_WIDTH_NANOS);
  changed |= clampTo<uint32_t>(l.minWidthNanos, hard::MIN_WIDTH_NANOS, l.maxWidthNanos);
  changed |= clampTo<uint16_t>(l.maxCount, 0, hard::MAX_COUNT);
  // Compliance must stay inside the HIGH sense range, or a trip could never be seen.
  uint32_t fullScaleNa = (uint32_t)(((uint64_t)frontend::ADC_MAX_CODE - 1) * cal->sensePicoampsPerCode[1] / 1000u);
  uint32_t ceiling = fullScaleNa < hard::MAX_COMPLIANCE_NANOAMPS ? fullScaleNa : hard::MAX_COMPLIANCE_NANOAMPS;
  changed |= clampTo<uint32_t>(l.complianceNanoamps, 1, ceiling);
  cal->model[sizeof cal->model - 1] = 0;
  cal->serial[sizeof cal->serial - 1] = 0;
  // Tokens on the wire: printable, no space, '*' or '='.
  for (char* s = cal->model; *s; s++) if (*s <= ' ' || *s > '~' || *s == '*' || *s == '=') { *s = '_'; changed = true; }
  for (char* s = cal->serial; *s; s++) if (*s <= ' ' || *s > '~' || *s == '*' || *s == '=') { *s = '_'; changed = true; }
  if (!cal->model[0]) { strncpy(cal->model, "MHIL-XB16", sizeof cal->model - 1); changed = true; }
  if (!cal->serial[0]) { strncpy(cal->serial, "UNSET", sizeof cal->serial - 1); changed = true; }
  return changed;
}

static uint16_t calibrationCrc(const Calibration* cal) {
  return crc16(cal, (uint16_t)((const uint8_t*)&cal->crc - (const uint8_t*)cal));
}

bool loadCalibration(Board& board, Calibration* cal) {
  board.storageRead(CALIBRATION_ADDR, cal, sizeof *cal);
  bool valid = cal->magic == CALIBRATION_MAGIC && cal->layout == CALIBRATION_LAYOUT && cal->crc == calibrationCrc(cal);
  if (!valid) defaultCalibration(cal);
  clampCalibration(cal);
  return valid;
}

void storeCalibration(Board& board, Calibration* cal) {
  clampCalibration(cal);
  cal->magic = CALIBRATION_MAGIC;
  cal->layout = CALIBRATION_LAYOUT;
  cal->crc = calibrationCrc(cal);
  board.storageWrite(CALIBRATION_ADDR, cal, sizeof *cal);
}

int16_t codeAtMost(const Calibration& cal, uint32_t microvolts) {
  uint64_t c = (uint64_t)microvolts * 1000u / cal.dacNanovoltsPerCode;
  return c > (uint64_t)frontend::DAC_MAX_CODE ? frontend::DAC_MAX_CODE : (int16_t)c;
}

int16_t programCode(const Calibration& cal, int32_t microvolts, uint32_t limitMicrovolts) {
  uint32_t mag = microvolts < 0 ? (uint32_t)(-(int64_t)microvolts) : (uint32_t)microvolts;
  uint64_t nv = (uint64_t)mag * 1000u;
  uint64_t c = (nv + cal.dacNanovoltsPerCode / 2) / cal.dacNanovoltsPerCode;
  while (c > 0 && c * cal.dacNanovoltsPerCode > (uint64_t)limitMicrovolts * 1000u) c--;
  if (c > (uint64_t)frontend::DAC_MAX_CODE) c = frontend::DAC_MAX_CODE;
  return microvolts < 0 ? (int16_t)-(int16_t)c : (int16_t)c;
}

}  // namespace mhil
