;; exp(x) in WebAssembly with the bits of Math.exp: V8 computes Math.exp with its port of fdlibm's e_exp.c
;; (src/base/ieee754.cc, from FreeBSD msun: argument reduction x = k·ln2 + r, a degree-5 Remez polynomial in r²,
;; then 2^k), and this is that function operation for operation (IEEE double arithmetic is exact to the bit in
;; both), so a kernel's draws and laws do not change; tests/sim/fdlibm-exp.test.ts checks it against Math.exp.
;; |x| ≥ 700 (near overflow and underflow, where 2^k needs care), NaN and ±∞ go to the imported Math.exp itself. The import was a call out
;; of wasm on every ziggurat tail draw (~3 % of deviates) and every exponential-law pulse.
;; Not a module: kernels include this text (src/wasm/wat.ts) and import math.exp as $mathExp.

  (func $exp (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32)
    (local $hi f64) (local $lo f64) (local $t f64) (local $c f64) (local $y f64) (local $twopk f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.shr_u (local.get $hx) (i32.const 31)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; |x| ≥ 700, NaN, ±∞: the library's own answer.
    (if (i32.ge_u (local.get $hx) (i32.const 0x4085E000))
      (then (return (call $mathExp (local.get $x)))))
    (if (i32.gt_u (local.get $hx) (i32.const 0x3FD62E42)) ;; |x| > 0.5 ln2: reduce
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2)) ;; and |x| < 1.5 ln2
          (then
            ;; V8 returns its constant E for x = 1 (the reduction gets its last bit wrong).
            (if (f64.eq (local.get $x) (f64.const 1)) (then (return (f64.const 2.718281828459045))))
            (local.set $hi (f64.sub (local.get $x) (select (f64.const -6.93147180369123816490e-01) (f64.const 6.93147180369123816490e-01) (local.get $xsb))))
            (local.set $lo (select (f64.const -1.90821492927058770002e-10) (f64.const 1.90821492927058770002e-10) (local.get $xsb)))
            (local.set $k (i32.sub (i32.sub (i32.const 1) (local.get $xsb)) (local.get $xsb))))
          (else
            ;; k = (int)(invln2·x ± ½), truncated towards zero as C's cast does.
            (local.set $k
              (i32.trunc_f64_s
                (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x)) (select (f64.const -0.5) (f64.const 0.5) (local.get $xsb)))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo))))
      (else
        (if (i32.lt_u (local.get $hx) (i32.const 0x3E300000)) ;; |x| < 2^-28: 1 + x
          (then (return (f64.add (f64.const 1) (local.get $x)))))))
    ;; x is now in the primary range [−½ ln2, ½ ln2].
    (local.set $t (f64.mul (local.get $x) (local.get $x)))
    ;; 2^k, |k| ≤ 1010 for |x| < 700 (fdlibm's other cases, k < −1021 and k = 1024, are Math.exp's above).
    (local.set $twopk (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u (i32.add (i32.const 0x3FF00000) (i32.shl (local.get $k) (i32.const 20)))) (i64.const 32))))
    (local.set $c
      (f64.sub (local.get $x)
        (f64.mul (local.get $t)
          (f64.add (f64.const 1.66666666666666019037e-01)
            (f64.mul (local.get $t)
              (f64.add (f64.const -2.77777777770155933842e-03)
                (f64.mul (local.get $t)
                  (f64.add (f64.const 6.61375632143793436117e-05)
                    (f64.mul (local.get $t)
                      (f64.add (f64.const -1.65339022054652515390e-06)
                        (f64.mul (local.get $t) (f64.const 4.13813679705723846039e-08))))))))))))
    (if (i32.eqz (local.get $k))
      (then
        (return (f64.sub (f64.const 1) (f64.sub (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (local.get $c) (f64.const 2))) (local.get $x))))))
    (local.set $y
      (f64.sub (f64.const 1)
        (f64.sub (f64.sub (local.get $lo) (f64.div (f64.mul (local.get $x) (local.get $c)) (f64.sub (f64.const 2) (local.get $c)))) (local.get $hi))))
    (f64.mul (local.get $y) (local.get $twopk)))
