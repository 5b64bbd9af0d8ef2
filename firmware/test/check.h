// The firmware unit tests' shared pieces: the CHECK macro and its counters, and small helpers over the rig.
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string>
#include <vector>
#include "harness.h"

extern int checks, failures;
extern const char* currentTest;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    checks++;                                                              \
    if (!(cond)) {                                                         \
      failures++;                                                          \
      printf("FAIL %s (%s:%d): %s | ", currentTest, __FILE__, __LINE__, #cond); \
      printf(__VA_ARGS__);                                                 \
      printf("\n");                                                        \
    }                                                                      \
  } while (0)

inline std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0, sp;
  while ((sp = s.find(' ', start)) != std::string::npos) {
    out.push_back(s.substr(start, sp - start));
    start = sp + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

// A D field as a double ("0", "123e-15").
inline double decimal(const std::string& d) { return strtod(d.c_str(), 0); }

inline std::string newSession(rig::Rig& r, const char* seq = "0001") {
  return r.ask(std::string(seq) + " NEW 9C41D2E0");
}

// The device tests (unit-device.cpp): limits, energy and reads, compliance, EEPROM.
void testLimits();
void testEnergyAndReads();
void testCompliance();
void testEeprom();
void testProductBatch();
