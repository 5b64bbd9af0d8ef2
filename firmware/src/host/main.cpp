// mhil-fw host build: the firmware logic on a simulated crossbar, speaking PROTOCOL.md over
// stdin/stdout (wrap it with socat) or over a pty it opens itself (--pty prints the slave path).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <string>
#include "../core/calibration.h"
#include "../core/firmware.h"
#include "sim_board.h"

using namespace mhil;

// Bytes from one fd, buffered; writes go to another (or the same) fd.
class FdLink : public HostLink {
 public:
  FdLink(int in, int out) : in_(in), out_(out), pos_(0), len_(0), eof_(false) {}
  int16_t readByte() override {
    if (pos_ == len_) {
      ssize_t n = read(in_, buf_, sizeof buf_);
      if (n == 0) eof_ = true;
      if (n <= 0) return -1;
      pos_ = 0;
      len_ = (size_t)n;
    }
    return (uint8_t)buf_[pos_++];
  }
  void write(const char* bytes, uint16_t n) override {
    while (n > 0) {
      ssize_t w = ::write(out_, bytes, n);
      if (w < 0) {
        if (errno == EAGAIN || errno == EINTR) {
          struct pollfd p = {out_, POLLOUT, 0};
          poll(&p, 1, 10);
          continue;
        }
        return;  // the host went away; the firmware carries on as a board would
      }
      bytes += w;
      n = (uint16_t)(n - w);
    }
  }
  bool pending() const { return pos_ < len_; }
  bool eof() const { return eof_; }

 private:
  int in_, out_;
  char buf_[4096];
  size_t pos_, len_;
  bool eof_;
};

static volatile sig_atomic_t stopRequested = 0;
static void onStop(int) { stopRequested = 1; }

static void usage() {
  fprintf(stderr,
          "usage: mhil-fw [--pty] [--quiet-ms N] [--rows N] [--cols N] [--seed N] [--noise REL]\n"
          "               [--eeprom FILE] [--serial TOKEN] [--short R,C] [--no-watchdog] [--quiet-log]\n"
          "  Runs the crossbar-controller firmware on a simulated %dx%d-max crossbar.\n"
          "  Default: PROTOCOL.md on stdin/stdout. --pty: opens a pty, prints 'pty: PATH' on stdout.\n",
          MAX_LINES, MAX_LINES);
}

static bool numberArg(const char* name, const char* v, long lo, long hi, long* out) {
  char* end = 0;
  long x = v ? strtol(v, &end, 10) : 0;
  if (!v || *end || x < lo || x > hi) {
    fprintf(stderr, "mhil-fw: %s needs an integer in [%ld, %ld], got %s\n", name, lo, hi, v ? v : "nothing");
    return false;
  }
  *out = x;
  return true;
}

int main(int argc, char** argv) {
  SimOptions opts;
  opts.hardwareWatchdog = true;
  opts.logToStderr = true;
  bool usePty = false;
  long quietMs = 2000;
  std::string serial;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : 0;
    long x;
    if (a == "--pty") usePty = true;
    else if (a == "--no-watchdog") opts.hardwareWatchdog = false;
    else if (a == "--quiet-log") opts.logToStderr = false;
    else if (a == "--quiet-ms") { if (!numberArg("--quiet-ms", v, 1, 3600000, &quietMs)) return 2; i++; }
    else if (a == "--rows") { if (!numberArg("--rows", v, 1, MAX_LINES, &x)) return 2; opts.rows = (uint8_t)x; i++; }
    else if (a == "--cols") { if (!numberArg("--cols", v, 1, MAX_LINES, &x)) return 2; opts.cols = (uint8_t)x; i++; }
    else if (a == "--seed") { if (!numberArg("--seed", v, 0, 2147483647, &x)) return 2; opts.seed = (uint32_t)x; i++; }
    else if (a == "--noise") {
      char* end = 0;
      double n = v ? strtod(v, &end) : -1;
      if (!v || *end || n < 0 || n > 0.5) { fprintf(stderr, "mhil-fw: --noise needs a number in [0, 0.5]\n"); return 2; }
      opts.model.readNoiseRelative = n;
      i++;
    }
    else if (a == "--eeprom") { if (!v) { usage(); return 2; } opts.eepromPath = v; i++; }
    else if (a == "--serial") { if (!v || strlen(v) > 15) { fprintf(stderr, "mhil-fw: --serial needs a token of at most 15 characters\n"); return 2; } serial = v; i++; }
    else if (a == "--short") {
      int r, c;
      if (!v || sscanf(v, "%d,%d", &r, &c) != 2) { fprintf(stderr, "mhil-fw: --short needs R,C\n"); return 2; }
      opts.shortedRow = r;
      opts.shortedCol = c;
      i++;
    }
    else if (a == "--help" || a == "-h") { usage(); return 0; }
    else { fprintf(stderr, "mhil-fw: unknown option %s\n", a.c_str()); usage(); return 2; }
  }

  int inFd = 0, outFd = 1, slaveFd = -1;
  if (usePty) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) || unlockpt(master)) { perror("mhil-fw: posix_openpt"); return 1; }
    const char* path = ptsname(master);
    // Hold the slave open so the master never sees EIO between clients; raw, no echo.
    slaveFd = open(path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (slaveFd >= 0 && tcgetattr(slaveFd, &t) == 0) {
      cfmakeraw(&t);
      tcsetattr(slaveFd, TCSANOW, &t);
    }
    printf("pty: %s\n", path);
    fflush(stdout);
    inFd = outFd = master;
  }
  fcntl(inFd, F_SETFL, fcntl(inFd, F_GETFL) | O_NONBLOCK);
  signal(SIGTERM, onStop);
  signal(SIGINT, onStop);
  signal(SIGPIPE, SIG_IGN);

  FdLink link(inFd, outFd);
  SimBoard board(opts, &link);
  if (!serial.empty()) {
    // Provisioning, as a lab does once per board: identity into EEPROM.
    Calibration cal;
    loadCalibration(board, &cal);
    memset(cal.serial, 0, sizeof cal.serial);
    strncpy(cal.serial, serial.c_str(), sizeof cal.serial - 1);
    storeCalibration(board, &cal);
  }
  Firmware fw(board, (uint32_t)quietMs);
  fw.begin();
  while (!stopRequested) {
    fw.poll();
    if (link.pending()) continue;
    if (!usePty && link.eof()) break;
    struct pollfd p = {inFd, POLLIN, 0};
    poll(&p, 1, 2);
  }
  board.groundAll();
  if (slaveFd >= 0) close(slaveFd);
  return 0;
}
