;; A batch of products as the array senses them: DAC-rounded inputs, the cells' energy, the product (the
;; f32x4 kernels of mvm-kernels.wat, imported), read, amplifier and Johnson noise, and ADC codes, for every
;; vector of a call in one pass. It computes exactly what SimulatedCrossbar.mvm's JS loops computed, in the
;; same order (the products' bits and the energies are the simulator's known answers); one call per batch
;; instead of a JS loop per vector and line was a fifth of the default `mhil train`.
;;
;; Pointers are byte offsets into env.mem; f64 arrays unless noted:
;;   volts[k·nIn + i]  requested input volts        inSum[i]    Σ G of input line i
;;   z[k·nOut + j]     standard normal deviates     outSum[j]   Σ G of output line j, outSumSq[j] Σ G²
;;   out[k·nOut + j]   sensed currents, amperes     x, y        the product kernels' f32 input and output
;;   acc               four f64 sums over the vectors: the cells' joules (Σ_i v²·inSum[i])·t, Σ_i v², and on the
;;                     grids of energy-grid.ts (onGrid: floor(x/q + ½)·q, exact for a power of two q) the cells'
;;                     joules and the peripheral joules fixed + perV2·Σ_i v²: sums exact whatever the grouping
(module
  (import "env" "mem" (memory 1))
  (import "kernels" "forward" (func $forward (param i32 i32 i32 i32 i32)))
  (import "kernels" "transposed" (func $transposed (param i32 i32 i32 i32 i32)))

  ;; Math.round(v/step)·step per lane: the nearest integer, halves towards +∞ (f64x2.nearest would round
  ;; halves to even); q − floor(q) is exact for every double, so the comparison decides ties as Math.round does.
  (func $dacRound2 (param $v v128) (param $step f64) (result v128)
    (local $q v128) (local $r v128) (local $stepx v128)
    (local.set $stepx (f64x2.splat (local.get $step)))
    (local.set $q (f64x2.div (local.get $v) (local.get $stepx)))
    (local.set $r (f64x2.floor (local.get $q)))
    ;; r + (1 where q − r ≥ ½, else 0): an and with the mask (v128.bitselect measured 2.5× slower here). Only
    ;; q = −0 differs (+0 for Math.round's −0), and a ±0 volt drives the same currents and joules.
    (local.set $r
      (f64x2.add (local.get $r)
        (v128.and (f64x2.splat (f64.const 1))
          (f64x2.ge (f64x2.sub (local.get $q) (local.get $r)) (f64x2.splat (f64.const 0.5))))))
    (f64x2.mul (local.get $r) (local.get $stepx)))

  (func (export "readout")
    (param $isForward i32) (param $vectors i32) (param $nIn i32) (param $nOut i32)
    (param $g i32) (param $x i32) (param $y i32) (param $rows i32) (param $stride i32)
    (param $volts i32) (param $inSum i32) (param $outSum i32) (param $outSumSq i32) (param $z i32) (param $out i32) (param $acc i32)
    (param $dacStep f64) (param $seconds f64) (param $noisy i32) (param $readNoise f64) (param $tia2 f64) (param $thermal f64)
    (param $adcStep f64) (param $adcMaxCode f64) (param $adcMinCode f64)
    (param $cellQuantum f64) (param $peripheralFixed f64) (param $peripheralPerV2 f64) (param $peripheralQuantum f64)
    (local $k i32) (local $i i32) (local $j i32)
    (local $v f64) (local $v2 f64) (local $sumV2 f64) (local $joules f64)
    (local $cellJoules f64) (local $sumV2All f64) (local $cellGrid f64) (local $peripheralGrid f64) (local $e f64)
    (local $rn2 f64)
    (local $vAt i32) (local $zAt i32) (local $oAt i32)
    (local $v2x v128) (local $p2x v128) (local $c2x v128) (local $code2x v128) (local $rn2x v128)
    (local $tia2x v128) (local $thermalx v128) (local $adcStepx v128) (local $adcMaxx v128) (local $adcMinx v128) (local $halfx v128)
    (local $onex v128) (local $dacStepx v128) (local $q2x v128) (local $r2x v128)
    (local.set $tia2x (f64x2.splat (local.get $tia2)))
    (local.set $thermalx (f64x2.splat (local.get $thermal)))
    (local.set $adcStepx (f64x2.splat (local.get $adcStep)))
    (local.set $adcMaxx (f64x2.splat (local.get $adcMaxCode)))
    (local.set $adcMinx (f64x2.splat (local.get $adcMinCode)))
    (local.set $halfx (f64x2.splat (f64.const 0.5)))
    (local.set $onex (f64x2.splat (f64.const 1)))
    (local.set $dacStepx (f64x2.splat (local.get $dacStep)))
    (local.set $cellJoules (f64.load (local.get $acc)))
    (local.set $sumV2All (f64.load offset=8 (local.get $acc)))
    (local.set $cellGrid (f64.load offset=16 (local.get $acc)))
    (local.set $peripheralGrid (f64.load offset=24 (local.get $acc)))
    (local.set $vAt (local.get $volts))
    (local.set $zAt (local.get $z))
    (local.set $oAt (local.get $out))
    (local.set $k (i32.const 0))
    (block $vectorsDone
      (loop $eachVector
        (br_if $vectorsDone (i32.ge_s (local.get $k) (local.get $vectors)))
        ;; Inputs: DAC rounding, the f32 input, Σ v² and the cells' power Σ v²·ΣG (in input order). Two inputs
        ;; at a time in f64x2 (the same IEEE operations per lane), their terms added to the sums one by one.
        (local.set $sumV2 (f64.const 0))
        (local.set $joules (f64.const 0))
        (local.set $i (i32.const 0))
        (block $pairsDone
          (loop $eachPair
            (br_if $pairsDone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $nIn)))
            (local.set $v2x (v128.load (i32.add (local.get $vAt) (i32.shl (local.get $i) (i32.const 3)))))
            ;; Two undriven inputs (±0 V): a +0 input and nothing added to the sums (each starts at +0, so adding
            ;; +0 leaves every bit), as the pair's own arithmetic would give, without its division.
            (if (i64x2.all_true (f64x2.eq (local.get $v2x) (f64x2.splat (f64.const 0))))
              (then
                (i64.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (i64.const 0))
                (local.set $i (i32.add (local.get $i) (i32.const 2)))
                (br $eachPair)))
            (if (f64.gt (local.get $dacStep) (f64.const 0))
              (then
                ;; $dacRound2, written out: V8 (Node 20) does not inline wasm calls.
                (local.set $q2x (f64x2.div (local.get $v2x) (local.get $dacStepx)))
                (local.set $r2x (f64x2.floor (local.get $q2x)))
                (local.set $v2x
                  (f64x2.mul
                    (f64x2.add (local.get $r2x)
                      (v128.and (local.get $onex) (f64x2.ge (f64x2.sub (local.get $q2x) (local.get $r2x)) (local.get $halfx))))
                    (local.get $dacStepx)))))
            (v128.store64_lane 0 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $v2x)))
            (local.set $v2x (f64x2.mul (local.get $v2x) (local.get $v2x)))
            (local.set $p2x (f64x2.mul (local.get $v2x) (v128.load (i32.add (local.get $inSum) (i32.shl (local.get $i) (i32.const 3))))))
            (local.set $sumV2 (f64.add (f64.add (local.get $sumV2) (f64x2.extract_lane 0 (local.get $v2x))) (f64x2.extract_lane 1 (local.get $v2x))))
            (local.set $joules (f64.add (f64.add (local.get $joules) (f64x2.extract_lane 0 (local.get $p2x))) (f64x2.extract_lane 1 (local.get $p2x))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $eachPair)))
        (if (i32.lt_s (local.get $i) (local.get $nIn))
          (then
            (local.set $v (f64.load (i32.add (local.get $vAt) (i32.shl (local.get $i) (i32.const 3)))))
            (if (f64.gt (local.get $dacStep) (f64.const 0))
              (then
                (local.set $v
                  (f64x2.extract_lane 0 (call $dacRound2 (f64x2.splat (local.get $v)) (local.get $dacStep))))))
            (f32.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (f32.demote_f64 (local.get $v)))
            (local.set $v2 (f64.mul (local.get $v) (local.get $v)))
            (local.set $sumV2 (f64.add (local.get $sumV2) (local.get $v2)))
            (local.set $joules
              (f64.add (local.get $joules)
                (f64.mul (local.get $v2) (f64.load (i32.add (local.get $inSum) (i32.shl (local.get $i) (i32.const 3)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        ;; The kernels read the padding columns: zero up to the stride.
        (block $padDone
          (loop $pad
            (br_if $padDone (i32.ge_s (local.get $i) (local.get $stride)))
            (f32.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pad)))
        (local.set $sumV2All (f64.add (local.get $sumV2All) (local.get $sumV2)))
        (local.set $e (f64.mul (local.get $joules) (local.get $seconds)))
        (local.set $cellJoules (f64.add (local.get $cellJoules) (local.get $e)))
        ;; energy-grid.ts's onGrid, written out (V8 does not inline wasm calls): x to the nearest multiple of q
        ;; (halves up), or x itself when q is 0 (no grid).
        (local.set $cellGrid
          (f64.add (local.get $cellGrid)
            (select
              (f64.mul (f64.floor (f64.add (f64.div (local.get $e) (local.get $cellQuantum)) (f64.const 0.5))) (local.get $cellQuantum))
              (local.get $e)
              (f64.gt (local.get $cellQuantum) (f64.const 0)))))
        (local.set $e (f64.add (local.get $peripheralFixed) (f64.mul (local.get $peripheralPerV2) (local.get $sumV2))))
        (local.set $peripheralGrid
          (f64.add (local.get $peripheralGrid)
            (select
              (f64.mul (f64.floor (f64.add (f64.div (local.get $e) (local.get $peripheralQuantum)) (f64.const 0.5))) (local.get $peripheralQuantum))
              (local.get $e)
              (f64.gt (local.get $peripheralQuantum) (f64.const 0)))))
        (if (local.get $isForward)
          (then (call $forward (local.get $g) (local.get $x) (local.get $y) (local.get $rows) (local.get $stride)))
          (else (call $transposed (local.get $g) (local.get $x) (local.get $y) (local.get $rows) (local.get $stride))))
        ;; Outputs: noise with variance (rn²·Σv²/nIn)·ΣG² + tia² + 4kTΔf·ΣG, then the ADC's code.
        (local.set $rn2
          (f64.div (f64.mul (f64.mul (local.get $readNoise) (local.get $readNoise)) (local.get $sumV2)) (f64.convert_i32_s (local.get $nIn))))
        (local.set $rn2x (f64x2.splat (local.get $rn2)))
        (local.set $j (i32.const 0))
        (block $outputsDone
          (loop $eachOutput
            (br_if $outputsDone (i32.ge_s (local.get $j) (local.get $nOut)))
            ;; Two lines at a time; an odd last line reads one element past its array (scratch), stores one.
            (local.set $c2x (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2))))))
            (if (local.get $noisy)
              (then
                (local.set $c2x
                  (f64x2.add (local.get $c2x)
                    (f64x2.mul
                      (f64x2.sqrt
                        (f64x2.add
                          (f64x2.add
                            (f64x2.mul (local.get $rn2x) (v128.load (i32.add (local.get $outSumSq) (i32.shl (local.get $j) (i32.const 3)))))
                            (local.get $tia2x))
                          (f64x2.mul (local.get $thermalx) (v128.load (i32.add (local.get $outSum) (i32.shl (local.get $j) (i32.const 3)))))))
                      (v128.load (i32.add (local.get $zAt) (i32.shl (local.get $j) (i32.const 3)))))))))
            (if (f64.gt (local.get $adcStep) (f64.const 0))
              (then
                (local.set $code2x (f64x2.floor (f64x2.add (f64x2.div (local.get $c2x) (local.get $adcStepx)) (local.get $halfx))))
                (local.set $code2x (f64x2.pmin (local.get $code2x) (local.get $adcMaxx))) ;; code > max → max, NaN stays
                (local.set $code2x (f64x2.pmax (local.get $code2x) (local.get $adcMinx))) ;; code < min → min
                (local.set $c2x (f64x2.mul (local.get $code2x) (local.get $adcStepx)))))
            (if (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $nOut))
              (then (v128.store (i32.add (local.get $oAt) (i32.shl (local.get $j) (i32.const 3))) (local.get $c2x)))
              (else (f64.store (i32.add (local.get $oAt) (i32.shl (local.get $j) (i32.const 3))) (f64x2.extract_lane 0 (local.get $c2x)))))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $eachOutput)))
        (local.set $vAt (i32.add (local.get $vAt) (i32.shl (local.get $nIn) (i32.const 3))))
        (local.set $zAt (i32.add (local.get $zAt) (i32.shl (local.get $nOut) (i32.const 3))))
        (local.set $oAt (i32.add (local.get $oAt) (i32.shl (local.get $nOut) (i32.const 3))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $eachVector)))
    (f64.store (local.get $acc) (local.get $cellJoules))
    (f64.store offset=8 (local.get $acc) (local.get $sumV2All))
    (f64.store offset=16 (local.get $acc) (local.get $cellGrid))
    (f64.store offset=24 (local.get $acc) (local.get $peripheralGrid)))

  ;; firstOutside(at, n, max): the index of the first of n f64 at `at` that is not within ±max (NaN is not), or −1:
  ;; the simulator's own check of a request's volts, on the copy it senses, before a deviate is drawn.
  (func (export "firstOutside") (param $at i32) (param $n i32) (param $max f64) (result i32)
    (local $i i32) (local $v v128) (local $hi v128) (local $lo v128) (local $x f64)
    (local.set $hi (f64x2.splat (local.get $max)))
    (local.set $lo (f64x2.splat (f64.neg (local.get $max))))
    (block $pairsDone
      (loop $eachPair
        (br_if $pairsDone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 3)))))
        (if (i32.eqz (i64x2.all_true (v128.and (f64x2.le (local.get $v) (local.get $hi)) (f64x2.ge (local.get $v) (local.get $lo)))))
          (then (br $pairsDone)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $eachPair)))
    ;; The pair that failed (or the odd last one), one at a time.
    (block $done
      (loop $each
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $x (f64.load (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 3)))))
        (if (i32.eqz (i32.and (f64.le (local.get $x) (local.get $max)) (f64.ge (local.get $x) (f64.neg (local.get $max)))))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))
    (i32.const -1))
)
