//! Queueing theory for one instance: `c` servers, Poisson arrivals, FIFO.
//!
//! Exponential service gives M/M/c, where Erlang C is exact. Other service times use the
//! Allen–Cunneen approximation of M/G/c: the M/M/c wait scaled by (1 + c_s²)/2, exact for the
//! mean of M/G/1 (Pollaczek–Khinchine).

/// Erlang C: the probability that an arrival waits, for `c` servers and offered load
/// `a = λ·E[S]` (< c). Computed through the Erlang B recursion, which is stable for large c.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    if a >= c as f64 {
        return 1.0;
    }
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    let rho = a / c as f64;
    b / (1.0 - rho * (1.0 - b))
}

/// The waiting time of a stable queue: zero with probability `1 − p_wait`, else exponential
/// with mean `mean_given_wait` [s].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wait {
    /// Probability that an arrival waits at all.
    pub p_wait: f64,
    /// Mean wait of those that wait [s].
    pub mean_given_wait: f64,
}

impl Wait {
    /// The wait of an M/G/c queue with arrival rate `lambda` [1/s], mean service `mean_s` [s] and
    /// squared coefficient of variation of service `scv`; `None` when unstable (ρ ≥ 1).
    pub fn mgc(c: u32, lambda: f64, mean_s: f64, scv: f64) -> Option<Wait> {
        let a = lambda * mean_s;
        if a >= c as f64 {
            return None;
        }
        let p_wait = erlang_c(c, a);
        // M/M/c: wait | wait ~ Exp(cμ − λ). Allen–Cunneen scales the mean by (1 + c_s²)/2.
        let gap = c as f64 / mean_s - lambda;
        Some(Wait {
            p_wait,
            mean_given_wait: (1.0 + scv) / 2.0 / gap,
        })
    }

    /// Mean wait [s].
    pub fn mean(&self) -> f64 {
        self.p_wait * self.mean_given_wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_values() {
        // c = 1: C = ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
        // c = 2, a = 1: C = a²/(2!(1−ρ)) / (1 + a + a²/(2!(1−ρ))) = 1/(1+1+1) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
        // A textbook value: c = 10, a = 8 → C ≈ 0.409.
        assert!((erlang_c(10, 8.0) - 0.4092).abs() < 1e-3);
    }

    #[test]
    fn md1_mean_wait_is_pollaczek_khinchine() {
        // M/D/1: Wq = ρ·S / (2(1 − ρ)). S = 10 ms, λ = 80/s → ρ = 0.8, Wq = 0.8·0.01/0.4 = 20 ms.
        let w = Wait::mgc(1, 80.0, 0.01, 0.0).unwrap();
        assert!((w.mean() - 0.02).abs() < 1e-12);
    }

    #[test]
    fn mm1_mean_wait() {
        // M/M/1: Wq = ρ/(μ − λ) = 0.5/(10 − 5) = 0.1 s.
        let w = Wait::mgc(1, 5.0, 0.1, 1.0).unwrap();
        assert!((w.mean() - 0.1).abs() < 1e-12);
        assert!(Wait::mgc(1, 10.0, 0.1, 1.0).is_none());
    }
}
