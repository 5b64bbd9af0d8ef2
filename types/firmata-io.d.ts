// The part of firmata-io 2.3 the Firmata board driver uses (the package ships no types).
declare module "firmata-io" {
  import { EventEmitter } from "node:events";

  /** Anything with the serialport stream surface Firmata needs: data/open/close/error events and write. */
  export interface FirmataTransport extends NodeJS.EventEmitter {
    write(data: Buffer, callback?: (error?: Error | null) => void): boolean;
  }

  export interface FirmataOptions {
    /** Milliseconds to wait for the board's own version report before asking for it (default 5000). */
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }

  export interface FirmataPin {
    supportedModes: number[];
    mode?: number;
    value: number;
    report: number;
    analogChannel?: number;
  }

  export class Firmata extends EventEmitter {
    constructor(transport: FirmataTransport, options?: FirmataOptions, callback?: (error?: Error) => void);
    readonly MODES: { INPUT: 0; OUTPUT: 1; ANALOG: 2; PWM: 3; SERVO: 4; PULLUP: 11; [name: string]: number };
    readonly RESOLUTION: { ADC: number | null; DAC: number | null; PWM: number | null };
    readonly HIGH: 1;
    readonly LOW: 0;
    isReady: boolean;
    versionReceived: boolean;
    pins: FirmataPin[];
    analogPins: number[];
    version: { major?: number; minor?: number };
    firmware: { name?: string; version?: { major: number; minor: number } };
    transport: FirmataTransport;
    /** Writes queued but not yet handed to the transport. */
    pending: number;
    reportVersion(callback: () => void): void;
    queryFirmware(callback: () => void): void;
    pinMode(pin: number, mode: number): void;
    digitalWrite(pin: number, value: number, enqueue?: boolean): void;
    analogWrite(pin: number, value: number): void;
    pwmWrite(pin: number, value: number): void;
    analogRead(channel: number, callback: (value: number) => void): void;
    reportAnalogPin(channel: number, enable: 0 | 1): void;
    setSamplingInterval(milliseconds: number): void;
    sysexCommand(message: number[]): this;
    reset(): void;
  }

  /** The module itself binds a default transport; `.Firmata` is the class, which accepts a transport object. */
  interface BindTransport {
    (transport: unknown): typeof Firmata;
    Firmata: typeof Firmata;
  }
  const bindTransport: BindTransport;
  export default bindTransport;
}

declare module "johnny-five" {
  import { EventEmitter } from "node:events";

  export interface BoardOptions {
    io: unknown;
    repl?: boolean;
    debug?: boolean;
    sigint?: boolean;
    id?: string;
    timeout?: number;
  }

  export class Board extends EventEmitter {
    constructor(options: BoardOptions);
    readonly io: unknown;
    isReady: boolean;
    RESOLUTION: { ADC: number; DAC: number | null; PWM: number };
    pinMode(pin: number, mode: number): this;
    analogWrite(pin: number, value: number): this;
    digitalWrite(pin: number, value: number): this;
  }

  const five: { Board: typeof Board };
  export default five;
}
