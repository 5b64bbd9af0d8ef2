;; The ideal store's products and the first hidden layer's relaxation step, in f64x2 SIMD. Lanes are
;; different outputs: each output still sees the additions of the JS reference (ideal-store.ts,
;; relaxation.ts) in the same order and grouping, and WebAssembly does not fuse a multiply into an add,
;; so the bits are the JS loop's. The order of every addition is part of the known answers.
;;
;; Pointers are byte offsets into the imported memory env.mem; matrices are row-major float64, unpadded
;; (kernel-heap.ts lays them out). `vals` (f64) and `rows` (i32) are scratch lists of the nonzero inputs.
(module
  (import "env" "mem" (memory 1))

  ;; The nonzero entries of src[0..n): their values into vals, i·rowBytes into rows. Returns their count.
  ;; `v != 0` as the JS `!== 0`: NaN counts, −0 does not. Every entry is written and the count moves only
  ;; past nonzero ones: no branch to mispredict on states that are half zeros.
  (func $scan (param $src i32) (param $n i32) (param $vals i32) (param $rows i32) (param $rowBytes i32) (result i32)
    (local $end i32) (local $row i32) (local $nz i32) (local $v f64)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 3))))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $v (f64.load (local.get $src)))
        (f64.store (i32.add (local.get $vals) (i32.shl (local.get $nz) (i32.const 3))) (local.get $v))
        (i32.store (i32.add (local.get $rows) (i32.shl (local.get $nz) (i32.const 2))) (local.get $row))
        (local.set $nz (i32.add (local.get $nz) (f64.ne (local.get $v) (f64.const 0))))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (br $each)))
    (local.get $nz))

  ;; dst[j] = Σ over the listed rows of W, for j < cols, as the JS reference sums it: from +0, first
  ;; `groups` groups of four rows, each added as ((v0·W0j + v1·W1j) + v2·W2j) + v3·W3j, then `singles`
  ;; rows one at a time (+= v·Wj). Columns go 8 at a time (four accumulators), then 2, then the odd last one.
  (func $combine (param $w i32) (param $dst i32) (param $cols i32) (param $vals i32) (param $rows i32) (param $groups i32) (param $singles i32)
    (local $col i32) (local $colBytes i32) (local $k i32) (local $vAt i32) (local $rAt i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $s f64)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 3)))

    ;; Blocks of 8 columns.
    (block $done8
      (loop $columns8
        (br_if $done8 (i32.gt_s (i32.add (local.get $col) (i32.const 64)) (local.get $colBytes)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $acc1 (v128.const i64x2 0 0))
        (local.set $acc2 (v128.const i64x2 0 0))
        (local.set $acc3 (v128.const i64x2 0 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $groups))
        (block $groupsDone
          (loop $eachGroup
            (br_if $groupsDone (i32.eqz (local.get $k)))
            (local.set $v0 (f64x2.splat (f64.load (local.get $vAt))))
            (local.set $v1 (f64x2.splat (f64.load offset=8 (local.get $vAt))))
            (local.set $v2 (f64x2.splat (f64.load offset=16 (local.get $vAt))))
            (local.set $v3 (f64x2.splat (f64.load offset=24 (local.get $vAt))))
            (local.set $r0 (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt))))
            (local.set $r1 (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=4 (local.get $rAt))))
            (local.set $r2 (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=8 (local.get $rAt))))
            (local.set $r3 (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=12 (local.get $rAt))))
            (local.set $acc0 (f64x2.add (local.get $acc0)
              (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $v0) (v128.load (local.get $r0)))
                (f64x2.mul (local.get $v1) (v128.load (local.get $r1))))
                (f64x2.mul (local.get $v2) (v128.load (local.get $r2))))
                (f64x2.mul (local.get $v3) (v128.load (local.get $r3))))))
            (local.set $acc1 (f64x2.add (local.get $acc1)
              (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $v0) (v128.load offset=16 (local.get $r0)))
                (f64x2.mul (local.get $v1) (v128.load offset=16 (local.get $r1))))
                (f64x2.mul (local.get $v2) (v128.load offset=16 (local.get $r2))))
                (f64x2.mul (local.get $v3) (v128.load offset=16 (local.get $r3))))))
            (local.set $acc2 (f64x2.add (local.get $acc2)
              (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $v0) (v128.load offset=32 (local.get $r0)))
                (f64x2.mul (local.get $v1) (v128.load offset=32 (local.get $r1))))
                (f64x2.mul (local.get $v2) (v128.load offset=32 (local.get $r2))))
                (f64x2.mul (local.get $v3) (v128.load offset=32 (local.get $r3))))))
            (local.set $acc3 (f64x2.add (local.get $acc3)
              (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (local.get $v0) (v128.load offset=48 (local.get $r0)))
                (f64x2.mul (local.get $v1) (v128.load offset=48 (local.get $r1))))
                (f64x2.mul (local.get $v2) (v128.load offset=48 (local.get $r2))))
                (f64x2.mul (local.get $v3) (v128.load offset=48 (local.get $r3))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 32)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 16)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachGroup)))
        (local.set $k (local.get $singles))
        (block $singlesDone
          (loop $eachSingle
            (br_if $singlesDone (i32.eqz (local.get $k)))
            (local.set $v0 (f64x2.splat (f64.load (local.get $vAt))))
            (local.set $r0 (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt))))
            (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $v0) (v128.load (local.get $r0)))))
            (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $v0) (v128.load offset=16 (local.get $r0)))))
            (local.set $acc2 (f64x2.add (local.get $acc2) (f64x2.mul (local.get $v0) (v128.load offset=32 (local.get $r0)))))
            (local.set $acc3 (f64x2.add (local.get $acc3) (f64x2.mul (local.get $v0) (v128.load offset=48 (local.get $r0)))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSingle)))
        (v128.store (i32.add (local.get $dst) (local.get $col)) (local.get $acc0))
        (v128.store offset=16 (i32.add (local.get $dst) (local.get $col)) (local.get $acc1))
        (v128.store offset=32 (i32.add (local.get $dst) (local.get $col)) (local.get $acc2))
        (v128.store offset=48 (i32.add (local.get $dst) (local.get $col)) (local.get $acc3))
        (local.set $col (i32.add (local.get $col) (i32.const 64)))
        (br $columns8)))

    ;; Blocks of 2 columns: the same sums with one accumulator.
    (block $done2
      (loop $columns2
        (br_if $done2 (i32.gt_s (i32.add (local.get $col) (i32.const 16)) (local.get $colBytes)))
        (local.set $acc0 (v128.const i64x2 0 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $groups))
        (block $groupsDone
          (loop $eachGroup
            (br_if $groupsDone (i32.eqz (local.get $k)))
            (local.set $acc0 (f64x2.add (local.get $acc0)
              (f64x2.add (f64x2.add (f64x2.add
                (f64x2.mul (f64x2.splat (f64.load (local.get $vAt)))
                  (v128.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt)))))
                (f64x2.mul (f64x2.splat (f64.load offset=8 (local.get $vAt)))
                  (v128.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=4 (local.get $rAt))))))
                (f64x2.mul (f64x2.splat (f64.load offset=16 (local.get $vAt)))
                  (v128.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=8 (local.get $rAt))))))
                (f64x2.mul (f64x2.splat (f64.load offset=24 (local.get $vAt)))
                  (v128.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=12 (local.get $rAt))))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 32)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 16)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachGroup)))
        (local.set $k (local.get $singles))
        (block $singlesDone
          (loop $eachSingle
            (br_if $singlesDone (i32.eqz (local.get $k)))
            (local.set $acc0 (f64x2.add (local.get $acc0)
              (f64x2.mul (f64x2.splat (f64.load (local.get $vAt)))
                (v128.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt)))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSingle)))
        (v128.store (i32.add (local.get $dst) (local.get $col)) (local.get $acc0))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $columns2)))

    ;; The odd last column, in scalars.
    (if (i32.lt_s (local.get $col) (local.get $colBytes))
      (then
        (local.set $s (f64.const 0))
        (local.set $vAt (local.get $vals))
        (local.set $rAt (local.get $rows))
        (local.set $k (local.get $groups))
        (block $groupsDone
          (loop $eachGroup
            (br_if $groupsDone (i32.eqz (local.get $k)))
            (local.set $s (f64.add (local.get $s)
              (f64.add (f64.add (f64.add
                (f64.mul (f64.load (local.get $vAt))
                  (f64.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt)))))
                (f64.mul (f64.load offset=8 (local.get $vAt))
                  (f64.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=4 (local.get $rAt))))))
                (f64.mul (f64.load offset=16 (local.get $vAt))
                  (f64.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=8 (local.get $rAt))))))
                (f64.mul (f64.load offset=24 (local.get $vAt))
                  (f64.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load offset=12 (local.get $rAt))))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 32)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 16)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachGroup)))
        (local.set $k (local.get $singles))
        (block $singlesDone
          (loop $eachSingle
            (br_if $singlesDone (i32.eqz (local.get $k)))
            (local.set $s (f64.add (local.get $s)
              (f64.mul (f64.load (local.get $vAt))
                (f64.load (i32.add (i32.add (local.get $w) (local.get $col)) (i32.load (local.get $rAt)))))))
            (local.set $vAt (i32.add (local.get $vAt) (i32.const 8)))
            (local.set $rAt (i32.add (local.get $rAt) (i32.const 4)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $eachSingle)))
        (f64.store (i32.add (local.get $dst) (local.get $col)) (local.get $s)))))

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
