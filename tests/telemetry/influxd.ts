// The influxd test harness (free loopback ports, a temporary directory, stopped afterwards). It lives in
// bench/ so the compiled benches can start one too; tests import it from here.
export { freePort, startInfluxd, type Influxd, type InfluxdOptions, type InfluxQueryResponse } from "../../bench/telemetry-influxd.js";
