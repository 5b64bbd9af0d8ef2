// Fuzz harness: feeds random, mutated and re-CRC'd lines to the firmware on the simulated board
// (in process, under ASan/UBSan) and checks from the board's own drive log that nothing was
// driven by a line that failed its CRC or its limits, that no cell ever saw more than the limits,
// and that a retried request is answered from memory without driving anything.
// usage: fuzz [LINES] [SEED]   prints a summary; exit 0 only when every check held.
#include <stdlib.h>
#include <string.h>
#include <map>
#include <set>
#include "harness.h"

using namespace rig;

static uint64_t rng = 88172645463325252ull;
static uint32_t next32() {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}
static uint32_t below(uint32_t n) { return n ? next32() % n : 0; }
static bool chance(uint32_t percent) { return below(100) < percent; }

static std::string hex(uint32_t v, int digits) {
  static const char H[] = "0123456789ABCDEF";
  std::string s;
  for (int i = digits - 1; i >= 0; i--) s += H[(v >> (4 * i)) & 0xF];
  return s;
}
static std::string num(long long v) { return std::to_string(v); }

static const int ROWS = 16, COLS = 16;
static const double VP = 1.5, VN = 1.35, VR = 0.3, EPS = 1e-6;

// A command body (without SEQ); `inLimits` false bends one field beyond its limit.
static std::string command(bool inLimits, bool* isPulse, bool* isRead) {
  *isPulse = *isRead = false;
  int kind = (int)below(8);
  auto idx = [&](int size) { return inLimits || chance(50) ? (long long)below(size) : (long long)size + below(300); };
  auto readUv = [&]() -> std::string {
    long long v = inLimits ? (long long)below(600001) - 300000 : (chance(50) ? 300001 + (long long)below(5000000) : -300001 - (long long)below(5000000));
    return num(v);
  };
  auto uv = [&]() -> long long {
    if (inLimits) return chance(50) ? (long long)below(1500001) : -(long long)below(1350001);
    return chance(50) ? 1500001 + (long long)below(5000000) : -1350001 - (long long)below(5000000);
  };
  auto ns = [&](bool bad) -> long long {
    if (!bad) return chance(95) ? 20000 + below(480001) : 20000 + below(9980001);
    return chance(50) ? (long long)below(20000) : 10000001 + (long long)below(100000000);
  };
  // For pulses, choose one field to break.
  int broken = inLimits ? -1 : (int)below(4);
  switch (kind) {
    case 0: *isRead = true; return "RCELL " + num(idx(ROWS)) + " " + num(idx(COLS)) + " " + readUv();
    case 1: *isRead = true; return "RROW " + num(idx(ROWS)) + " " + readUv();
    case 2:
    case 3: {
      *isRead = true;
      // 1 to 5 vectors (LIM mvb=3: 4 and 5 are refused whole); out of limits, one element of one vector is beyond vrmax.
      int vectors = chance(40) ? 1 + (int)below(5) : 1;
      int bad = inLimits ? -1 : (int)below(16 * vectors);
      std::string line = kind == 2 ? "MVF" : "MVT";
      for (int k = 0; k < vectors; k++) {
        std::vector<long> v;
        for (int i = 0; i < 16; i++) {
          int c = 16 * k + i == bad ? (chance(50) ? 2001 + (int)below(30000) : -2001 - (int)below(30000)) : (chance(30) ? 0 : (int)below(4001) - 2000);
          v.push_back(c);
        }
        line += " " + packed(v);
      }
      return line;
    }
    case 4:
    case 5: {
      *isPulse = true;
      long long n = broken == 3 ? 101 + below(150) : below(4);
      long long r = broken == 0 ? ROWS + below(10) : below(ROWS);
      long long volts = broken == 1 ? uv() : (long long)(chance(50) ? (long long)below(1500001) : -(long long)below(1350001));
      return "PCELL " + num(r) + " " + num(below(COLS)) + " " + num(volts) + " " + num(ns(broken == 2)) + " " + num(n);
    }
    default: {
      *isPulse = true;
      bool row = kind == 6;
      std::vector<long> c;
      int bad = broken == 3 ? (int)below(16) : -1;
      for (int k = 0; k < 16; k++) c.push_back((long)(k == bad ? 101 + below(155) : (chance(70) ? 0 : below(3))));
      std::string counts = packed(c, false);
      long long line = broken == 0 ? 16 + below(5) : below(16);
      long long scheme = broken == 0 && chance(50) ? (line = below(16), 4 + below(6)) : 2 + below(2);
      long long volts = broken == 1 ? uv() : (long long)(chance(50) ? (long long)below(1500001) : -(long long)below(1350001));
      return std::string(row ? "PROW " : "PCOL ") + num(line) + " " + num(scheme) + " " + num(volts) + " " + num(ns(broken == 2)) + " " + counts;
    }
  }
}

