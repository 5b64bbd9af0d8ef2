;; The ideal store's weight updates in f64x2 SIMD, lanes being different weights of a row: the same
;; additions in the same order as the JS reference (ideal-store.ts sparseInputUpdate, store.ts
;; accumulateUpdate and IdealStore.update), so the same bits, and Σ|ΔW| summed weight by weight in order.
;; Pointers are byte offsets into the imported memory env.mem (kernel-heap.ts lays it out).
(module
  (import "env" "mem" (memory 1))

;; include src/train/row-sums.wat

  ;; dW += coef · Σ_b pre_b ⊗ post_b over the nonzero inputs, sample by sample, marking the rows touched:
  ;; store.ts's outer.
  (func $outer (param $dW i32) (param $touched i32) (param $nIn i32) (param $nOut i32) (param $pre i32) (param $post i32) (param $batch i32) (param $coef f64)
    (local $i i32) (local $v f64) (local $c f64) (local $c2 v128) (local $at i32) (local $end i32) (local $p i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 3)))
    (block $done
      (loop $eachSample
        (br_if $done (i32.le_s (local.get $batch) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $nIn)))
            (local.set $v (f64.load (i32.add (local.get $pre) (i32.shl (local.get $i) (i32.const 3)))))
            (if (f64.ne (local.get $v) (f64.const 0))
              (then
                (local.set $c (f64.mul (local.get $coef) (local.get $v)))
                (local.set $c2 (f64x2.splat (local.get $c)))
                (i32.store8 (i32.add (local.get $touched) (local.get $i)) (i32.const 1))
                (local.set $at (i32.add (local.get $dW) (i32.mul (local.get $i) (local.get $rowBytes))))
                (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $nOut) (i32.const -2)) (i32.const 3))))
                (local.set $p (local.get $post))
                (block $pairsDone
                  (loop $pairs
                    (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $end)))
                    (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (f64x2.mul (local.get $c2) (v128.load (local.get $p)))))
                    (local.set $at (i32.add (local.get $at) (i32.const 16)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (br $pairs)))
                (if (i32.and (local.get $nOut) (i32.const 1))
                  (then (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.mul (local.get $c) (f64.load (local.get $p)))))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $eachRow)))
        (local.set $pre (i32.add (local.get $pre) (i32.shl (local.get $nIn) (i32.const 3))))
        (local.set $post (i32.add (local.get $post) (local.get $rowBytes)))
        (local.set $batch (i32.sub (local.get $batch) (i32.const 1)))
        (br $eachSample))))

  ;; W += coef · Σ_b (pre⁺_b ⊗ post⁺_b − pre⁻_b ⊗ post⁻_b) through dW (zero on entry and on return), as
  ;; IdealStore.update's dense path with accumulateUpdate: returns Σ|ΔW| over the touched rows in order.
  (func (export "outerUpdate") (param $w i32) (param $dW i32) (param $touched i32) (param $nIn i32) (param $nOut i32) (param $prePlus i32) (param $postPlus i32) (param $preMinus i32) (param $postMinus i32) (param $batch i32) (param $coef f64) (result f64)
    (local $i i32) (local $at i32) (local $end i32) (local $wAt i32) (local $d v128) (local $x f64) (local $path f64)
    (call $outer (local.get $dW) (local.get $touched) (local.get $nIn) (local.get $nOut) (local.get $prePlus) (local.get $postPlus) (local.get $batch) (local.get $coef))
    (call $outer (local.get $dW) (local.get $touched) (local.get $nIn) (local.get $nOut) (local.get $preMinus) (local.get $postMinus) (local.get $batch) (f64.neg (local.get $coef)))
    (block $done
      (loop $eachRow
        (br_if $done (i32.ge_s (local.get $i) (local.get $nIn)))
        (if (i32.load8_u (i32.add (local.get $touched) (local.get $i)))
          (then
            (i32.store8 (i32.add (local.get $touched) (local.get $i)) (i32.const 0))
            (local.set $at (i32.add (local.get $dW) (i32.shl (i32.mul (local.get $i) (local.get $nOut)) (i32.const 3))))
            (local.set $wAt (i32.add (local.get $w) (i32.shl (i32.mul (local.get $i) (local.get $nOut)) (i32.const 3))))
            (local.set $end (i32.add (local.get $at) (i32.shl (i32.and (local.get $nOut) (i32.const -2)) (i32.const 3))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $end)))
                (local.set $d (v128.load (local.get $at)))
                (v128.store (local.get $wAt) (f64x2.add (v128.load (local.get $wAt)) (local.get $d)))
                (local.set $path (f64.add (local.get $path) (f64.abs (f64x2.extract_lane 0 (local.get $d)))))
                (local.set $path (f64.add (local.get $path) (f64.abs (f64x2.extract_lane 1 (local.get $d)))))
                (v128.store (local.get $at) (v128.const i64x2 0 0))
                (local.set $at (i32.add (local.get $at) (i32.const 16)))
                (local.set $wAt (i32.add (local.get $wAt) (i32.const 16)))
                (br $pairs)))
            (if (i32.and (local.get $nOut) (i32.const 1))
              (then
                (local.set $x (f64.load (local.get $at)))
                (f64.store (local.get $wAt) (f64.add (f64.load (local.get $wAt)) (local.get $x)))
                (local.set $path (f64.add (local.get $path) (f64.abs (local.get $x))))
                (f64.store (local.get $at) (f64.const 0))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $eachRow)))
    (local.get $path))

  ;; W += coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b), returning Σ|ΔW| in sparseInputUpdate's order; −1, with W
  ;; untouched, when an input is not finite (the caller then runs the JS reference). Each row's sum runs over
  ;; the samples in order whose input is nonzero and whose difference is not all zero, as the JS does; it
  ;; takes every column of the difference where the JS takes the nonzero ones only: v·(±0) = ±0 leaves a sum
  ;; that started at +0 unchanged (it is never −0), so the bits agree for finite inputs.
  ;; Scratch: diff (batch × nOut f64), any (batch i32), acc (nOut f64), vals (batch f64), rows (batch i32).
  (func (export "inputUpdate") (param $w i32) (param $nIn i32) (param $nOut i32) (param $pre i32) (param $postPlus i32) (param $postMinus i32) (param $batch i32) (param $coef f64)
    (param $diff i32) (param $any i32) (param $acc i32) (param $vals i32) (param $rows i32) (result f64)
    (local $k i32) (local $n i32) (local $b i32) (local $i i32) (local $nz i32) (local $v f64) (local $d f64)
    (local $rowBytes i32) (local $at i32) (local $end i32) (local $wAt i32) (local $dd v128) (local $coef2 v128) (local $path f64)
    ;; Every input finite, before anything changes.
    (local.set $n (i32.mul (local.get $batch) (local.get $nIn)))
    (block $checked
      (loop $each
        (br_if $checked (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $v (f64.load (i32.add (local.get $pre) (i32.shl (local.get $k) (i32.const 3)))))
        (if (f64.ne (f64.sub (local.get $v) (local.get $v)) (f64.const 0)) (then (return (f64.const -1))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $each)))
    ;; The differences, and which samples have any nonzero one.
    (local.set $rowBytes (i32.shl (local.get $nOut) (i32.const 3)))
    (local.set $b (i32.const 0))
    (block $diffsDone
      (loop $eachSample
        (br_if $diffsDone (i32.ge_s (local.get $b) (local.get $batch)))
        (i32.store (i32.add (local.get $any) (i32.shl (local.get $b) (i32.const 2))) (i32.const 0))
        (local.set $k (i32.const 0))
        (block $rowDone
          (loop $eachColumn
            (br_if $rowDone (i32.ge_s (local.get $k) (local.get $nOut)))
            (local.set $at (i32.add (i32.mul (local.get $b) (local.get $rowBytes)) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $d (f64.sub (f64.load (i32.add (local.get $postPlus) (local.get $at))) (f64.load (i32.add (local.get $postMinus) (local.get $at)))))
            (f64.store (i32.add (local.get $diff) (local.get $at)) (local.get $d))
            (if (f64.ne (local.get $d) (f64.const 0))
              (then (i32.store (i32.add (local.get $any) (i32.shl (local.get $b) (i32.const 2))) (i32.const 1))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $eachColumn)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $eachSample)))
    (local.set $coef2 (f64x2.splat (local.get $coef)))
    (local.set $i (i32.const 0))
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $nIn)))
        ;; Row i's column of the batch: (value, difference row) for each contributing sample, in order.
        (local.set $nz (i32.const 0))
        (local.set $b (i32.const 0))
        (block $columnDone
          (loop $eachSample
            (br_if $columnDone (i32.ge_s (local.get $b) (local.get $batch)))
            (if (i32.load (i32.add (local.get $any) (i32.shl (local.get $b) (i32.const 2))))
              (then
                (local.set $v (f64.load (i32.add (local.get $pre) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $nIn)) (local.get $i)) (i32.const 3)))))
                (if (f64.ne (local.get $v) (f64.const 0))
                  (then
                    (f64.store (i32.add (local.get $vals) (i32.shl (local.get $nz) (i32.const 3))) (local.get $v))
                    (i32.store (i32.add (local.get $rows) (i32.shl (local.get $nz) (i32.const 2))) (i32.mul (local.get $b) (local.get $rowBytes)))
                    (local.set $nz (i32.add (local.get $nz) (i32.const 1)))))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $eachSample)))
        (if (local.get $nz)
          (then
            (call $combine (local.get $diff) (local.get $acc) (local.get $nOut) (local.get $vals) (local.get $rows) (i32.const 0) (local.get $nz))
            ;; W[i][j] += coef·acc[j]; the path sums |ΔW| column by column.
            (local.set $wAt (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $at (local.get $acc))
            (local.set $end (i32.add (local.get $acc) (i32.shl (i32.and (local.get $nOut) (i32.const -2)) (i32.const 3))))
            (block $pairsDone
              (loop $pairs
                (br_if $pairsDone (i32.ge_u (local.get $at) (local.get $end)))
                (local.set $dd (f64x2.mul (local.get $coef2) (v128.load (local.get $at))))
                (v128.store (local.get $wAt) (f64x2.add (v128.load (local.get $wAt)) (local.get $dd)))
                (local.set $path (f64.add (local.get $path) (f64.abs (f64x2.extract_lane 0 (local.get $dd)))))
                (local.set $path (f64.add (local.get $path) (f64.abs (f64x2.extract_lane 1 (local.get $dd)))))
                (local.set $at (i32.add (local.get $at) (i32.const 16)))
                (local.set $wAt (i32.add (local.get $wAt) (i32.const 16)))
                (br $pairs)))
            (if (i32.and (local.get $nOut) (i32.const 1))
              (then
                (local.set $d (f64.mul (local.get $coef) (f64.load (local.get $at))))
                (f64.store (local.get $wAt) (f64.add (f64.load (local.get $wAt)) (local.get $d)))
                (local.set $path (f64.add (local.get $path) (f64.abs (local.get $d))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $eachRow)))
    (local.get $path))
)
