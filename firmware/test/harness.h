// Test rig: the firmware logic on the simulated board with an in-memory link and a virtual
// clock, so unit tests and the fuzz harness drive it line by line, in process.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <string>
#include <deque>
#include <vector>
#include "../src/core/crc32c.h"
#include "../src/core/firmware.h"
#include "../src/core/text.h"
#include "../src/host/sim_board.h"

namespace rig {

class BufferLink : public mhil::HostLink {
 public:
  std::deque<uint8_t> in;
  std::string out;
  int16_t readByte() override {
    if (in.empty()) return -1;
    uint8_t b = in.front();
    in.pop_front();
    return b;
  }
  void write(const char* bytes, uint16_t n) override { out.append(bytes, n); }
};

// "BODY" -> "BODY *CRC" (CRC over BODY plus the space), PROTOCOL.md §1.
inline std::string framed(const std::string& body) {
  std::string s = body + " ";
  char crc[12];
  snprintf(crc, sizeof crc, "*%08lX", (unsigned long)mhil::crc32c(s.data(), (uint16_t)s.size()));
  return s + crc;
}

// True when `line` (without '\n') has the trailer shape and a matching CRC.
inline bool crcValid(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  size_t n = line.size();
  if (n < 10 || line[n - 9] != '*' || line[n - 10] != ' ') return false;
  if (line.find('*') != n - 9) return false;
  unsigned long v = 0;
  for (size_t i = n - 8; i < n; i++) {
    char c = line[i];
    if (c >= '0' && c <= '9') v = v * 16 + (unsigned)(c - '0');
    else if (c >= 'A' && c <= 'F') v = v * 16 + (unsigned)(c - 'A' + 10);
    else return false;
  }
  return mhil::crc32c(line.data(), (uint16_t)(n - 9)) == v;
}

struct Rig {
  BufferLink link;
  mhil::SimOptions opts;
  mhil::SimBoard* board;
  mhil::Firmware* fw;
  explicit Rig(uint32_t quietMillis = 2000, int shortedRow = -1, int shortedCol = -1, uint8_t rows = 16, uint8_t cols = 16) {
    opts.virtualClock = true;
    opts.rows = rows;
    opts.cols = cols;
    opts.shortedRow = shortedRow;
    opts.shortedCol = shortedCol;
    board = new mhil::SimBoard(opts, &link);
    fw = new mhil::Firmware(*board, quietMillis);
    fw->begin();
    link.out.clear();  // the BOOT banner
  }
  ~Rig() {
    delete fw;
    delete board;
  }
  // Raw bytes in; every reply line out (without its line breaks; the empty line of each "\n\n" end is skipped).
  std::vector<std::string> raw(const std::string& bytes) {
    for (char c : bytes) link.in.push_back((uint8_t)c);
    while (!link.in.empty()) fw->poll();
    for (int i = 0; i <= mhil::HOLD_LINES; i++) fw->poll();  // and the held lines that can now run, one per turn
    std::vector<std::string> lines;
    size_t start = 0, nl;
    while ((nl = link.out.find('\n', start)) != std::string::npos) {
      if (nl > start) lines.push_back(link.out.substr(start, nl - start));
      start = nl + 1;
    }
    link.out.erase(0, start);
    return lines;
  }
  // One framed request; its one reply line ("" if none came).
  std::string ask(const std::string& body) {
    std::vector<std::string> r = raw(framed(body) + "\n");
    return r.empty() ? "" : r.back();
  }
};

inline bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// A packed vector (PROTOCOL.md §2 V) of signed values: the fewest base-64 digits each, zero runs.
inline std::string packed(const std::vector<long>& v, bool isSigned = true) {
  uint8_t w = 1;
  for (long x : v) {
    while (isSigned ? (x < -(1L << (6 * w - 1)) || x >= (1L << (6 * w - 1))) : x >= (1L << (6 * w))) w++;
  }
  std::string out(1, mhil::digitChar(w));
  size_t zeros = 0;
  for (size_t i = 0; i <= v.size(); i++) {
    if (i < v.size() && v[i] == 0) {
      zeros++;
      continue;
    }
    for (; zeros > 0; zeros -= zeros < mhil::MAX_ZERO_RUN ? zeros : mhil::MAX_ZERO_RUN) {
      out += mhil::zeroRunChar((uint8_t)(zeros < mhil::MAX_ZERO_RUN ? zeros : mhil::MAX_ZERO_RUN));
    }
    if (i == v.size()) break;
    unsigned long u = (unsigned long)v[i];
    for (int d = w - 1; d >= 0; d--) out += mhil::digitChar((uint8_t)((u >> (6 * d)) & 63u));
  }
  return out;
}

// The signed values of a packed vector (empty when it does not decode).
inline std::vector<long> unpacked(const std::string& text) {
  std::vector<long> out;
  mhil::VectorReader r;
  if (!r.begin(text.c_str(), 3)) return out;
  int32_t x;
  while (!r.done()) {
    if (!r.next(true, &x)) return std::vector<long>();
    out.push_back(x);
  }
  return out;
}

}  // namespace rig
