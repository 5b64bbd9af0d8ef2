// The board HAL: everything the firmware logic needs from hardware, as one C++ interface.
// Two implementations: avr/avr_board (ATmega2560 reference front end, see BOARD.md) and
// host/sim_board (a simulated crossbar for the host build, with a log of every applied drive).
#pragma once
#include <stdint.h>

namespace mhil {

enum LineKind : uint8_t { ROW = 0, COL = 1 };

// Fixed facts about a board's front end; calibration (EEPROM) refines the analog ones.
struct BoardShape {
  uint8_t rows;
  uint8_t cols;
  uint8_t dacBits;  // line drivers: signed codes in [-(2^(dacBits-1)-1), 2^(dacBits-1)-1]
  uint8_t adcBits;  // current sense: signed codes in [-(2^(adcBits-1)-1), 2^(adcBits-1)-1]
  uint16_t rxBufferBytes;  // bytes the link can hold while a command executes (LIM rxbuf)
};

class Board {
 public:
  virtual BoardShape shape() = 0;

  // Time. waitMicros is where the analog world moves on (the simulator integrates device physics).
  virtual uint32_t nowMicros() = 0;
  virtual uint32_t nowMillis() = 0;
  virtual void waitMicros(uint32_t us) = 0;

  // Line drive: a signed DAC code on one row or column line; code 0 is ground.
  virtual void setLine(LineKind kind, uint8_t index, int16_t code) = 0;
  // Every line to ground at once (the safe state), whatever the firmware logic believes.
  virtual void groundAll() = 0;
  // True when the hardware itself reports every line grounded.
  virtual bool allGrounded() = 0;

  // Current-sense range: the TIA's feedback resistor. LOW for reads and products, HIGH for pulses.
  enum SenseRange : uint8_t { SENSE_LOW = 0, SENSE_HIGH = 1 };
  virtual void setSenseRange(SenseRange range) = 0;

  // Current into/out of one line through the mux, TIA and ADC: a signed ADC code,
  // positive for current flowing from the line's driver into the array.
  virtual int16_t senseLine(LineKind kind, uint8_t index) = 0;

  // Board power monitor (INA219 class): bus millivolts and microamps of the analog rail.
  // Returns false when the monitor does not answer.
  virtual bool readPower(uint16_t* busMillivolts, int32_t* microamps) = 0;

  // Non-volatile storage for identity and calibration.
  virtual void storageRead(uint16_t addr, void* dst, uint16_t n) = 0;
  virtual void storageWrite(uint16_t addr, const void* src, uint16_t n) = 0;

  // Hardware watchdog: enable with a period, kick it from the main loop.
  virtual void watchdogStart(uint16_t periodMillis) = 0;
  virtual void watchdogKick() = 0;

  // Host link: one byte or -1 when none is waiting; write blocks until queued.
  virtual int16_t readByte() = 0;
  virtual void write(const char* bytes, uint16_t n) = 0;

  // 32 bits of power-up entropy for the boot nonce.
  virtual uint32_t entropy() = 0;
  // A human-readable event for the bench log (stderr on the host build; nothing on the board).
  virtual void logEvent(const char* text) = 0;

 protected:
  ~Board() {}
};

}  // namespace mhil
