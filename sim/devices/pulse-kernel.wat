;; One pulse per cell, for every step law, with the write-noise deviates drawn inside the loop from the
;; generator's own stream (xoshiro128** into Marsaglia & Tsang's ziggurat). It computes what
;; PulsedModel.pulse's general JS loop computes, expression for expression in the same order, so the same
;; bits: tests/sim/pulse-kernel.test.ts compares conductances, wear, tallies and the stream after it.
;; The exponential law and the ziggurat's tail call the imported Math.exp and Math.log for the same reason.
;;
;; Memory (env.mem, byte offsets; pulse-kernel.ts writes the tables and state and reads the tally here,
;; and checks the exported layout* globals against its own):
;;      0  K: 128 × i32   ziggurat: |hz| < K[iz] accepts hz·W[iz]
;;    512  W: 128 × f64
;;   1536  F: 128 × f64   the strips' densities, for the wedge test
;;   2560  the generator's four state words (i32)
;;   2576  the tally: Σ conductance before + after each pulse (f64), then compliance trips (i32)
;;   4096  the cell indices of this call (i32)
;;  36864  the population's arrays (the caller passes their offsets)
(module
  (import "math" "exp" (func $exp (param f64) (result f64)))
  (import "math" "log" (func $log (param f64) (result f64)))
  (import "env" "mem" (memory 1))

  ;; The step law the pulse loop computes: 0 constant step (Ideal, LinearStep), 1 soft bounds, 2 exponential
  ;; step (ExpStep). pulse-kernel.ts assembles this module once per law, each (global.get $law) replaced by the
  ;; law's constant: a branch on a parameter or a global inside the loop cost 20 % of its throughput (V8 neither
  ;; unswitches loops nor folds immutable globals), and three copies of the loop would be three to keep in step.
  (global $law i32 (i32.const 0))

  (global (export "layoutZigguratK") i32 (i32.const 0))
  (global (export "layoutZigguratW") i32 (i32.const 512))
  (global (export "layoutZigguratF") i32 (i32.const 1536))
  (global (export "layoutState") i32 (i32.const 2560))
  (global (export "layoutTally") i32 (i32.const 2576))
  (global (export "layoutCells") i32 (i32.const 4096))

  ;; $next and $tail (the generator and the ziggurat's slow path), and the exported fillNormal.
  ;; include src/random/ziggurat.wat

  ;; pulse(…): one pulse of step `scale` (rate × polarity) to each of the n cells listed at 4096, by $law.
  ;; The tally at 2576 is added to, the generator state at 2560 advanced.
  (func (export "pulse")
    (param $gBase i32) (param $loBase i32) (param $hiBase i32) (param $stepBase i32) (param $stateBase i32) (param $pulsesBase i32)
    (param $n i32) (param $scale f64) (param $up i32) (param $gCompliance f64) (param $noise f64)
    (param $wears i32) (param $endurance f64) (param $gammaUp f64) (param $gammaDown f64)
    (local $k i32) (local $cell i32) (local $at i32) (local $trips i32) (local $noisy i32)
    ;; The generator's state, held in locals across the loop, and the draw's scratch.
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local $u i32) (local $iz i32) (local $hz i32) (local $sign i32) (local $t i32)
    (local $sum f64) (local $z f64) (local $gi f64) (local $lo f64) (local $hi f64) (local $step f64)
    (local $f f64) (local $g1 f64) (local $count f64) (local $x f64)
    (local.set $sum (f64.load offset=2576 (i32.const 0)))
    (local.set $trips (i32.load offset=2584 (i32.const 0)))
    (local.set $noisy (f64.gt (local.get $noise) (f64.const 0)))
    (local.set $s0 (i32.load offset=2560 (i32.const 0)))
    (local.set $s1 (i32.load offset=2564 (i32.const 0)))
    (local.set $s2 (i32.load offset=2568 (i32.const 0)))
    (local.set $s3 (i32.load offset=2572 (i32.const 0)))
    (block $done
      (loop $eachCell
        (br_if $done (i32.ge_s (local.get $k) (local.get $n)))

        ;; z: the stream's next standard normal deviate (Rng.fillNormal's loop), drawn for every cell
        ;; when noisy, stuck or not, so the stream advances as the JS loop's does.
        (if (local.get $noisy)
          (then
            ;; xoshiro128** step (as $next, on the locals).
            (local.set $u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
            (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
            (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
            (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
            (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
            (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
            (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
            ;; Strip iz, signed 25-bit hz; |hz| < K[iz] (branch-free |·|) accepts hz·W[iz].
            (local.set $iz (i32.and (local.get $u) (i32.const 127)))
            (local.set $sign (i32.shr_s (local.tee $hz (i32.shr_s (local.get $u) (i32.const 7))) (i32.const 31)))
            (if (i32.lt_s
                  (i32.sub (i32.xor (local.get $hz) (local.get $sign)) (local.get $sign))
                  (i32.load (i32.shl (local.get $iz) (i32.const 2))))
              (then
                (local.set $z (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=512 (i32.shl (local.get $iz) (i32.const 3))))))
              (else
                ;; The tail draws from the state in memory: store it around the call.
                (i32.store offset=2560 (i32.const 0) (local.get $s0))
                (i32.store offset=2564 (i32.const 0) (local.get $s1))
                (i32.store offset=2568 (i32.const 0) (local.get $s2))
                (i32.store offset=2572 (i32.const 0) (local.get $s3))
                (local.set $z (call $tail (local.get $hz) (local.get $iz)))
                (local.set $s0 (i32.load offset=2560 (i32.const 0)))
                (local.set $s1 (i32.load offset=2564 (i32.const 0)))
                (local.set $s2 (i32.load offset=2568 (i32.const 0)))
                (local.set $s3 (i32.load offset=2572 (i32.const 0)))))))

        (local.set $at (i32.shl (local.tee $cell (i32.load offset=4096 (i32.shl (local.get $k) (i32.const 2)))) (i32.const 3)))
        (local.set $gi (f64.load (i32.add (local.get $gBase) (local.get $at))))
        (block $cellDone
          (if (i32.load8_u (i32.add (local.get $stateBase) (local.get $cell)))
            (then
              ;; Stuck or worn out: conducts, does not switch, wears no further.
              (if (f64.ge (local.get $gi) (local.get $gCompliance))
                (then (local.set $trips (i32.add (local.get $trips) (i32.const 1))))
                (else (local.set $sum (f64.add (local.get $sum) (f64.add (local.get $gi) (local.get $gi))))))
              (br $cellDone)))
          (if (f64.ge (local.get $gi) (local.get $gCompliance))
            (then (local.set $trips (i32.add (local.get $trips) (i32.const 1)))) ;; cut as it starts
            (else
              (local.set $lo (f64.load (i32.add (local.get $loBase) (local.get $at))))
              (local.set $hi (f64.load (i32.add (local.get $hiBase) (local.get $at))))
              (local.set $step (f64.mul (f64.load (i32.add (local.get $stepBase) (local.get $at))) (local.get $scale)))
              ;; The law's factor f on the step (step·f, as the JS loop groups it).
              (if (i32.eq (global.get $law) (i32.const 1))
                (then
                  ;; Soft bounds: f = (hi − g)/(hi − lo) up, (g − lo)/(hi − lo) down.
                  (if (local.get $up)
                    (then (local.set $f (f64.div (f64.sub (local.get $hi) (local.get $gi)) (f64.sub (local.get $hi) (local.get $lo)))))
                    (else (local.set $f (f64.div (f64.sub (local.get $gi) (local.get $lo)) (f64.sub (local.get $hi) (local.get $lo))))))
                  (local.set $step (f64.mul (local.get $step) (local.get $f)))))
              (if (i32.eq (global.get $law) (i32.const 2))
                (then
                  ;; Exponential: x = (g − lo)/(hi − lo); f = exp(−γ↑·x) up, exp(−γ↓·(1 − x)) down.
                  (local.set $x (f64.div (f64.sub (local.get $gi) (local.get $lo)) (f64.sub (local.get $hi) (local.get $lo))))
                  (if (local.get $up)
                    (then (local.set $f (call $exp (f64.mul (f64.neg (local.get $gammaUp)) (local.get $x)))))
                    (else (local.set $f (call $exp (f64.mul (f64.neg (local.get $gammaDown)) (f64.sub (f64.const 1) (local.get $x)))))))
                  (local.set $step (f64.mul (local.get $step) (local.get $f)))))
              ;; The new conductance, write noise scaling the step, clamped to the device's bounds.
              (local.set $g1
                (if (result f64) (local.get $noisy)
                  (then (f64.add (local.get $gi) (f64.mul (local.get $step) (f64.add (f64.const 1) (f64.mul (local.get $noise) (local.get $z))))))
                  (else (f64.add (local.get $gi) (local.get $step)))))
              (if (f64.gt (local.get $g1) (local.get $hi))
                (then (local.set $g1 (local.get $hi)))
                (else (if (f64.lt (local.get $g1) (local.get $lo)) (then (local.set $g1 (local.get $lo))))))
              (if (f64.gt (local.get $g1) (local.get $gCompliance))
                (then
                  ;; Compliance: the pulse stops when V·G reaches the compliance current, a fraction into it.
                  (local.set $trips (i32.add (local.get $trips) (i32.const 1)))
                  (local.set $sum
                    (f64.add (local.get $sum)
                      (f64.mul
                        (f64.div (f64.sub (local.get $gCompliance) (local.get $gi)) (f64.sub (local.get $g1) (local.get $gi)))
                        (f64.add (local.get $gi) (local.get $gCompliance)))))
                  (local.set $g1 (local.get $gCompliance)))
                (else (local.set $sum (f64.add (local.get $sum) (f64.add (local.get $gi) (local.get $g1))))))
              (f64.store (i32.add (local.get $gBase) (local.get $at)) (local.get $g1))))
          ;; Wear: count the pulse; at the endurance the device is WORN_OUT (3), stuck where it is.
          (if (local.get $wears)
            (then
              (f64.store (i32.add (local.get $pulsesBase) (local.get $at))
                (local.tee $count (f64.add (f64.load (i32.add (local.get $pulsesBase) (local.get $at))) (f64.const 1))))
              (if (f64.ge (local.get $count) (local.get $endurance))
                (then (i32.store8 (i32.add (local.get $stateBase) (local.get $cell)) (i32.const 3)))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachCell)))
    (i32.store offset=2560 (i32.const 0) (local.get $s0))
    (i32.store offset=2564 (i32.const 0) (local.get $s1))
    (i32.store offset=2568 (i32.const 0) (local.get $s2))
    (i32.store offset=2572 (i32.const 0) (local.get $s3))
    (f64.store offset=2576 (i32.const 0) (local.get $sum))
    (i32.store offset=2584 (i32.const 0) (local.get $trips)))
)
