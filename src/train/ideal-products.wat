;; The ideal store's products and the first hidden layer's relaxation step, in f64x2 SIMD. Lanes are
;; different outputs: each output still sees the additions of the JS reference (ideal-store.ts,
;; relaxation.ts) in the same order and grouping, and WebAssembly does not fuse a multiply into an add,
;; so the bits are the JS loop's. The order of every addition is part of the known answers.
;;
;; Pointers are byte offsets into the imported memory env.mem; matrices are row-major float64, unpadded
;; (kernel-heap.ts lays them out). `vals` (f64) and `rows` (i32) are scratch lists of the nonzero inputs.
(module
  (import "env" "mem" (memory 1))

;; include src/train/row-sums.wat

  ;; out = input · W (W nIn × nOut): forwardProduct's sums, zero inputs skipped, four rows per group.
  (func (export "forward") (param $w i32) (param $nIn i32) (param $nOut i32) (param $input i32) (param $batch i32) (param $out i32) (param $vals i32) (param $rows i32)
    (local $nz i32)
    (block $done
      (loop $eachSample
        (br_if $done (i32.le_s (local.get $batch) (i32.const 0)))
        (local.set $nz (call $scan (local.get $input) (local.get $nIn) (local.get $vals) (local.get $rows) (i32.shl (local.get $nOut) (i32.const 3))))
        (call $combine (local.get $w) (local.get $out) (local.get $nOut) (local.get $vals) (local.get $rows)
          (i32.shr_u (local.get $nz) (i32.const 2)) (i32.and (local.get $nz) (i32.const 3)))
        (local.set $input (i32.add (local.get $input) (i32.shl (local.get $nIn) (i32.const 3))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $nOut) (i32.const 3))))
        (local.set $batch (i32.sub (local.get $batch) (i32.const 1)))
        (br $eachSample))))

  ;; out = input · Wᵀ from Wt = Wᵀ (nOut × nIn): transposedProduct's sums, each out[i] = Σ_j input[j]·W[i][j]
  ;; over the nonzero inputs in order, from +0.
  (func (export "transposed") (param $wt i32) (param $nIn i32) (param $nOut i32) (param $input i32) (param $batch i32) (param $out i32) (param $vals i32) (param $rows i32)
    (local $nz i32)
    (block $done
      (loop $eachSample
        (br_if $done (i32.le_s (local.get $batch) (i32.const 0)))
        (local.set $nz (call $scan (local.get $input) (local.get $nOut) (local.get $vals) (local.get $rows) (i32.shl (local.get $nIn) (i32.const 3))))
        (call $combine (local.get $wt) (local.get $out) (local.get $nIn) (local.get $vals) (local.get $rows) (i32.const 0) (local.get $nz))
        (local.set $input (i32.add (local.get $input) (i32.shl (local.get $nOut) (i32.const 3))))
        (local.set $out (i32.add (local.get $out) (i32.shl (local.get $nIn) (i32.const 3))))
        (local.set $batch (i32.sub (local.get $batch) (i32.const 1)))
        (br $eachSample))))

  ;; s ← clip((1 − ε)·s + ε·(below + above), 0, 1): relaxation.ts's first-hidden-layer step. pmax(v, 0) is
  ;; `v < 0 ? 0 : v` and pmin(v, 1) is `1 < v ? 1 : v`, the JS clip exactly (−0 and NaN pass through).
  (func (export "step") (param $s i32) (param $below i32) (param $above i32) (param $count i32) (param $keep f64) (param $eps f64)
    (local $end i32) (local $keep2 v128) (local $eps2 v128) (local $v f64)
    (local.set $keep2 (f64x2.splat (local.get $keep)))
    (local.set $eps2 (f64x2.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $s) (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $s) (local.get $end)))
        (v128.store (local.get $s)
          (f64x2.pmin
            (f64x2.pmax
              (f64x2.add
                (f64x2.mul (local.get $keep2) (v128.load (local.get $s)))
                (f64x2.mul (local.get $eps2) (f64x2.add (v128.load (local.get $below)) (v128.load (local.get $above)))))
              (v128.const f64x2 0 0))
            (v128.const f64x2 1 1)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (local.set $below (i32.add (local.get $below) (i32.const 16)))
        (local.set $above (i32.add (local.get $above) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $count) (i32.const 1))
      (then
        (local.set $v
          (f64.add
            (f64.mul (local.get $keep) (f64.load (local.get $s)))
            (f64.mul (local.get $eps) (f64.add (f64.load (local.get $below)) (f64.load (local.get $above))))))
        (f64.store (local.get $s)
          (select (f64.const 0)
            (select (f64.const 1) (local.get $v) (f64.gt (local.get $v) (f64.const 1)))
            (f64.lt (local.get $v) (f64.const 0)))))))
)
