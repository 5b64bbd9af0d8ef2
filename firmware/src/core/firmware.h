// The crossbar-controller firmware logic, hardware-independent: line assembly with bounded
// buffers, CRC check before anything acts, exactly-once sequencing with a reply memory, the
// command dispatcher with device-side limits, link-silence grounding and the energy counters.
// Runs unchanged on the ATmega2560 (avr/main.cpp) and on a PC over a pty (host/main.cpp).
#pragma once
#include <stdint.h>
#include "../hal/board.h"
#include "calibration.h"
#include "engine.h"
#include "reply.h"

namespace mhil {

const char FIRMWARE_VERSION[] = "3.0.0";
const uint8_t PROTOCOL_VERSION = 3;
const uint16_t MAX_IN = 255;       // LIM maxin: host->device line limit including '\n'
const uint8_t MEMORY_DEPTH = 8;    // LIM mem
const uint8_t MAX_COPIES = 2;      // LIM dup: DUP 2 sends every line twice (PROTOCOL.md §4)
const uint8_t HOLD_LINES = 2;      // LIM hold: lines kept when they arrive ahead of `next` (PROTOCOL.md §3)
const uint8_t CODE_DIGITS = 3;     // LIM vhex/ahex 4 (16-bit codes) in base-64 digits (PROTOCOL.md §2 V)
const uint8_t COUNT_DIGITS = 2;    // LIM chex 2 (8-bit counts) in base-64 digits
const uint8_t MAX_FIELDS = 8;       // SEQ, CMD and up to 6 arguments (LIM takes up to 6 key names)
// LIM mvb: input vectors one MVF/MVT line may carry (PROTOCOL.md §5). 3 is the most whose worst-case reply still fits
// a slot with a one-byte length, and whose worst-case request fits maxin whatever the codes (see the asserts below).
const uint8_t PRODUCT_VECTORS = 3;
// A packed vector of 16 full-width codes with its space: space, digit count, 16 x 3 digits.
const uint16_t VECTOR_FIELD_BYTES = 2 + MAX_LINES * CODE_DIGITS;
// Longest remembered reply: `SEQ OK MVF ` (12), three energies of up to 20 digits and `e-15` and a duration of up to
// 13 digits and `e-9`, each with its space (92), then the output vectors of a full product line.
const uint16_t LONGEST_PRODUCT_REPLY = 12 + 92 + PRODUCT_VECTORS * VECTOR_FIELD_BYTES;
static_assert(LONGEST_PRODUCT_REPLY <= 255, "a product line's reply must fit a slot (one-byte length)");
static_assert(9 + PRODUCT_VECTORS * VECTOR_FIELD_BYTES + 11 <= MAX_IN, "mvb full-width vectors must fit one request line");
const uint8_t SLOT_BYTES = (uint8_t)LONGEST_PRODUCT_REPLY;  // 254 on 16 lines (RROW's reply is shorter)

struct Counters {
  uint64_t cellFemtojoules;
  uint64_t halfSelectedFemtojoules;
  uint64_t peripheralFemtojoules;
  uint64_t busyNanos;
  uint32_t pulsesApplied;
  uint32_t complianceTrips;
  uint64_t boardMicrojoules;  // power monitor, integrated over time
  uint32_t boardMicrowatts;   // last power-monitor reading
  uint32_t silences;          // times the link went quiet and the lines were grounded
};

// Joules as whole femtojoules (the energy fields' unit), 0 for none.
uint64_t femtojoules(float joules);

// What a command spent in the units of its reply's four fields: a line of several products reports, and counts, the
// exact sum of what each would have reported alone.
struct Spent {
  uint64_t cellFemtojoules;
  uint64_t halfSelectedFemtojoules;
  uint64_t peripheralFemtojoules;
  uint64_t nanos;
  void add(const Tally& t);
};

class Firmware {
 public:
  Firmware(Board& board, uint32_t quietMillis);
  // Power-up: ground, load calibration, draw the boot nonce, start the watchdog, send BOOT.
  void begin();
  // One main-loop turn: take waiting bytes (at most one complete line is handled), check the
  // link silence, sample the power monitor, feed the watchdog.
  void poll();
  // Feeds one received byte (poll() does this from the board's link).
  void receive(uint8_t byte);

