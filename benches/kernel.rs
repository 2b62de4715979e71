//! The event queue is the hot path of every trial. A pop followed by a push at a queue of ~16
//! pending events — the steady state of a small fleet — for our `EventQueue`, a bare `BinaryHeap`
//! of the same keys (the floor), and the `priority-queue` crate (indexed, with change-priority).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use nines::kernel::{EventQueue, Priority, SimTime};
use priority_queue::PriorityQueue;

const PENDING: u64 = 16;

/// Deterministic pseudo-random delays, so all three see the same workload.
fn delays(n: usize) -> Vec<u64> {
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            1 + x % 1_000_000
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let d = delays(4096);
    let mut g = c.benchmark_group("pop+push at 16 pending");

    g.bench_function("nines EventQueue", |b| {
        let mut q = EventQueue::new();
        let slot = q.new_slot();
        for i in 0..PENDING {
            q.schedule_in(slot, SimTime(d[i as usize]), Priority(1), i as u32);
        }
        let mut i = 0usize;
        b.iter(|| {
            let (t, e) = q.pop().expect("never empty");
            i = (i + 1) & 4095;
            q.schedule_in(slot, t + SimTime(d[i]), Priority(1), e);
        })
    });

    g.bench_function("bare BinaryHeap", |b| {
        let mut h = BinaryHeap::new();
        for i in 0..PENDING {
            h.push(Reverse((d[i as usize], i, i as u32)));
        }
        let mut i = 0usize;
        let mut seq = PENDING;
        b.iter(|| {
            let Reverse((t, _, e)) = h.pop().expect("never empty");
            i = (i + 1) & 4095;
            seq += 1;
            h.push(Reverse((t + d[i], seq, e)));
        })
    });

    g.bench_function("priority-queue crate", |b| {
        let mut q = PriorityQueue::new();
        let mut seq = 0u64;
        for i in 0..PENDING {
            q.push(seq, Reverse((d[i as usize], seq)));
            seq += 1;
        }
        let mut i = 0usize;
        b.iter(|| {
            let (_, Reverse((t, _))) = q.pop().expect("never empty");
            i = (i + 1) & 4095;
            q.push(seq, Reverse((t + d[i], seq)));
            seq += 1;
        })
    });
    g.finish();

    c.bench_function("schedule 10k then drain, half cancelled", |b| {
        b.iter_batched(
            EventQueue::<u32>::new,
            |mut q| {
                let slots: Vec<_> = (0..64).map(|_| q.new_slot()).collect();
                for (i, &delay) in d.iter().cycle().take(10_000).enumerate() {
                    q.schedule_in(slots[i % 64], SimTime(delay), Priority(0), i as u32);
                }
                for s in slots.iter().step_by(2) {
                    q.cancel(*s);
                }
                while q.pop().is_some() {}
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
