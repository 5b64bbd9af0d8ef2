;; The ziggurat's draws in WebAssembly, on the layout of ziggurat.ts's zigguratLayout(0): K at 0 (128 × i32),
;; W at 512 and F at 1536 (128 × f64), the xoshiro128** state words at 2560. Not a module: the kernels that
;; draw deviates (sim/devices/pulse-kernel.wat, src/random/normal-kernel.wat) include this text (src/wasm/wat.ts),
;; and must import math.exp and math.log (Math.exp and Math.log, so the same bits as Rng.normal's tail).

  ;; One xoshiro128** step on the state in memory; the result as int32 (Rng.nextUint32, for the tail).
  (func $next (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $result i32) (local $t i32)
    (local.set $s0 (i32.load offset=2560 (i32.const 0)))
    (local.set $s1 (i32.load offset=2564 (i32.const 0)))
    (local.set $s2 (i32.load offset=2568 (i32.const 0)))
    (local.set $s3 (i32.load offset=2572 (i32.const 0)))
    (local.set $result (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
    (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
    (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
    (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
    (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
    (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
    (i32.store offset=2560 (i32.const 0) (local.get $s0))
    (i32.store offset=2564 (i32.const 0) (local.get $s1))
    (i32.store offset=2568 (i32.const 0) (local.get $s2))
    (i32.store offset=2572 (i32.const 0) (local.get $s3))
    (local.get $result))

  ;; The ~3 % of draws that miss their strip's box: Rng.normalTail, expression for expression.
  ;; uniform() is nextUint32 (unsigned) × 2^-32.
  (func $tail (param $hz i32) (param $iz i32) (result f64)
    (local $x f64) (local $t f64) (local $y f64) (local $sign i32)
    (loop $retry
      (local.set $x (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=512 (i32.shl (local.get $iz) (i32.const 3)))))
      (if (i32.eqz (local.get $iz))
        (then
          ;; The base strip's tail beyond R = 3.442619855899 (Marsaglia 1964).
          (loop $draw
            (local.set $t
              (f64.div
                (f64.neg (call $log (f64.sub (f64.const 1) (f64.mul (f64.convert_i32_u (call $next)) (f64.const 0x1p-32)))))
                (f64.const 3.442619855899)))
            (local.set $y
              (f64.neg (call $log (f64.sub (f64.const 1) (f64.mul (f64.convert_i32_u (call $next)) (f64.const 0x1p-32))))))
            (br_if $draw (f64.lt (f64.add (local.get $y) (local.get $y)) (f64.mul (local.get $t) (local.get $t)))))
          (return
            (if (result f64) (i32.gt_s (local.get $hz) (i32.const 0))
              (then (f64.add (f64.const 3.442619855899) (local.get $t)))
              (else (f64.sub (f64.const -3.442619855899) (local.get $t)))))))
      ;; The wedge: F[iz] + u·(F[iz−1] − F[iz]) < exp(−x²/2) accepts x.
      (if (f64.lt
            (f64.add
              (f64.load offset=1536 (i32.shl (local.get $iz) (i32.const 3)))
              (f64.mul
                (f64.mul (f64.convert_i32_u (call $next)) (f64.const 0x1p-32))
                (f64.sub
                  (f64.load offset=1528 (i32.shl (local.get $iz) (i32.const 3)))
                  (f64.load offset=1536 (i32.shl (local.get $iz) (i32.const 3))))))
            (call $exp (f64.mul (f64.mul (f64.const -0.5) (local.get $x)) (local.get $x))))
        (then (return (local.get $x))))
      ;; A fresh draw, through the box test again.
      (local.set $iz (i32.and (local.tee $hz (call $next)) (i32.const 127)))
      (local.set $sign (i32.shr_s (local.tee $hz (i32.shr_s (local.get $hz) (i32.const 7))) (i32.const 31)))
      (if (i32.lt_s
            (i32.sub (i32.xor (local.get $hz) (local.get $sign)) (local.get $sign))
            (i32.load (i32.shl (local.get $iz) (i32.const 2))))
        (then (return (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=512 (i32.shl (local.get $iz) (i32.const 3)))))))
      (br $retry))
    (f64.const nan)) ;; unreachable: the loop leaves only by return

  ;; fillNormal(out, n): n standard normal deviates as float64 at out, the same numbers in the same order as
  ;; Rng.fillNormal (its fast path with the state in locals; a miss goes through $tail with the state in memory).
  (func (export "fillNormal") (param $out i32) (param $n i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $u i32) (local $t i32)
    (local $hz i32) (local $iz i32) (local $sign i32) (local $at i32) (local $end i32)
    (local.set $at (local.get $out))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $s0 (i32.load offset=2560 (i32.const 0)))
    (local.set $s1 (i32.load offset=2564 (i32.const 0)))
    (local.set $s2 (i32.load offset=2568 (i32.const 0)))
    (local.set $s3 (i32.load offset=2572 (i32.const 0)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
        ;; xoshiro128** step (as $next, on the locals).
        (local.set $u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (local.set $iz (i32.and (local.get $u) (i32.const 127)))
        (local.set $sign (i32.shr_s (local.tee $hz (i32.shr_s (local.get $u) (i32.const 7))) (i32.const 31)))
        (if (i32.lt_s
              (i32.sub (i32.xor (local.get $hz) (local.get $sign)) (local.get $sign))
              (i32.load (i32.shl (local.get $iz) (i32.const 2))))
          (then
            (f64.store (local.get $at)
              (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=512 (i32.shl (local.get $iz) (i32.const 3))))))
          (else
            (i32.store offset=2560 (i32.const 0) (local.get $s0))
            (i32.store offset=2564 (i32.const 0) (local.get $s1))
            (i32.store offset=2568 (i32.const 0) (local.get $s2))
            (i32.store offset=2572 (i32.const 0) (local.get $s3))
            (f64.store (local.get $at) (call $tail (local.get $hz) (local.get $iz)))
            (local.set $s0 (i32.load offset=2560 (i32.const 0)))
            (local.set $s1 (i32.load offset=2564 (i32.const 0)))
            (local.set $s2 (i32.load offset=2568 (i32.const 0)))
            (local.set $s3 (i32.load offset=2572 (i32.const 0)))))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br $each)))
    (i32.store offset=2560 (i32.const 0) (local.get $s0))
    (i32.store offset=2564 (i32.const 0) (local.get $s1))
    (i32.store offset=2568 (i32.const 0) (local.get $s2))
    (i32.store offset=2572 (i32.const 0) (local.get $s3)))
