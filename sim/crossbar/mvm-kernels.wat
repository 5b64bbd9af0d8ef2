;; The crossbar's matrix-vector products in f32x4 SIMD (Ohm's law per cell, Kirchhoff's law per line).
;;
;; All pointers are byte offsets into the imported memory env.mem. G is row-major float32 with a row
;; stride of `stride` floats, stride a multiple of 4, padding columns zero (mvm-engine.ts lays it out).
;;   forward(g, x, y, rows, stride):     y[j] = Σ_i x[i]·G[i][j]  for j < stride  (I = Gᵀ·V)
;;   transposed(g, x, y, rows, stride):  y[i] = Σ_j G[i][j]·x[j]  for i < rows    (I = G·V; x padded to stride)
;; Sums accumulate in float32, so each output carries at most the float32 summation error γ_n·Σ|x·G|.
;; The order of every addition is part of the simulator's known answers: change it and seeds stop reproducing.
;; Undriven inputs (x = +0.0, all bits zero) are skipped: x·G = +0 and s + (+0) = s for every sum s here (the sums
;; start at +0, so none is −0), so skipping them leaves every bit of every output as it was.
(module
  (import "env" "mem" (memory 1))

  ;; Columns go 48 at a time (twelve accumulators), then 16, then 4; rows one at a time. Each column's sum is a
  ;; chain of dependent adds, so a pass over the rows takes at least the add's latency per row whatever its width:
  ;; six accumulators measured 1.2× faster than four, and twelve 1.12× faster than six at 256×256 (3.18 against
  ;; 3.56 µs: eleven passes became six, and the multiplies' throughput, not the adds' latency, now bounds it; the
  ;; same at 64×64 and 0.95 against 1.03 µs at 128×128); eight and ten were 1.7–2× slower (V8 spills them).
  ;; Each column still sums its rows in order, so the bits do not depend on the block width.
  (func (export "forward") (param $g i32) (param $x i32) (param $y i32) (param $rows i32) (param $stride i32)
    (local $col i32)       ;; byte offset of the current column block within a row
    (local $gRow i32)      ;; &G[i][col]
    (local $rowBytes i32)
    (local $xAt i32)       ;; &x[i]
    (local $xEnd i32)      ;; &x[rows]
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128) (local $acc5 v128)
    (local $acc6 v128) (local $acc7 v128) (local $acc8 v128) (local $acc9 v128) (local $acc10 v128) (local $acc11 v128)
    (local $xi v128)       ;; x[i] in all four lanes
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $xEnd (i32.add (local.get $x) (i32.shl (local.get $rows) (i32.const 2))))
    (local.set $col (i32.const 0))
    ;; Blocks of 48 columns.
    (block $done48
      (loop $columns48
        (br_if $done48 (i32.gt_s (i32.add (local.get $col) (i32.const 192)) (local.get $rowBytes)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $acc4 (v128.const i32x4 0 0 0 0))
        (local.set $acc5 (v128.const i32x4 0 0 0 0))
        (local.set $acc6 (v128.const i32x4 0 0 0 0))
        (local.set $acc7 (v128.const i32x4 0 0 0 0))
        (local.set $acc8 (v128.const i32x4 0 0 0 0))
        (local.set $acc9 (v128.const i32x4 0 0 0 0))
        (local.set $acc10 (v128.const i32x4 0 0 0 0))
        (local.set $acc11 (v128.const i32x4 0 0 0 0))
        (local.set $gRow (i32.add (local.get $g) (local.get $col)))
        (local.set $xAt (local.get $x))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_u (local.get $xAt) (local.get $xEnd)))
            ;; x[i] in all four lanes, loaded once (v128.load32_splat: 3 % off the 256×256 kernel against a load to
            ;; test and another to splat). An undriven row (x = +0, bits all zero) adds nothing: skipped, as a
            ;; layer's product drives only its block.
            (local.set $xi (v128.load32_splat (local.get $xAt)))
            (if (i32.eqz (i32x4.extract_lane 0 (local.get $xi)))
              (then
                (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
                (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
                (br $eachRow)))
            ;; acc += x[i]·G[i][..], each lane its own column.
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $xi) (v128.load (local.get $gRow)))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $xi) (v128.load offset=16 (local.get $gRow)))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $xi) (v128.load offset=32 (local.get $gRow)))))
            (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $xi) (v128.load offset=48 (local.get $gRow)))))
            (local.set $acc4 (f32x4.add (local.get $acc4) (f32x4.mul (local.get $xi) (v128.load offset=64 (local.get $gRow)))))
            (local.set $acc5 (f32x4.add (local.get $acc5) (f32x4.mul (local.get $xi) (v128.load offset=80 (local.get $gRow)))))
            (local.set $acc6 (f32x4.add (local.get $acc6) (f32x4.mul (local.get $xi) (v128.load offset=96 (local.get $gRow)))))
            (local.set $acc7 (f32x4.add (local.get $acc7) (f32x4.mul (local.get $xi) (v128.load offset=112 (local.get $gRow)))))
            (local.set $acc8 (f32x4.add (local.get $acc8) (f32x4.mul (local.get $xi) (v128.load offset=128 (local.get $gRow)))))
            (local.set $acc9 (f32x4.add (local.get $acc9) (f32x4.mul (local.get $xi) (v128.load offset=144 (local.get $gRow)))))
            (local.set $acc10 (f32x4.add (local.get $acc10) (f32x4.mul (local.get $xi) (v128.load offset=160 (local.get $gRow)))))
            (local.set $acc11 (f32x4.add (local.get $acc11) (f32x4.mul (local.get $xi) (v128.load offset=176 (local.get $gRow)))))
            (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
            (br $eachRow)))
        (v128.store (i32.add (local.get $y) (local.get $col)) (local.get $acc0))
        (v128.store offset=16 (i32.add (local.get $y) (local.get $col)) (local.get $acc1))
        (v128.store offset=32 (i32.add (local.get $y) (local.get $col)) (local.get $acc2))
        (v128.store offset=48 (i32.add (local.get $y) (local.get $col)) (local.get $acc3))
        (v128.store offset=64 (i32.add (local.get $y) (local.get $col)) (local.get $acc4))
        (v128.store offset=80 (i32.add (local.get $y) (local.get $col)) (local.get $acc5))
        (v128.store offset=96 (i32.add (local.get $y) (local.get $col)) (local.get $acc6))
        (v128.store offset=112 (i32.add (local.get $y) (local.get $col)) (local.get $acc7))
        (v128.store offset=128 (i32.add (local.get $y) (local.get $col)) (local.get $acc8))
        (v128.store offset=144 (i32.add (local.get $y) (local.get $col)) (local.get $acc9))
        (v128.store offset=160 (i32.add (local.get $y) (local.get $col)) (local.get $acc10))
        (v128.store offset=176 (i32.add (local.get $y) (local.get $col)) (local.get $acc11))
        (local.set $col (i32.add (local.get $col) (i32.const 192)))
        (br $columns48)))
    ;; Blocks of 16 columns.
    (block $done16
      (loop $columns16
        (br_if $done16 (i32.gt_s (i32.add (local.get $col) (i32.const 64)) (local.get $rowBytes)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $gRow (i32.add (local.get $g) (local.get $col)))
        (local.set $xAt (local.get $x))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_u (local.get $xAt) (local.get $xEnd)))
            (local.set $xi (v128.load32_splat (local.get $xAt)))
            (if (i32.eqz (i32x4.extract_lane 0 (local.get $xi)))
              (then
                (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
                (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
                (br $eachRow)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $xi) (v128.load (local.get $gRow)))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $xi) (v128.load offset=16 (local.get $gRow)))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $xi) (v128.load offset=32 (local.get $gRow)))))
            (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $xi) (v128.load offset=48 (local.get $gRow)))))
            (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
            (br $eachRow)))
        (v128.store (i32.add (local.get $y) (local.get $col)) (local.get $acc0))
        (v128.store offset=16 (i32.add (local.get $y) (local.get $col)) (local.get $acc1))
        (v128.store offset=32 (i32.add (local.get $y) (local.get $col)) (local.get $acc2))
        (v128.store offset=48 (i32.add (local.get $y) (local.get $col)) (local.get $acc3))
        (local.set $col (i32.add (local.get $col) (i32.const 64)))
        (br $columns16)))
    ;; The remaining columns, 4 at a time.
    (block $done4
      (loop $columns4
        (br_if $done4 (i32.gt_s (i32.add (local.get $col) (i32.const 16)) (local.get $rowBytes)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $gRow (i32.add (local.get $g) (local.get $col)))
        (local.set $xAt (local.get $x))
        (block $rowsDone
          (loop $eachRow
            (br_if $rowsDone (i32.ge_u (local.get $xAt) (local.get $xEnd)))
            (local.set $xi (v128.load32_splat (local.get $xAt)))
            (if (i32.eqz (i32x4.extract_lane 0 (local.get $xi)))
              (then
                (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
                (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
                (br $eachRow)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $xi) (v128.load (local.get $gRow)))))
            (local.set $gRow (i32.add (local.get $gRow) (local.get $rowBytes)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 4)))
            (br $eachRow)))
        (v128.store (i32.add (local.get $y) (local.get $col)) (local.get $acc0))
        (local.set $col (i32.add (local.get $col) (i32.const 16)))
        (br $columns4))))

  ;; Each row is a dot product over its stride, 16 floats at a time (four accumulators), then 4 at a
  ;; time into the first; the four are added pairwise, then the lanes pairwise. Groups of sixteen undriven
  ;; columns (bits all zero) add nothing and are skipped; x is the same for every row, so the span from the
  ;; first to the last driven group is found once, and each row runs over that span only (a layer's product
  ;; drives only its block: a quarter off this kernel in the default training on 64x64, the same bits).
  (func (export "transposed") (param $g i32) (param $x i32) (param $y i32) (param $rows i32) (param $stride i32)
    (local $gRow i32)     ;; &G[i][0]
    (local $yAt i32)      ;; &y[i]
    (local $rowsLeft i32)
    (local $gAt i32)      ;; &G[i][j]
    (local $xAt i32)      ;; &x[j]
    (local $rowEnd i32)   ;; &G[i+1][0]
    (local $groupsEnd i32) ;; bytes of a row in whole groups of sixteen
    (local $first i32)    ;; byte offset of the first driven group of sixteen (groupsEnd if none)
    (local $last i32)     ;; byte offset just past the last driven group
    (local $spanEnd i32)  ;; &G[i][last]
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $bcc0 v128) (local $bcc1 v128) (local $bcc2 v128) (local $bcc3 v128) ;; the second row of a pair
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $rowBytes i32)
    (local.set $groupsEnd (i32.shl (i32.shr_u (local.get $stride) (i32.const 4)) (i32.const 6)))
    (local.set $first (local.get $groupsEnd))
    (local.set $last (i32.const 0))
    (local.set $xAt (i32.const 0))
    (block $scanned
      (loop $scan
        (br_if $scanned (i32.ge_u (local.get $xAt) (local.get $groupsEnd)))
        (if (v128.any_true
              (v128.or
                (v128.or (v128.load (i32.add (local.get $x) (local.get $xAt))) (v128.load offset=16 (i32.add (local.get $x) (local.get $xAt))))
                (v128.or (v128.load offset=32 (i32.add (local.get $x) (local.get $xAt))) (v128.load offset=48 (i32.add (local.get $x) (local.get $xAt))))))
          (then
            (if (i32.gt_u (local.get $first) (local.get $xAt)) (then (local.set $first (local.get $xAt))))
            (local.set $last (i32.add (local.get $xAt) (i32.const 64)))))
        (local.set $xAt (i32.add (local.get $xAt) (i32.const 64)))
        (br $scan)))
    (if (i32.gt_u (local.get $first) (local.get $last)) (then (local.set $last (local.get $first))))
    (local.set $gRow (local.get $g))
    (local.set $yAt (local.get $y))
    (local.set $rowsLeft (local.get $rows))
    ;; Rows two at a time while two are left: each row's sums are the same adds in the same order as alone (its own
    ;; four accumulators), but the two rows' chains interleave, so the adds' latency is paid once for both.
    (local.set $rowBytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $pairsDone
      (loop $eachPair
        (br_if $pairsDone (i32.lt_u (local.get $rowsLeft) (i32.const 2)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $bcc0 (v128.const i32x4 0 0 0 0))
        (local.set $bcc1 (v128.const i32x4 0 0 0 0))
        (local.set $bcc2 (v128.const i32x4 0 0 0 0))
        (local.set $bcc3 (v128.const i32x4 0 0 0 0))
        (local.set $rowEnd (i32.add (local.get $gRow) (local.get $rowBytes)))
        (local.set $gAt (i32.add (local.get $gRow) (local.get $first)))
        (local.set $xAt (i32.add (local.get $x) (local.get $first)))
        (local.set $spanEnd (i32.add (local.get $gRow) (local.get $last)))
        (block $pair16
          (loop $pairColumns16
            (br_if $pair16 (i32.ge_u (local.get $gAt) (local.get $spanEnd)))
            (local.set $x0 (v128.load (local.get $xAt)))
            (local.set $x1 (v128.load offset=16 (local.get $xAt)))
            (local.set $x2 (v128.load offset=32 (local.get $xAt)))
            (local.set $x3 (v128.load offset=48 (local.get $xAt)))
            (if (v128.any_true (v128.or (v128.or (local.get $x0) (local.get $x1)) (v128.or (local.get $x2) (local.get $x3))))
              (then
                (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (v128.load (local.get $gAt)) (local.get $x0))))
                (local.set $bcc0 (f32x4.add (local.get $bcc0) (f32x4.mul (v128.load (i32.add (local.get $gAt) (local.get $rowBytes))) (local.get $x0))))
                (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (v128.load offset=16 (local.get $gAt)) (local.get $x1))))
                (local.set $bcc1 (f32x4.add (local.get $bcc1) (f32x4.mul (v128.load offset=16 (i32.add (local.get $gAt) (local.get $rowBytes))) (local.get $x1))))
                (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (v128.load offset=32 (local.get $gAt)) (local.get $x2))))
                (local.set $bcc2 (f32x4.add (local.get $bcc2) (f32x4.mul (v128.load offset=32 (i32.add (local.get $gAt) (local.get $rowBytes))) (local.get $x2))))
                (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (v128.load offset=48 (local.get $gAt)) (local.get $x3))))
                (local.set $bcc3 (f32x4.add (local.get $bcc3) (f32x4.mul (v128.load offset=48 (i32.add (local.get $gAt) (local.get $rowBytes))) (local.get $x3))))))
            (local.set $gAt (i32.add (local.get $gAt) (i32.const 64)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 64)))
            (br $pairColumns16)))
        (local.set $gAt (i32.add (local.get $gRow) (local.get $groupsEnd)))
        (local.set $xAt (i32.add (local.get $x) (local.get $groupsEnd)))
        (block $pair4
          (loop $pairColumns4
            (br_if $pair4 (i32.gt_s (i32.add (local.get $gAt) (i32.const 16)) (local.get $rowEnd)))
            (local.set $x0 (v128.load (local.get $xAt)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (v128.load (local.get $gAt)) (local.get $x0))))
            (local.set $bcc0 (f32x4.add (local.get $bcc0) (f32x4.mul (v128.load (i32.add (local.get $gAt) (local.get $rowBytes))) (local.get $x0))))
            (local.set $gAt (i32.add (local.get $gAt) (i32.const 16)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 16)))
            (br $pairColumns4)))
        (local.set $acc0 (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (f32x4.add (local.get $acc2) (local.get $acc3))))
        (local.set $bcc0 (f32x4.add (f32x4.add (local.get $bcc0) (local.get $bcc1)) (f32x4.add (local.get $bcc2) (local.get $bcc3))))
        (f32.store (local.get $yAt)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
        (f32.store offset=4 (local.get $yAt)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $bcc0)) (f32x4.extract_lane 1 (local.get $bcc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $bcc0)) (f32x4.extract_lane 3 (local.get $bcc0)))))
        (local.set $gRow (i32.add (local.get $rowEnd) (local.get $rowBytes)))
        (local.set $yAt (i32.add (local.get $yAt) (i32.const 8)))
        (local.set $rowsLeft (i32.add (local.get $rowsLeft) (i32.const -2)))
        (br $eachPair)))
    ;; The last row of an odd count, alone.
    (block $done
      (loop $eachRow
        (br_if $done (i32.eqz (local.get $rowsLeft)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $acc2 (v128.const i32x4 0 0 0 0))
        (local.set $acc3 (v128.const i32x4 0 0 0 0))
        (local.set $rowEnd (i32.add (local.get $gRow) (i32.shl (local.get $stride) (i32.const 2))))
        (local.set $gAt (i32.add (local.get $gRow) (local.get $first)))
        (local.set $xAt (i32.add (local.get $x) (local.get $first)))
        (local.set $spanEnd (i32.add (local.get $gRow) (local.get $last)))
        (block $done16
          (loop $columns16
            (br_if $done16 (i32.ge_u (local.get $gAt) (local.get $spanEnd)))
            ;; Sixteen undriven columns inside the span: skipped.
            (if (i32.eqz (v128.any_true
                  (v128.or
                    (v128.or (v128.load (local.get $xAt)) (v128.load offset=16 (local.get $xAt)))
                    (v128.or (v128.load offset=32 (local.get $xAt)) (v128.load offset=48 (local.get $xAt))))))
              (then
                (local.set $gAt (i32.add (local.get $gAt) (i32.const 64)))
                (local.set $xAt (i32.add (local.get $xAt) (i32.const 64)))
                (br $columns16)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (v128.load (local.get $gAt)) (v128.load (local.get $xAt)))))
            (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (v128.load offset=16 (local.get $gAt)) (v128.load offset=16 (local.get $xAt)))))
            (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (v128.load offset=32 (local.get $gAt)) (v128.load offset=32 (local.get $xAt)))))
            (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (v128.load offset=48 (local.get $gAt)) (v128.load offset=48 (local.get $xAt)))))
            (local.set $gAt (i32.add (local.get $gAt) (i32.const 64)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 64)))
            (br $columns16)))
        ;; The columns past the last whole group, 4 at a time.
        (local.set $gAt (i32.add (local.get $gRow) (local.get $groupsEnd)))
        (local.set $xAt (i32.add (local.get $x) (local.get $groupsEnd)))
        (block $done4
          (loop $columns4
            (br_if $done4 (i32.gt_s (i32.add (local.get $gAt) (i32.const 16)) (local.get $rowEnd)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (v128.load (local.get $gAt)) (v128.load (local.get $xAt)))))
            (local.set $gAt (i32.add (local.get $gAt) (i32.const 16)))
            (local.set $xAt (i32.add (local.get $xAt) (i32.const 16)))
            (br $columns4)))
        (local.set $acc0
          (f32x4.add
            (f32x4.add (local.get $acc0) (local.get $acc1))
            (f32x4.add (local.get $acc2) (local.get $acc3))))
        (f32.store (local.get $yAt)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
        (local.set $gRow (local.get $rowEnd))
        (local.set $yAt (i32.add (local.get $yAt) (i32.const 4)))
        (local.set $rowsLeft (i32.add (local.get $rowsLeft) (i32.const -1)))
        (br $eachRow))))
)
