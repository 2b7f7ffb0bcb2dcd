// xc_rust: a Rust workload for the perf cross-check (legacy mangling).
mod deep {
    pub struct Acc<T> {
        pub v: Vec<T>,
    }
    impl<T: Copy + std::ops::Add<Output = T> + Default> Acc<T> {
        #[inline(never)]
        pub fn sum(&self, reps: usize) -> T {
            let mut s = T::default();
            for _ in 0..reps {
                for x in &self.v {
                    s = std::hint::black_box(s + *x);
                }
            }
            s
        }
    }
}

#[inline(never)]
fn drive(n: usize) -> u64 {
    let a = deep::Acc { v: (0..64u64).collect() };
    let f = |k: usize| a.sum(k);
    f(n)
}

fn main() {
    let mut t = 0u64;
    for _ in 0..400 {
        t = t.wrapping_add(drive(2000));
    }
    println!("{}", t & 1);
}
