// The ATmega2560 reference board (see avr_board.h and BOARD.md for the pin map).
#include "avr_board.h"
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/wdt.h>
#include <util/delay.h>

namespace mhil {

// ---- pin map (BOARD.md) ----
// SPI: PB1 SCK (D52), PB2 MOSI (D51), PB3 MISO (D50), PB0 SS (D53, kept output).
// DAC AD5370: /SYNC PL1 (D48), /LDAC PL2 (D47), /CLR PL3 (D46), BUSY PL4 (D45, input).
// ADC (16-bit SPI, conversion on /CS rising): /CS PL0 (D49).
// Row mux ADG1606: A0..A3 PC0..PC3 (D37..D34), EN PC4 (D33).
// Column mux ADG1606: A0..A3 PA0..PA3 (D22..D25), EN PA4 (D26).
// TIA range: PA5 (D27) low = LOW range (100 kOhm), high = HIGH range (10 kOhm).
// INA219: TWI SDA PD1 (D20), SCL PD0 (D21), address 0x40, 0.1 Ohm shunt.
// Host link: USART0 (PE0/PE1 via the USB bridge), 115200 baud 8N1.
#define DAC_SYNC_BIT PL1
#define DAC_LDAC_BIT PL2
#define DAC_CLR_BIT PL3
#define ADC_CS_BIT PL0
#define RANGE_BIT PA5
#define ROW_EN_BIT PC4
#define COL_EN_BIT PA4
static const uint8_t SENSE_REF_CHANNEL = 32;  // DAC channel holding the TIA's reference at the line's voltage
static const uint8_t INA219_ADDR = 0x40;
static const uint16_t RX_BYTES = 256;

// ---- reset: before anything else, hold every line at 0 V and stop a leftover watchdog ----
extern "C" void earlySafeState(void) __attribute__((naked, used, section(".init3")));
extern "C" void earlySafeState(void) {
  MCUSR = 0;
  wdt_disable();
  PORTL = (uint8_t)(_BV(DAC_SYNC_BIT) | _BV(DAC_LDAC_BIT) | _BV(ADC_CS_BIT));  // /CLR low: DAC clears to 0 V
  DDRL = (uint8_t)(_BV(DAC_SYNC_BIT) | _BV(DAC_LDAC_BIT) | _BV(DAC_CLR_BIT) | _BV(ADC_CS_BIT));
  PORTC = 0;
  DDRC = 0x1F;  // row mux disabled
  PORTA = 0;
  DDRA = 0x3F;  // column mux disabled, LOW range
}

// ---- time: Timer1, clk/64 = 4 us ticks ----
static volatile uint32_t timerOverflows = 0;
ISR(TIMER1_OVF_vect) { timerOverflows++; }

uint32_t AvrBoard::nowMicros() {
  uint8_t s = SREG;
  cli();
  uint32_t ov = timerOverflows;
  uint16_t t = TCNT1;
  if ((TIFR1 & _BV(TOV1)) && t < 0x8000) ov++;
  SREG = s;
  return ((ov << 16) | t) * 4u;
}

uint32_t AvrBoard::nowMillis() { return nowMicros() / 1000u; }

void AvrBoard::waitMicros(uint32_t us) {
  uint32_t start = nowMicros();
  while (nowMicros() - start < us) {
  }
}

// ---- host link: USART0, RX into a ring from the interrupt, TX by polling ----
static volatile uint8_t rxRing[RX_BYTES];
static volatile uint16_t rxHead = 0, rxTail = 0;
ISR(USART0_RX_vect) {
  uint8_t b = UDR0;
  uint16_t next = (uint16_t)((rxHead + 1) % RX_BYTES);
  if (next != rxTail) {  // full: the byte is lost, the line fails its CRC, the host resends
    rxRing[rxHead] = b;
    rxHead = next;
  }
}

int16_t AvrBoard::readByte() {
  if (rxHead == rxTail) return -1;
  uint8_t b = rxRing[rxTail];
  rxTail = (uint16_t)((rxTail + 1) % RX_BYTES);
  return b;
}

void AvrBoard::write(const char* bytes, uint16_t n) {
  for (uint16_t i = 0; i < n; i++) {
    while (!(UCSR0A & _BV(UDRE0))) {
    }
    UDR0 = (uint8_t)bytes[i];
  }
}

// ---- SPI ----
static uint8_t spi(uint8_t b) {
  SPDR = b;
  while (!(SPSR & _BV(SPIF))) {
  }
  return SPDR;
}

// AD5370 "write DAC data register": 24 bits, mode 11, address = (group + 1) << 3 | channel,
// offset binary data (0x8000 = 0 V), SPI mode 1.
void AvrBoard::dacWrite(uint8_t channel, int16_t code) {
  uint8_t address = (uint8_t)((((channel >> 3) + 1) << 3) | (channel & 7));
  uint16_t data = (uint16_t)((int32_t)code + 0x8000);
  SPCR = (uint8_t)(_BV(SPE) | _BV(MSTR) | _BV(CPHA));
  PORTL &= (uint8_t)~_BV(DAC_SYNC_BIT);
  spi((uint8_t)(0xC0 | address));
  spi((uint8_t)(data >> 8));
  spi((uint8_t)data);
  PORTL |= _BV(DAC_SYNC_BIT);
  PORTL &= (uint8_t)~_BV(DAC_LDAC_BIT);  // update the output now
  PORTL |= _BV(DAC_LDAC_BIT);
}

void AvrBoard::init() {
  // Lines stay cleared (/CLR low) until the DAC registers hold 0 V.
  DDRB |= _BV(PB0) | _BV(PB1) | _BV(PB2) | _BV(PB7);
  SPSR = _BV(SPI2X);  // 8 MHz
  SPCR = (uint8_t)(_BV(SPE) | _BV(MSTR) | _BV(CPHA));
  for (uint8_t ch = 0; ch < 40; ch++) dacWrite(ch, 0);
  for (uint8_t i = 0; i < 16; i++) rowCode_[i] = colCode_[i] = 0;
  PORTL |= _BV(DAC_CLR_BIT);
  // Timer1 free-running, clk/64.
  TCCR1A = 0;
  TCCR1B = _BV(CS11) | _BV(CS10);
  TIMSK1 = _BV(TOIE1);
  // USART0 115200 8N1, double speed (UBRR 16 -> 117647 baud, 2.1 %).
  UCSR0A = _BV(U2X0);
  UBRR0 = 16;
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
  // TWI 400 kHz for the power monitor: 12 V bus range, PGA /1, 12-bit, continuous.
  TWSR = 0;
  TWBR = 12;
  TWCR = _BV(TWEN);
  monitorOk_ = monitorWrite(0x00, 0x019F) && monitorWrite(0x05, 4096);  // current LSB 100 uA
  // ADC of the MCU itself: only for boot entropy.
  ADMUX = _BV(REFS0) | 0x1E;  // bandgap
  ADCSRA = _BV(ADEN) | 7;
  sei();
}

BoardShape AvrBoard::shape() {
  BoardShape s;
  s.rows = 16;
  s.cols = 16;
  s.dacBits = 16;
  s.adcBits = 16;
  s.rxBufferBytes = RX_BYTES;
  return s;
}

void AvrBoard::setLine(LineKind kind, uint8_t index, int16_t code) {
  if (index >= 16) return;
  if (kind == ROW) rowCode_[index] = code;
  else colCode_[index] = code;
  dacWrite((uint8_t)(kind == ROW ? index : 16 + index), code);
}

// /CLR: every DAC output to 0 V at once, then the registers follow.
void AvrBoard::groundAll() {
  PORTL &= (uint8_t)~_BV(DAC_CLR_BIT);
  PORTC &= (uint8_t)~_BV(ROW_EN_BIT);
  PORTA &= (uint8_t)~_BV(COL_EN_BIT);
  for (uint8_t i = 0; i < 16; i++) {
    if (rowCode_[i]) dacWrite(i, 0);
    if (colCode_[i]) dacWrite((uint8_t)(16 + i), 0);
    rowCode_[i] = colCode_[i] = 0;
  }
  dacWrite(SENSE_REF_CHANNEL, 0);
  PORTL |= _BV(DAC_CLR_BIT);
}

bool AvrBoard::allGrounded() {
  for (uint8_t i = 0; i < 16; i++) if (rowCode_[i] || colCode_[i]) return false;
  return true;
}

void AvrBoard::setSenseRange(SenseRange range) {
  if (range == SENSE_HIGH) PORTA |= _BV(RANGE_BIT);
  else PORTA &= (uint8_t)~_BV(RANGE_BIT);
}

// The line moves from its driver to the TIA, whose reference holds it at the same voltage.
int16_t AvrBoard::senseLine(LineKind kind, uint8_t index) {
  if (index >= 16) return 0;
  dacWrite(SENSE_REF_CHANNEL, kind == ROW ? rowCode_[index] : colCode_[index]);
  if (kind == ROW) PORTC = (uint8_t)((PORTC & 0xE0) | index | _BV(ROW_EN_BIT));
  else PORTA = (uint8_t)((PORTA & 0xE0) | index | _BV(COL_EN_BIT));
  _delay_us(4);  // mux + TIA settle
  PORTL &= (uint8_t)~_BV(ADC_CS_BIT);
  PORTL |= _BV(ADC_CS_BIT);  // conversion starts on the rising edge
  _delay_us(1);
  SPCR = (uint8_t)(_BV(SPE) | _BV(MSTR));  // mode 0
  PORTL &= (uint8_t)~_BV(ADC_CS_BIT);
  uint16_t v = (uint16_t)(spi(0) << 8);
  v |= spi(0);
  PORTL |= _BV(ADC_CS_BIT);
  if (kind == ROW) PORTC &= (uint8_t)~_BV(ROW_EN_BIT);
  else PORTA &= (uint8_t)~_BV(COL_EN_BIT);
  int16_t code = (int16_t)v;
  return code == -32768 ? (int16_t)-32767 : code;
}

// ---- INA219 over TWI, every wait bounded so a dead bus cannot hang the loop ----
static bool twiWait() {
  for (uint16_t i = 0; i < 2000; i++) if (TWCR & _BV(TWINT)) return true;
  return false;
}
static bool twiStart() {
  TWCR = _BV(TWINT) | _BV(TWSTA) | _BV(TWEN);
  return twiWait();
}
static bool twiSend(uint8_t b) {
  TWDR = b;
  TWCR = _BV(TWINT) | _BV(TWEN);
  return twiWait();
}
static bool twiRead(uint8_t* b, bool ack) {
  TWCR = (uint8_t)(_BV(TWINT) | _BV(TWEN) | (ack ? _BV(TWEA) : 0));
  if (!twiWait()) return false;
  *b = TWDR;
  return true;
}
static void twiStop() { TWCR = _BV(TWINT) | _BV(TWSTO) | _BV(TWEN); }

bool AvrBoard::monitorWrite(uint8_t reg, uint16_t value) {
  bool ok = twiStart() && twiSend((uint8_t)(INA219_ADDR << 1)) && (TWSR & 0xF8) == 0x18 && twiSend(reg) &&
            twiSend((uint8_t)(value >> 8)) && twiSend((uint8_t)value);
  twiStop();
  return ok;
}

bool AvrBoard::monitorRead(uint8_t reg, uint16_t* value) {
  uint8_t hi = 0, lo = 0;
  bool ok = twiStart() && twiSend((uint8_t)(INA219_ADDR << 1)) && (TWSR & 0xF8) == 0x18 && twiSend(reg);
  twiStop();
  ok = ok && twiStart() && twiSend((uint8_t)((INA219_ADDR << 1) | 1)) && (TWSR & 0xF8) == 0x40 && twiRead(&hi, true) &&
       twiRead(&lo, false);
  twiStop();
  *value = (uint16_t)((hi << 8) | lo);
  return ok;
}

bool AvrBoard::readPower(uint16_t* busMillivolts, int32_t* microamps) {
  if (!monitorOk_) return false;
  uint16_t bus, current;
  if (!monitorRead(0x02, &bus) || !monitorRead(0x04, &current)) return false;
  *busMillivolts = (uint16_t)((bus >> 3) * 4u);
  *microamps = (int32_t)(int16_t)current * 100;
  return true;
}

// ---- EEPROM, watchdog, entropy ----
void AvrBoard::storageRead(uint16_t addr, void* dst, uint16_t n) { eeprom_read_block(dst, (const void*)addr, n); }
void AvrBoard::storageWrite(uint16_t addr, const void* src, uint16_t n) { eeprom_update_block(src, (void*)addr, n); }

void AvrBoard::watchdogStart(uint16_t) { wdt_enable(WDTO_250MS); }
void AvrBoard::watchdogKick() { wdt_reset(); }

static uint32_t bootMix __attribute__((section(".noinit")));
uint32_t AvrBoard::entropy() {
  uint32_t x = bootMix ^ 0x9E3779B9u;
  for (uint8_t i = 0; i < 32; i++) {
    ADCSRA |= _BV(ADSC);
    while (ADCSRA & _BV(ADSC)) {
    }
    x = (x << 1 | x >> 31) ^ ADCL ^ ((uint32_t)TCNT1 << 8);
    (void)ADCH;
  }
  bootMix = x * 2654435761u + 1;
  return x;
}

}  // namespace mhil

extern "C" void __cxa_pure_virtual() {
  for (;;) {
  }
}
