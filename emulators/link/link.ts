// An in-process link between a host end and a device end (two Duplex streams), each direction a Lane with
// seeded faults and an optional throttle. cut() unplugs it: the host end closes with `disconnected`, like
// serialport when a USB device goes away.
import { Duplex } from "node:stream";
import { Lane, type FaultOptions, type LaneStats, type ThrottleOptions } from "./lane.js";

export interface LinkOptions {
  /** Faults on both directions (override per direction below). */
  faults?: FaultOptions;
  hostToDeviceFaults?: FaultOptions;
  deviceToHostFaults?: FaultOptions;
  throttle?: ThrottleOptions;
  /** Seeds the fault draws; each direction gets its own stream. */
  seed?: number;
}

export interface Link {
  /** The end the driver uses. */
  host: Duplex;
  /** The end the device (twin) serves. */
  device: Duplex;
  hostToDevice: Readonly<LaneStats>;
  deviceToHost: Readonly<LaneStats>;
  /** Unplugs the link: both ends close; the host end's 'close' carries an error with `disconnected: true`. */
  cut(): void;
  /** Drops every byte in both directions for `ms` milliseconds. */
  blackout(ms: number): void;
  /** Changes the fault rates of both directions from now on. */
  setFaults(faults: FaultOptions): void;
}

class LinkEnd extends Duplex {
  peerWrite: ((data: Buffer) => void) | null = null;

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.peerWrite?.(chunk);
    done();
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    this.peerWrite = null;
    done(err);
  }
}

export function createLink(options: LinkOptions = {}): Link {
  const host = new LinkEnd();
  const device = new LinkEnd();
  const seed = options.seed ?? 0;
  const toDevice = new Lane((d) => { if (!device.destroyed) device.push(d); }, options.hostToDeviceFaults ?? options.faults, options.throttle ?? null, `${seed}:h2d`);
  const toHost = new Lane((d) => { if (!host.destroyed) host.push(d); }, options.deviceToHostFaults ?? options.faults, options.throttle ?? null, `${seed}:d2h`);
  host.peerWrite = (d) => toDevice.write(d);
  device.peerWrite = (d) => toHost.write(d);
  let cut = false;
  return {
    host,
    device,
    hostToDevice: toDevice.stats,
    deviceToHost: toHost.stats,
    cut() {
      if (cut) return;
      cut = true;
      toDevice.stop();
      toHost.stop();
      const err = Object.assign(new Error("link cut (device disconnected)"), { disconnected: true });
      // serialport reports a vanished device as a 'close' event carrying { disconnected: true }.
      host.emit("close", err);
      host.destroy();
      device.destroy();
    },
    blackout(ms: number) {
      toDevice.blackout(ms);
      toHost.blackout(ms);
    },
    setFaults(faults: FaultOptions) {
      toDevice.setFaults(faults);
      toHost.setFaults(faults);
    },
  };
}
