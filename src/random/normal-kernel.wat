;; Standard normal deviates from an Rng's own stream, in WebAssembly (normal-fill.ts drives it): the
;; ziggurat's fast path in locals ran ~1.3–1.6× faster than Rng.fillNormal's JS loop. Memory: the ziggurat's
;; tables and state words from 0 (zigguratLayout(0)), then the deviates.
(module
  (import "math" "exp" (func $exp (param f64) (result f64)))
  (import "math" "log" (func $log (param f64) (result f64)))
  (import "env" "mem" (memory 1))
  ;; include src/random/ziggurat.wat
)
