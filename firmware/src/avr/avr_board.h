// AVR HAL: the ATmega2560 reference board (BOARD.md): AD5370 40-channel DAC for the lines,
// ADG1606 multiplexers into a two-range TIA and a 16-bit SPI ADC, INA219 rail monitor on I2C.
#pragma once
#include <stdint.h>
#include "../hal/board.h"

namespace mhil {

class AvrBoard : public Board {
 public:
  // Pins to their safe levels, DAC cleared to 0 V, timers, UART, SPI, I2C, power monitor.
  void init();

  BoardShape shape() override;
  uint32_t nowMicros() override;
  uint32_t nowMillis() override;
  void waitMicros(uint32_t us) override;
  void setLine(LineKind kind, uint8_t index, int16_t code) override;
  void groundAll() override;
  bool allGrounded() override;
  void setSenseRange(SenseRange range) override;
  int16_t senseLine(LineKind kind, uint8_t index) override;
  bool readPower(uint16_t* busMillivolts, int32_t* microamps) override;
  void storageRead(uint16_t addr, void* dst, uint16_t n) override;
  void storageWrite(uint16_t addr, const void* src, uint16_t n) override;
  void watchdogStart(uint16_t periodMillis) override;
  void watchdogKick() override;
  int16_t readByte() override;
  void write(const char* bytes, uint16_t n) override;
  uint32_t entropy() override;
  void logEvent(const char*) override {}

 private:
  void dacWrite(uint8_t channel, int16_t code);
  bool monitorRead(uint8_t reg, uint16_t* value);
  bool monitorWrite(uint8_t reg, uint16_t value);
  int16_t rowCode_[16];
  int16_t colCode_[16];
  bool monitorOk_;
};

}  // namespace mhil
