// Runs the ATmega2560 image under simavr with USART0 on a pseudo-terminal, so the tests drive the real
// AVR build (its instruction set, interrupts, UART, limit checks and board code) with the real serial driver.
//
// It also stands in for the board's analog front end (BOARD.md), at the pins the firmware drives:
// - AD5370 DAC: 24-bit SPI words while /SYNC (PL1) is low, channel 0–15 rows, 16–31 columns, 32 the TIA
//   reference; offset binary, 150 uV per code; /CLR (PL3) low puts every output at 0 V.
// - Row and column muxes (PC0–3 + EN PC4, PA0–3 + EN PA4) and the TIA range (PA5: 10 nA or 100 nA per code).
// - ADC: a conversion starts on /CS (PL0) rising; the next two SPI bytes with /CS low return the code.
// - A 16×16 array starting at G[r][c] = 10 uS + ((16·r + c) mod 37)/36 · 80 uS: the sensed line's current is
//   Σ G·(V_line − V_other) (Ohm and Kirchhoff), so reads and products have known answers. Devices switch
//   as the host build's (firmware/src/host/sim_board.h): above +0.9 V a cell's G approaches 100 uS, below
//   −0.8 V it approaches 10 uS, at 1000 per volt of overdrive per second of simulated time (the AVR's
//   clock). The INA219 is absent (its bus never answers).
// Prints "PTY <path>" when ready; with --log-dac, every change of a DAC output goes to stderr as
// "dac <channel> <code>" and every /CLR as "dac clear".
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_spi.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/parts/uart_pty.h>

#define LINES 16
#define CHANNELS 40
#define SENSE_REF 32

static uart_pty_t uart;
static avr_t *avr;
static int logDac = 0;
static double g[LINES][LINES];
static avr_cycle_count_t evolvedTo = 0;

static int16_t dacOut[CHANNELS];    // output codes
static uint8_t portL = 0xFF, portA = 0, portC = 0;
static uint8_t dacBytes[3];
static int dacCount = 0;
static int16_t adcCode = 0;
static int adcByte = 0;

static const double G_MIN = 1e-5, G_MAX = 1e-4, SET_VOLTS = 0.9, RESET_VOLTS = 0.8, RATE_PER_VOLT_SECOND = 1000.0;

static double volts(int channel) { return dacOut[channel] * 150e-6; }

// Switching over the simulated time since the last change, under the outputs that held during it.
static void evolve(void) {
  double seconds = (double)(avr->cycle - evolvedTo) / avr->frequency;
  evolvedTo = avr->cycle;
  if (seconds <= 0) return;
  for (int r = 0; r < LINES; r++) {
    for (int c = 0; c < LINES; c++) {
      double v = volts(r) - volts(16 + c);
      if (v > SET_VOLTS) g[r][c] = G_MAX - (G_MAX - g[r][c]) * exp(-RATE_PER_VOLT_SECOND * (v - SET_VOLTS) * seconds);
      else if (v < -RESET_VOLTS) g[r][c] = G_MIN + (g[r][c] - G_MIN) * exp(-RATE_PER_VOLT_SECOND * (-v - RESET_VOLTS) * seconds);
    }
  }
}

static void setOutput(int channel, int16_t code) {
  if (channel < 0 || channel >= CHANNELS || dacOut[channel] == code) return;
  evolve();
  dacOut[channel] = code;
  if (logDac) fprintf(stderr, "dac %d %d\n", channel, code);
}

// The line on the TIA sits at the reference's voltage; the current into it is what the ADC converts.
static int16_t convert(void) {
  evolve();
  double amps = 0;
  double vLine = volts(SENSE_REF);
  if (portC & 0x10) {
    int r = portC & 0x0F;
    for (int c = 0; c < LINES; c++) amps += g[r][c] * (vLine - volts(16 + c));
  } else if (portA & 0x10) {
    int c = portA & 0x0F;
    for (int r = 0; r < LINES; r++) amps += g[r][c] * (vLine - volts(r));
  } else {
    return 0;
  }
  double perCode = (portA & 0x20) ? 100e-9 : 10e-9;
  double code = round(amps / perCode);
  if (code > 32767) code = 32767;
  if (code < -32767) code = -32767;
  return (int16_t)code;
}

static avr_irq_t *spiIn;

static void onSpiByte(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  uint8_t reply = 0;
  if (!(portL & 0x02)) {  // /SYNC low: a DAC word
    if (dacCount < 3) dacBytes[dacCount++] = (uint8_t)value;
  } else if (!(portL & 0x01)) {  // /CS low: reading the conversion, high byte first
    reply = adcByte == 0 ? (uint8_t)((uint16_t)adcCode >> 8) : (uint8_t)adcCode;
    adcByte++;
  }
  avr_raise_irq(spiIn, reply);
}

static void onPortL(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  (void)param;
  uint8_t was = portL, now = (uint8_t)value;
  portL = now;
  if ((was & 0x02) && !(now & 0x02)) dacCount = 0;  // /SYNC falls: a new word
  if (!(was & 0x02) && (now & 0x02) && dacCount == 3 && (dacBytes[0] & 0xC0) == 0xC0) {
    // "Write DAC data register": address = (group + 1) << 3 | channel; the firmware pulses /LDAC at once.
    int address = dacBytes[0] & 0x3F;
    int channel = ((address >> 3) - 1) * 8 + (address & 7);
    int16_t code = (int16_t)((((int)dacBytes[1] << 8) | dacBytes[2]) - 0x8000);
    if (now & 0x08) setOutput(channel, code);  // while /CLR is low the outputs stay at 0 V
  }
  if (!(now & 0x08) && (was & 0x08)) {
    evolve();
    for (int ch = 0; ch < CHANNELS; ch++) dacOut[ch] = 0;
    if (logDac) fprintf(stderr, "dac clear\n");
  }
  if (!(was & 0x01) && (now & 0x01)) adcCode = convert();  // /CS rises: conversion
  if ((was & 0x01) && !(now & 0x01)) adcByte = 0;
}

// Ports A and C (muxes, TIA range) are only latched: `param` is where.
static void onPortLatch(struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  *(uint8_t *)param = (uint8_t)value;
}

int main(int argc, char **argv) {
  const char *image = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--log-dac") == 0) logDac = 1;
    else image = argv[i];
  }
  if (!image) {
    fprintf(stderr, "usage: %s [--log-dac] FIRMWARE.elf\n", argv[0]);
    return 2;
  }
  elf_firmware_t f;
  memset(&f, 0, sizeof f);
  if (elf_read_firmware(image, &f) != 0) {
    fprintf(stderr, "%s: cannot read the ELF image\n", image);
    return 2;
  }
  // The image carries no .mmcu section: the board's MCU and clock (firmware/Makefile, BOARD.md).
  strcpy(f.mmcu, "atmega2560");
  f.frequency = 16000000;
  for (int r = 0; r < LINES; r++)
    for (int c = 0; c < LINES; c++) g[r][c] = 10e-6 + ((16 * r + c) % 37) / 36.0 * 80e-6;
  avr = avr_make_mcu_by_name(f.mmcu);
  if (!avr) {
    fprintf(stderr, "simavr has no %s core\n", f.mmcu);
    return 2;
  }
  avr_init(avr);
  avr_load_firmware(avr, &f);
  spiIn = avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_OUTPUT), onSpiByte, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('L'), IOPORT_IRQ_REG_PORT), onPortL, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('A'), IOPORT_IRQ_REG_PORT), onPortLatch, &portA);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('C'), IOPORT_IRQ_REG_PORT), onPortLatch, &portC);
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
