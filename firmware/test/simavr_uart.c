// Runs the ATmega2560 image under simavr with USART0 on a pseudo-terminal, so the tests drive the real
// AVR build (its instruction set, interrupts, UART and limit checks) with the real serial driver.
// The external DAC/ADC chips are absent: SPI transfers read back zeros. Prints "PTY <path>" when ready.
#include <stdio.h>
#include <string.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/parts/uart_pty.h>

static uart_pty_t uart;

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FIRMWARE.elf\n", argv[0]);
    return 2;
  }
  elf_firmware_t f;
  memset(&f, 0, sizeof f);
  if (elf_read_firmware(argv[1], &f) != 0) {
    fprintf(stderr, "%s: cannot read the ELF image\n", argv[1]);
    return 2;
  }
  // The image carries no .mmcu section: the board's MCU and clock (firmware/Makefile, BOARD.md).
  strcpy(f.mmcu, "atmega2560");
  f.frequency = 16000000;
  avr_t *avr = avr_make_mcu_by_name(f.mmcu);
  if (!avr) {
    fprintf(stderr, "simavr has no %s core\n", f.mmcu);
    return 2;
  }
  avr_init(avr);
  avr_load_firmware(avr, &f);
  uart_pty_init(avr, &uart);
  uart_pty_connect(&uart, '0');
  printf("PTY %s\n", uart.pty.slavename);
  fflush(stdout);
  int state;
  do state = avr_run(avr);
  while (state != cpu_Done && state != cpu_Crashed);
  uart_pty_stop(&uart);
  fprintf(stderr, "simavr: the AVR %s\n", state == cpu_Done ? "stopped" : "crashed");
  return state == cpu_Done ? 0 : 1;
}
