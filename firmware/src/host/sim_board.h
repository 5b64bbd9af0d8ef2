// Host HAL: a simulated crossbar behind the reference front end, so the firmware logic runs on a PC.
// Every interval in which any line is driven is logged (for the fuzz test's "nothing was applied").
#pragma once
#include <stdint.h>
#include <vector>
#include <string>
#include "../hal/board.h"

namespace mhil {

// The host link the simulated board talks through (a pty/stdio in the binary, a buffer in tests).
class HostLink {
 public:
  virtual int16_t readByte() = 0;
  virtual void write(const char* bytes, uint16_t n) = 0;
  virtual ~HostLink() {}
};

// Device physics: soft bounds between gMin and gMax, no change below the thresholds.
struct DeviceModel {
  double gMinSiemens = 1e-5;
  double gMaxSiemens = 1e-4;
  double setThresholdVolts = 0.9;     // positive cell voltage above this raises G
  double resetThresholdVolts = 0.8;   // negative cell voltage beyond -this lowers G
  double ratePerVoltSecond = 1000.0;  // approach rate per volt of overdrive
  double readNoiseRelative = 0.0;     // Gaussian, relative to the sensed current
};

// One interval during which at least one line was off ground.
struct DriveEpisode {
  uint32_t startMicros;
  uint32_t durationMicros;
  float maxCellVolts;   // largest positive Vrow - Vcol seen on any cell
  float minCellVolts;   // most negative Vrow - Vcol seen on any cell
};

struct SimOptions {
  uint8_t rows = 16;
  uint8_t cols = 16;
  uint32_t seed = 1;
  bool logToStderr = false;
  bool virtualClock = false;     // true: the link's clock (nowMillis) too only moves by waitMicros/advance (tests, fuzz)
  bool hardwareWatchdog = false; // true: a real SIGALRM watchdog that grounds and exits
  std::string eepromPath;        // empty: in memory, blank (0xFF) at start
  DeviceModel model;
  int shortedRow = -1, shortedCol = -1;  // a shorted cell (G = 5 mS) to exercise compliance
};

class SimBoard : public Board {
 public:
  SimBoard(const SimOptions& opts, HostLink* link);
  virtual ~SimBoard() {}

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
  void logEvent(const char* text) override;

  // Test and fuzz access: the true device state and the log of driven intervals.
  double conductance(uint8_t r, uint8_t c) const { return g_[r * opts_.cols + c]; }
  void setConductance(uint8_t r, uint8_t c, double s) { g_[r * opts_.cols + c] = s; }
  const std::vector<DriveEpisode>& episodes() const { return episodes_; }
  uint64_t episodeCount() const { return episodeCount_; }
  void clearEpisodes() { episodes_.clear(); }
  void advanceMillis(uint32_t ms);  // virtual clock only
  // Drive state of one line (DAC code), as the hardware has it.
  int16_t lineCode(LineKind kind, uint8_t index) const;

 private:
  double lineVolts(LineKind kind, uint8_t index) const;
  void evolve(double seconds);
  void noteDrive();
  double gaussian();

  SimOptions opts_;
  HostLink* link_;
  std::vector<double> g_;
  std::vector<int16_t> rowCode_, colCode_;
  SenseRange range_ = SENSE_LOW;
  uint64_t virtualMicros_ = 0;
  uint64_t realStartMicros_ = 0;
  std::vector<uint8_t> eeprom_;
  std::vector<DriveEpisode> episodes_;
  uint64_t episodeCount_ = 0;
  bool inEpisode_ = false;
  uint64_t rng_;
  bool haveSpare_ = false;
  double spare_ = 0;
  // Energy bookkeeping for the power monitor: the analog rail's quiescent draw.
  uint32_t watchdogMillis_ = 0;
};

}  // namespace mhil