  const Counters& counters() const { return counters_; }
  const Calibration& calibration() const { return cal_; }
  bool calibrationFromEeprom() const { return calibrationValid_; }
  uint16_t nextSeq() const { return next_; }

 private:
  struct Slot {
    uint16_t seq;
    uint32_t requestCrc;
    uint8_t length;  // 0: regenerate (ID, LIM)
    uint8_t used;
    char text[SLOT_BYTES];
  };
  // A CRC-valid line that arrived ahead of `next`, as it arrived (without its line end), run once `next` reaches it.
  struct Held {
    uint16_t seq;
    uint32_t requestCrc;
    uint8_t length;
    uint8_t used;
    char text[MAX_IN];
  };
  enum Outcome : uint8_t { DONE, FAILED };

  void handleLine(char* line, uint16_t len);
  void silenceCheck();
  void sampleBoardPower();
  void send(Reply& r);
  // Dispatch: builds the reply for one well-formed request (sequenced or not).
  void execute(uint16_t seq, char** f, uint8_t nf);
  void errorReply(uint16_t seq, const char* code, const char* text);
  void beginOk(uint16_t seq, const char* cmd);
  void measured(const Tally& t);
  void measured(const Spent& s);
  void measuredAndCounted(const Tally& t);
  void measuredAndCounted(const Spent& s);
  void idPayload();
  // Every LIM key, or only those named in keys[0..n) (unknown names are left out).
  void limPayload(char** keys = 0, uint8_t n = 0);
  // Commands (f[0] = SEQ, f[1] = CMD, f[2..] = arguments).
  void cmdReadCell(uint16_t seq, char** f, uint8_t nf);
  void cmdReadRow(uint16_t seq, char** f, uint8_t nf);
  void cmdProduct(uint16_t seq, char** f, uint8_t nf, LineKind driven);
  void cmdPulseCell(uint16_t seq, char** f, uint8_t nf);
  void cmdPulseLine(uint16_t seq, char** f, uint8_t nf, LineKind driven);
  void cmdCopies(uint16_t seq, char** f, uint8_t nf);
  // Argument checks: each replies the error itself and returns false.
  bool index(uint16_t seq, const char* text, const char* name, uint8_t size, uint8_t* out);
  bool readCode(uint16_t seq, const char* text, uint16_t n, int16_t* out);
  bool readVolts(uint16_t seq, const char* text, int16_t* out);
  bool pulseShape(uint16_t seq, const char* uvText, const char* nsText, int16_t* vcode, uint32_t* widthMicros);
  // Keeps `line` (split into fields in place, restored here) when SEQ is within the reply memory ahead of `next`
  // and a slot is free or already holds it; false: not kept (ERR ORDER).
  bool hold(uint16_t seq, uint32_t crc, const char* line, uint16_t len);
  // Runs the held line for `next`, if there is one; true if it ran (one line per main-loop turn).
  bool runHeld();
  // The line held for `seq`, if any.
  Held* heldLine(uint16_t seq);
  void remember(uint16_t seq, uint32_t crc, char regenerate);
  Slot* recall(uint16_t seq);
  void replay(const Slot& s);

  Board& board_;
  Calibration cal_;
  bool calibrationValid_;
  Engine engine_;
  Reply reply_;
  char line_[MAX_IN];
  uint16_t lineLen_;
  bool lineOverflow_;
  Slot memory_[MEMORY_DEPTH];
  Held held_[HOLD_LINES];
  uint8_t memoryHead_;
  uint16_t next_;
  uint8_t copies_;  // DUP: how many times every line is sent
  uint32_t boot_;
  uint32_t quietMillis_;
  uint32_t lastValidMillis_;
  bool quietGrounded_;
  uint32_t lastPowerMillis_;
  Counters counters_;
  BoardShape shape_;
};

}  // namespace mhil
