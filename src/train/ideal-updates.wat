;; The ideal store's weight updates in f64x2 SIMD, lanes being different weights of a row: the same
;; additions in the same order as the JS reference (ideal-store.ts sparseInputUpdate, store.ts
;; accumulateUpdate and IdealStore.update), so the same bits, and Σ|ΔW| summed weight by weight in order.
;; Pointers are byte offsets into the imported memory env.mem (kernel-heap.ts lays it out).
(module
  (import "env" "mem" (memory 1))

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

  ;; One row of the input-layer update: acc[j] = Σ over the listed samples of v·diff[b][j] (from +0, in order,
  ;; as $combine sums), W[j] += coef·acc[j], and path += |coef·acc[j]| column by column. The sums and the
  ;; writes go 8 columns per pass (then 2, then the odd last one) in the same loop as the path's additions,
  ;; so the path's chain of dependent adds runs beside the next columns' sums instead of after the whole row.
  (func $updateRow (param $wRow i32) (param $diff i32) (param $cols i32) (param $vals i32) (param $rows i32) (param $nz i32) (param $coef f64) (param $path f64) (result f64)
    (local $col i32) (local $colBytes i32) (local $k i32) (local $vAt i32) (local $rAt i32) (local $r i32) (local $v v128) (local $coef2 v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $s f64)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $coef2 (f64x2.splat (local.get $coef)))
    (block $done8
      (loop $columns8
        (br_if $done8 (i32.gt_s (i32.add (local.get $col) (i32.const 64)) (local.get $colBytes)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $acc2 (v128.const i64x2 0 0))
        (local.set $acc3 (v128.const i64x2 0 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $nz))
        (block $samplesDone
          (loop $eachSample
            (br_if $samplesDone (i32.eqz (local.get $k)))
            (local.set $v (f64x2.splat (f64.load (local.get $vAt))))
            (local.set $r (i32.add (i32.add (local.get $diff) (local.get $col)) (i32.load (local.get $rAt))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $v) (v128.load (local.get $r)))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $v) (v128.load offset=16 (local.get $r)))))
            (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $v) (v128.load offset=32 (local.get $r)))))
            (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $v) (v128.load offset=48 (local.get $r)))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSample)))
        (local.set $r (i32.add (local.get $wRow) (local.get $col)))
        (local.set $acc0 (f64x2.mul (local.get $coef2) (local.get $acc0)))
        (local.set $acc1 (f64x2.mul (local.get $coef2) (local.get $acc1)))
        (local.set $acc2 (f64x2.mul (local.get $coef2) (local.get $acc2)))
        (local.set $acc3 (f64x2.mul (local.get $coef2) (local.get $acc3)))
        (v128.store (local.get $r) (f64x2.add (v128.load (local.get $r)) (local.get $acc0)))
        (v128.store offset=16 (local.get $r) (f64x2.add (v128.load offset=16 (local.get $r)) (local.get $acc1)))
        (v128.store offset=32 (local.get $r) (f64x2.add (v128.load offset=32 (local.get $r)) (local.get $acc2)))
        (v128.store offset=48 (local.get $r) (f64x2.add (v128.load offset=48 (local.get $r)) (local.get $acc3)))
        (local.set $acc0 (f64x2.abs (local.get $acc0)))
        (local.set $acc1 (f64x2.abs (local.get $acc1)))
        (local.set $acc2 (f64x2.abs (local.get $acc2)))
        (local.set $acc3 (f64x2.abs (local.get $acc3)))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 0 (local.get $acc0))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 0 (local.get $acc1))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 1 (local.get $acc1))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 0 (local.get $acc2))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 1 (local.get $acc2))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 0 (local.get $acc3))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 1 (local.get $acc3))))
        (local.set $col (i32.add (local.get $col) (i32.const 64)))
        (br $columns8)))
    (block $done2
      (loop $columns2
        (br_if $done2 (i32.gt_s (i32.add (local.get $col) (i32.const 16)) (local.get $colBytes)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $nz))
        (block $samplesDone
          (loop $eachSample
            (br_if $samplesDone (i32.eqz (local.get $k)))
            (local.set $acc0 (f64x2.add (local.get $acc0)
              (f64x2.mul (f64x2.splat (f64.load (local.get $vAt)))
                (v128.load (i32.add (i32.add (local.get $diff) (local.get $col)) (i32.load (local.get $rAt)))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSample)))
        (local.set $r (i32.add (local.get $wRow) (local.get $col)))
        (local.set $acc0 (f64x2.mul (local.get $coef2) (local.get $acc0)))
        (v128.store (local.get $r) (f64x2.add (v128.load (local.get $r)) (local.get $acc0)))
        (local.set $acc0 (f64x2.abs (local.get $acc0)))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 0 (local.get $acc0))))
        (local.set $path (f64.add (local.get $path) (f64x2.extract_lane 1 (local.get $acc0))))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $columns2)))
    (if (i32.lt_s (local.get $col) (local.get $colBytes))
      (then
        (local.set $s (f64.const 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $nz))
        (block $samplesDone
          (loop $eachSample
            (br_if $samplesDone (i32.eqz (local.get $k)))
            (local.set $s (f64.add (local.get $s)
              (f64.mul (f64.load (local.get $vAt))
                (f64.load (i32.add (i32.add (local.get $diff) (local.get $col)) (i32.load (local.get $rAt)))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSample)))
        (local.set $r (i32.add (local.get $wRow) (local.get $col)))
        (local.set $s (f64.mul (local.get $coef) (local.get $s)))
        (f64.store (local.get $r) (f64.add (f64.load (local.get $r)) (local.get $s)))
        (local.set $path (f64.add (local.get $path) (f64.abs (local.get $s))))))
    (local.get $path))

  ;; W += coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b), returning Σ|ΔW| in sparseInputUpdate's order; −1, with W
  ;; untouched, when an input is not finite (the caller then runs the JS reference). Each row's sum runs over
  ;; the samples in order whose input is nonzero and whose difference is not all zero, as the JS does; it
  ;; takes every column of the difference where the JS takes the nonzero ones only: v·(±0) = ±0 leaves a sum
  ;; that started at +0 unchanged (it is never −0), so the bits agree for finite inputs.
  ;; Scratch: diff (batch × nOut f64), any (batch i32), vals (batch f64), rows (batch i32).
  (func (export "inputUpdate") (param $w i32) (param $nIn i32) (param $nOut i32) (param $pre i32) (param $postPlus i32) (param $postMinus i32) (param $batch i32) (param $coef f64)
    (param $diff i32) (param $any i32) (param $vals i32) (param $rows i32) (result f64)
    (local $k i32) (local $n i32) (local $b i32) (local $i i32) (local $nz i32) (local $v f64) (local $d f64)
    (local $rowBytes i32) (local $at i32) (local $path f64)
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
            (local.set $path (call $updateRow
              (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rowBytes)))
              (local.get $diff) (local.get $nOut) (local.get $vals) (local.get $rows) (local.get $nz) (local.get $coef) (local.get $path)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $eachRow)))
    (local.get $path))
)
