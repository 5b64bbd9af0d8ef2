// ATmega2560 entry point: the firmware logic on the reference board.
#include "avr_board.h"
#include "../core/firmware.h"

static mhil::AvrBoard board;
static mhil::Firmware firmware(board, 2000);  // LIM quiet = 2 s

int main() {
  board.init();
  firmware.begin();
  for (;;) firmware.poll();
}