static std::string mutate(std::string s) {
  int edits = 1 + (int)below(4);
  for (int e = 0; e < edits && !s.empty(); e++) {
    size_t at = below((uint32_t)s.size());
    switch (below(6)) {
      case 0: s[at] = (char)(s[at] ^ (1 << below(8))); break;
      case 1: s.erase(at, 1 + below(3)); break;
      case 2: s.insert(at, 1, (char)(below(95) + 32)); break;
      case 3: s.resize(at); break;
      case 4: s.insert(at, s.substr(below((uint32_t)s.size()), below(10))); break;
      default: s[at] = (char)below(256); break;
    }
  }
  std::string out;
  for (char c : s) if (c != '\n') out += c;  // one line per unit
  return out;
}

int main(int argc, char** argv) {
  long lines = argc > 1 ? atol(argv[1]) : 100000;
  uint32_t seed = argc > 2 ? (uint32_t)atol(argv[2]) : 1;
  rng ^= (uint64_t)seed * 0x9E3779B97F4A7C15ull;
  Rig r(2000);
  long copiesDropped = 0;
  long failures = 0, fed = 0, crcBad = 0, refused = 0, executedPulses = 0, retries = 0, long_ = 0, okLines = 0;
  std::map<std::string, std::string> firstReply;  // sequenced request line -> its first reply
  std::vector<std::string> recent;                 // sequenced lines that executed, newest last
  std::set<std::string> heldSeqs;                  // SEQs of lines answered ERR HELD, not yet run
  auto fail = [&](const std::string& what, const std::string& line, const std::vector<std::string>& out) {
    if (failures++ < 20) printf("FAIL %s\n  line: %s\n  reply: %s\n", what.c_str(), line.c_str(), out.empty() ? "(none)" : out[0].c_str());
  };
  r.ask("0001 NEW 0BADC0DE");
  while (fed < lines) {
    uint16_t next = r.fw->nextSeq();
    std::string seq = hex(next, 4);
    bool isPulse = false, isRead = false, isRetry = false, expectRefusal = false;
    std::string line;
    uint32_t pick = below(100);
    if (pick < 30) {
      line = framed(seq + " " + command(true, &isPulse, &isRead));
    } else if (pick < 45) {
      line = framed(seq + " " + command(false, &isPulse, &isRead));
      expectRefusal = true;
    } else if (pick < 55 && !recent.empty()) {
      line = recent[recent.size() - 1 - below((uint32_t)std::min<size_t>(recent.size(), 8))];
      isRetry = true;
      if (chance(50)) line = "+" + line;  // a request copy of a line that ran: silent, or ORDER once forgotten; never run
    } else if (pick < 75) {
      line = mutate(framed(seq + " " + command(chance(70), &isPulse, &isRead)));
      isPulse = isRead = false;
    } else if (pick < 85) {
      std::string body = mutate(seq + " " + command(chance(70), &isPulse, &isRead));
      size_t star;
      while ((star = body.find('*')) != std::string::npos) body.erase(star, 1);
      line = framed(body);
      isPulse = isRead = false;
    } else if (pick < 90) {
      size_t n = below(400);
      for (size_t i = 0; i < n; i++) {
        char c = (char)below(256);
        line += c == '\n' ? ' ' : c;
      }
    } else if (pick < 93) {
      line = std::string(256 + below(2000), (char)(33 + below(90)));
    } else if (pick < 97) {
      static const char* ro[] = {"ID", "LIM", "ST", "EN", "PING"};
      line = framed("0000 " + std::string(ro[below(5)]));
    } else {
      r.board->advanceMillis(chance(50) ? 2500 : below(1000));  // the link goes quiet now and then
      line = framed(seq + " PING");
    }
    if (chance(3)) line += '\r';
    uint64_t episodesBefore = r.board->episodeCount();
    size_t logBefore = r.board->episodes().size();
    uint32_t pulsesBefore = r.fw->counters().pulsesApplied;
    std::vector<std::string> out = r.raw(line + "\n");
    fed++;
    uint64_t newEpisodes = r.board->episodeCount() - episodesBefore;
    std::string body = line;
    if (!body.empty() && body.back() == '\r') body.pop_back();
    bool tooLong = line.size() + 1 > 255;
    // A leading '+' marks a request copy (PROTOCOL.md §3): judged by the line after it; silent when its SEQ was taken.
    bool copy = !body.empty() && body[0] == '+';
    bool valid = !tooLong && crcValid(copy ? line.substr(1) : line);

    bool empty = body.empty();  // the second break of a line end: ignored
    // One reply per non-empty line (a valid copy: at most one), then (a line that filled a gap) the answers of lines
    // held before, in SEQ order.
    if (copy && valid && out.empty()) copiesDropped++;
    if (out.size() < (empty || (copy && valid) ? 0u : 1u) || (empty && !out.empty())) fail("exactly one reply per non-empty line", line, out);
    for (size_t i = 1; i < out.size(); i++) {
      if (!heldSeqs.erase(out[i].substr(0, 4))) fail("every further reply answers a line held before", line, out);
    }
    if (!out.empty() && out[0].find(" ERR HELD expected ") == 4) heldSeqs.insert(out[0].substr(0, 4));
    if (!out.empty() && out[0].find(" OK NEW ") == 4) heldSeqs.clear();
    for (const std::string& o : out) {
      if (!crcValid(o) || o.size() + 1 > 4095) fail("reply is a well-formed line", line, out);
    }
    std::string reply = out.empty() ? "" : out[0];
    bool err = reply.size() > 9 && reply.compare(5, 3, "ERR") == 0;
    if (tooLong) {
      long_++;
      if (!startsWith(reply, "0000 ERR LONG")) fail("overlong line refused as LONG", line, out);
    } else if (!valid && !empty) {
      crcBad++;
      if (reply.find(" ERR CRC ") != 4) fail("damaged line answered ERR CRC", line, out);
    }
    if ((!valid || err) && newEpisodes != 0) fail("nothing driven by a line that failed its CRC or was refused", line, out);
    if ((!valid || err) && r.fw->counters().pulsesApplied != pulsesBefore) fail("no pulse counted for a failed line", line, out);
    if (err) refused++;
    // A refusal is a NAK (PROTOCOL.md v2 §3): nothing remembered, the SEQ not consumed.
    if (err && r.fw->nextSeq() != next) fail("a refusal leaves next unchanged", line, out);
    if (expectRefusal && reply.find(" ERR LIMIT ") != 4 && reply.find(" ERR ORDER ") != 4 && reply.find(" ERR REUSED ") != 4 &&
        firstReply.find(line) == firstReply.end())
      fail("out-of-limit request refused with ERR LIMIT", line, out);
    if (valid && !err) okLines++;
    // Every driven interval within the limits: program volts, and read volts for reads.
    const std::vector<mhil::DriveEpisode>& eps = r.board->episodes();
    for (size_t i = logBefore; i < eps.size(); i++) {
      const mhil::DriveEpisode& e = eps[i];
      if (e.maxCellVolts > VP + EPS || e.minCellVolts < -VN - EPS) fail("cell voltage within vpmax/vnmax", line, out);
      // Read volts only for the read's own episodes: a read that filled a gap also runs the lines held behind it.
      if (isRead && out.size() == 1 && (e.maxCellVolts > VR + EPS || e.minCellVolts < -VR - EPS)) fail("read voltage within vrmax", line, out);
      if (e.durationMicros > 10000 + 2000) fail("pulse width within wmax", line, out);
    }
    // Retry: byte-identical reply from memory, nothing driven.
    auto known = firstReply.find(line);
    if (isRetry || known != firstReply.end()) {
      if (known != firstReply.end() && reply.find(" ERR ORDER ") != 4) {
        retries++;
        if (reply != known->second) fail("retry answered byte-identically", line, out);
        if (newEpisodes != 0) fail("retry drove nothing", line, out);
      } else if (newEpisodes != 0) {
        fail("forgotten retry drove nothing", line, out);
      }
    } else if (valid && reply.size() > 5 && reply.compare(0, 4, line.substr(0, 4)) == 0 && line.compare(0, 4, "0000") != 0 &&
               r.fw->nextSeq() != next) {
      // It executed (the session moved on): remember it for later retries.
      firstReply[line] = reply;
      recent.push_back(line);
      if (recent.size() > 64) recent.erase(recent.begin());
      if (isPulse && !err) executedPulses++;
    }
    if (firstReply.size() > 4096) {
      firstReply.clear();
      recent.clear();
    }
    // Idle between lines: every line grounded.
    if (!r.board->allGrounded()) fail("grounded between commands", line, out);
    // Keep the session alive after a NEW forged by a mutation, or a quiet period.
    if (r.fw->nextSeq() == 0) r.ask(hex(1 + below(0xFFFE), 4) + " NEW 0BADC0DE");
  }
  printf("fuzz: %ld lines fed (seed %u): %ld failed CRC, %ld overlong, %ld refused, %ld accepted, %ld pulse commands executed, %ld retries answered from memory, %llu drive episodes, %u pulses applied, %ld copies dropped\n",
         fed, seed, crcBad, long_, refused, okLines, executedPulses, retries, (unsigned long long)r.board->episodeCount(),
         r.fw->counters().pulsesApplied, copiesDropped);
  printf("fuzz: %ld check failures\n", failures);
  return failures == 0 && executedPulses > 0 && retries > 0 && copiesDropped > 0 ? 0 : 1;
}
