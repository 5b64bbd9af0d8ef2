// The simulated crossbar behind the reference front end (see sim_board.h).
#include "sim_board.h"
#include "../hal/front_end.h"
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

namespace mhil {

static uint64_t monotonicMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const uint16_t EEPROM_BYTES = 4096;  // ATmega2560
static const double SHORTED_SIEMENS = 5e-3;

SimBoard::SimBoard(const SimOptions& opts, HostLink* link)
    : opts_(opts), link_(link), g_(opts.rows * opts.cols), rowCode_(opts.rows, 0), colCode_(opts.cols, 0),
      eeprom_(EEPROM_BYTES, 0xFF), rng_(opts.seed * 0x9E3779B97F4A7C15ull + 1) {
  realStartMicros_ = monotonicMicros();
  // Start each device somewhere in its range, reproducibly from the seed.
  for (size_t i = 0; i < g_.size(); i++) {
    rng_ ^= rng_ << 13; rng_ ^= rng_ >> 7; rng_ ^= rng_ << 17;
    double u = (double)(rng_ >> 11) / 9007199254740992.0;
    g_[i] = opts_.model.gMinSiemens + (0.2 + 0.6 * u) * (opts_.model.gMaxSiemens - opts_.model.gMinSiemens);
  }
  if (opts_.shortedRow >= 0 && opts_.shortedRow < opts_.rows && opts_.shortedCol >= 0 && opts_.shortedCol < opts_.cols) {
    g_[opts_.shortedRow * opts_.cols + opts_.shortedCol] = SHORTED_SIEMENS;
  }
  if (!opts_.eepromPath.empty()) {
    FILE* f = fopen(opts_.eepromPath.c_str(), "rb");
    if (f) {
      size_t got = fread(eeprom_.data(), 1, eeprom_.size(), f);
      (void)got;
      fclose(f);
    }
  }
}

BoardShape SimBoard::shape() {
  BoardShape s;
  s.rows = opts_.rows;
  s.cols = opts_.cols;
  s.dacBits = 16;
  s.adcBits = 16;
  s.rxBufferBytes = 4096;  // the pty's kernel buffer holds far more; 4096 keeps the host window honest
  return s;
}

// The device's clock: pulse widths, read times and the joules they integrate. Only simulated time counts,
// time that waitMicros let the physics move through: the host's own computing is not the array's time, and
// counting it made a pulse end early and a read cost more whenever the machine was loaded (a training's
// accuracy fell from 0.97 to 0.94 under load). The link's clock (nowMillis) keeps real time for silence.
uint32_t SimBoard::nowMicros() { return (uint32_t)virtualMicros_; }

uint32_t SimBoard::nowMillis() {
  uint64_t t = virtualMicros_;
  if (!opts_.virtualClock) t += monotonicMicros() - realStartMicros_;
  return (uint32_t)(t / 1000u);
}

void SimBoard::advanceMillis(uint32_t ms) { virtualMicros_ += (uint64_t)ms * 1000u; }

// Time passes instantly in the simulator: the physics moves on by `us` and the clock with it.
void SimBoard::waitMicros(uint32_t us) {
  if (inEpisode_) episodes_.back().durationMicros += us;
  evolve(us * 1e-6);
  virtualMicros_ += us;
}

double SimBoard::lineVolts(LineKind kind, uint8_t index) const {
  int16_t code = kind == ROW ? rowCode_[index] : colCode_[index];
  return code * (double)frontend::DAC_NANOVOLTS_PER_CODE * 1e-9;
}

int16_t SimBoard::lineCode(LineKind kind, uint8_t index) const { return kind == ROW ? rowCode_[index] : colCode_[index]; }

// Soft bounds, solved exactly for a constant voltage over the interval.
void SimBoard::evolve(double seconds) {
  const DeviceModel& m = opts_.model;
  for (uint8_t r = 0; r < opts_.rows; r++) {
    double vr = lineVolts(ROW, r);
    for (uint8_t c = 0; c < opts_.cols; c++) {
      double v = vr - lineVolts(COL, c);
      double& g = g_[r * opts_.cols + c];
      if (g > m.gMaxSiemens * 1.5) continue;  // a shorted device does not switch
      if (v > m.setThresholdVolts) {
        double k = m.ratePerVoltSecond * (v - m.setThresholdVolts);
        g = m.gMaxSiemens - (m.gMaxSiemens - g) * exp(-k * seconds);
      } else if (v < -m.resetThresholdVolts) {
        double k = m.ratePerVoltSecond * (-v - m.resetThresholdVolts);
        g = m.gMinSiemens + (g - m.gMinSiemens) * exp(-k * seconds);
      }
    }
  }
}

// Opens or extends the current drive episode with the cell voltages now on the array.
void SimBoard::noteDrive() {
  bool any = false;
  for (int16_t c : rowCode_) any |= c != 0;
  for (int16_t c : colCode_) any |= c != 0;
  if (!any) {
    inEpisode_ = false;
    return;
  }
  if (!inEpisode_) {
    DriveEpisode e;
    e.startMicros = nowMicros();
    e.durationMicros = 0;
    e.maxCellVolts = 0;
    e.minCellVolts = 0;
    episodes_.push_back(e);
    episodeCount_++;
    inEpisode_ = true;
  }
  DriveEpisode& e = episodes_.back();
  for (uint8_t r = 0; r < opts_.rows; r++) {
    for (uint8_t c = 0; c < opts_.cols; c++) {
      float v = (float)(lineVolts(ROW, r) - lineVolts(COL, c));
      if (v > e.maxCellVolts) e.maxCellVolts = v;
      if (v < e.minCellVolts) e.minCellVolts = v;
    }
  }
}

void SimBoard::setLine(LineKind kind, uint8_t index, int16_t code) {
  if (kind == ROW && index < opts_.rows) rowCode_[index] = code;
  if (kind == COL && index < opts_.cols) colCode_[index] = code;
  noteDrive();
}

// The DAC's clear input: every output to 0 V, settled after 1 us.
void SimBoard::groundAll() {
  for (int16_t& c : rowCode_) c = 0;
  for (int16_t& c : colCode_) c = 0;
  inEpisode_ = false;
  virtualMicros_ += 1;
}

bool SimBoard::allGrounded() {
  for (int16_t c : rowCode_) if (c != 0) return false;
  for (int16_t c : colCode_) if (c != 0) return false;
  return true;
}

void SimBoard::setSenseRange(SenseRange range) { range_ = range; }

double SimBoard::gaussian() {
  if (haveSpare_) {
    haveSpare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    rng_ ^= rng_ << 13; rng_ ^= rng_ >> 7; rng_ ^= rng_ << 17;
    u = 2.0 * ((double)(rng_ >> 11) / 9007199254740992.0) - 1.0;
    rng_ ^= rng_ << 13; rng_ ^= rng_ >> 7; rng_ ^= rng_ << 17;
    v = 2.0 * ((double)(rng_ >> 11) / 9007199254740992.0) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  spare_ = v * f;
  haveSpare_ = true;
  return u * f;
}

// Kirchhoff: the current a line's driver pushes into the array, through the TIA to an ADC code.
int16_t SimBoard::senseLine(LineKind kind, uint8_t index) {
  double amps = 0;
  if (kind == ROW && index < opts_.rows) {
    double vr = lineVolts(ROW, index);
    for (uint8_t c = 0; c < opts_.cols; c++) amps += g_[index * opts_.cols + c] * (vr - lineVolts(COL, c));
  } else if (kind == COL && index < opts_.cols) {
    double vc = lineVolts(COL, index);
    for (uint8_t r = 0; r < opts_.rows; r++) amps += g_[r * opts_.cols + index] * (vc - lineVolts(ROW, r));
  }
  if (opts_.model.readNoiseRelative > 0) amps *= 1.0 + opts_.model.readNoiseRelative * gaussian();
  double perCode = (range_ == SENSE_LOW ? frontend::SENSE_LOW_PICOAMPS_PER_CODE : frontend::SENSE_HIGH_PICOAMPS_PER_CODE) * 1e-12;
  double code = round(amps / perCode);
  if (code > frontend::ADC_MAX_CODE) code = frontend::ADC_MAX_CODE;
  if (code < -frontend::ADC_MAX_CODE) code = -frontend::ADC_MAX_CODE;
  if (inEpisode_) episodes_.back().durationMicros += frontend::SENSE_MICROS;
  evolve(frontend::SENSE_MICROS * 1e-6);
  virtualMicros_ += frontend::SENSE_MICROS;
  return (int16_t)code;
}

// The analog rail: 40 mA quiescent at 5 V plus what the line drivers source.
bool SimBoard::readPower(uint16_t* busMillivolts, int32_t* microamps) {
  double amps = 0.040;
  for (uint8_t r = 0; r < opts_.rows; r++) {
    double vr = lineVolts(ROW, r);
    for (uint8_t c = 0; c < opts_.cols; c++) amps += fabs(g_[r * opts_.cols + c] * (vr - lineVolts(COL, c)));
  }
  *busMillivolts = 5000;
  *microamps = (int32_t)(amps * 1e6);
  return true;
}

void SimBoard::storageRead(uint16_t addr, void* dst, uint16_t n) {
  uint8_t* d = (uint8_t*)dst;
  for (uint16_t i = 0; i < n; i++) d[i] = (uint32_t)addr + i < eeprom_.size() ? eeprom_[addr + i] : 0xFF;
}

void SimBoard::storageWrite(uint16_t addr, const void* src, uint16_t n) {
  const uint8_t* s = (const uint8_t*)src;
  for (uint16_t i = 0; i < n; i++) if ((uint32_t)addr + i < eeprom_.size()) eeprom_[addr + i] = s[i];
  if (!opts_.eepromPath.empty()) {
    FILE* f = fopen(opts_.eepromPath.c_str(), "wb");
    if (f) {
      fwrite(eeprom_.data(), 1, eeprom_.size(), f);
      fclose(f);
    }
  }
}

// The hardware watchdog of the host build: 250 ms of the process's own CPU time without a kick
// (SIGVTALRM) grounds every line and ends the process, as a reset would on the board. CPU time,
// not wall time, so a loaded machine that deschedules the process does not fire it.
static SimBoard* watchdogBoard = 0;
static void watchdogFired(int) {
  if (watchdogBoard) watchdogBoard->groundAll();
  static const char msg[] = "mhil-fw: watchdog expired: all lines grounded, resetting\n";
  ssize_t w = ::write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(70);
}

void SimBoard::watchdogStart(uint16_t periodMillis) {
  if (!opts_.hardwareWatchdog) return;
  watchdogMillis_ = periodMillis;
  watchdogBoard = this;
  signal(SIGVTALRM, watchdogFired);
  watchdogKick();
}

void SimBoard::watchdogKick() {
  if (!opts_.hardwareWatchdog || watchdogMillis_ == 0) return;
  struct itimerval t;
  memset(&t, 0, sizeof t);
  t.it_value.tv_sec = watchdogMillis_ / 1000;
  t.it_value.tv_usec = (watchdogMillis_ % 1000) * 1000;
  setitimer(ITIMER_VIRTUAL, &t, 0);
}

int16_t SimBoard::readByte() { return link_ ? link_->readByte() : -1; }

void SimBoard::write(const char* bytes, uint16_t n) {
  if (link_) link_->write(bytes, n);
}

uint32_t SimBoard::entropy() {
  uint32_t x = 0;
  FILE* f = fopen("/dev/urandom", "rb");
  if (f) {
    if (fread(&x, sizeof x, 1, f) != 1) x = 0;
    fclose(f);
  }
  return x ^ (uint32_t)monotonicMicros() ^ (opts_.seed * 2654435761u);
}

void SimBoard::logEvent(const char* text) {
  if (opts_.logToStderr) fprintf(stderr, "mhil-fw: %s\n", text);
}

}  // namespace mhil
