use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::SimTime;

/// Order among events at the same instant: lower runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(pub u8);

/// A handle under which events can be cancelled together (lazily, see [`EventQueue::cancel`]).
///
/// `Default` is a placeholder for a field that gets a real slot from [`EventQueue::new_slot`]
/// before it is used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimerSlot(u32);

const NO_SLOT: u32 = u32::MAX;

/// A timer holding at most one pending event, which every [`set_timer`](EventQueue::set_timer)
/// replaces: for the few timers that move at almost every event (a scaling alarm's next tick,
/// the next crossing of a load threshold, the next request arrival). They live beside the heap,
/// so moving one costs no push and leaves no stale entry behind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Timer(u32);

/// No timer is armed.
const NO_TIMER: usize = usize::MAX;

struct Entry<E> {
    /// Time in the high half, priority in the top byte of the low half, insertion counter below:
    /// the whole `(time, priority, insertion order)` order is one integer comparison.
    key: u128,
    slot: u32,
    generation: u32,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, because `BinaryHeap` is a max-heap and we pop the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// The future event list: a binary heap ordered by `(time, priority, insertion order)`.
///
/// A `BinaryHeap` with lazy cancellation beat the indexed `priority-queue` crate on our hot path
/// (see `benches/kernel.rs`): cancelling by generation costs nothing at cancel time and one compare
/// when the stale entry surfaces. Each slot counts its live entries, so the queue knows how many
/// are stale and sweeps them out when they are half the heap: replaced instances leave their
/// far-future failure timers behind, which would otherwise deepen every push and pop for months
/// of simulated time.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    slots: Vec<SlotState>,
    /// Cancelled entries still in the heap.
    stale: usize,
    /// Per timer: its event's key and the event, if armed.
    timers: Vec<(u128, Option<E>)>,
    /// The armed timer with the smallest key, or `NO_TIMER`.
    next_timer: usize,
    inserted: u64,
    now: SimTime,
}

#[derive(Clone, Copy, Debug, Default)]
struct SlotState {
    generation: u32,
    /// Entries of the current generation in the heap.
    pending: u32,
}

/// Below this many stale entries, dropping them when they surface costs less than sweeping.
const SWEEP_MIN_STALE: usize = 4;

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            stale: 0,
            timers: Vec::new(),
            next_timer: NO_TIMER,
            inserted: 0,
            now: SimTime::ZERO,
        }
    }

    /// Empties the queue and forgets all slots, keeping the allocations for the next trial.
    pub fn reset(&mut self) {
        self.heap.clear();
        self.slots.clear();
        self.stale = 0;
        self.timers.clear();
        self.next_timer = NO_TIMER;
        self.inserted = 0;
        self.now = SimTime::ZERO;
    }

    /// The time of the event popped last.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Pending entries, counting cancelled ones not yet dropped, and armed timers.
    pub fn len(&self) -> usize {
        self.heap.len() + self.timers.iter().filter(|(_, e)| e.is_some()).count()
    }

    /// True when no entries are pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A new cancellation slot.
    pub fn new_slot(&mut self) -> TimerSlot {
        self.slots.push(SlotState::default());
        TimerSlot((self.slots.len() - 1) as u32)
    }

    /// A new timer, not armed.
    pub fn new_timer(&mut self) -> Timer {
        self.timers.push((u128::MAX, None));
        Timer((self.timers.len() - 1) as u32)
    }

    /// Arms `timer` with `event` at `time`, replacing its pending event if any. It pops in the
    /// same order as an event scheduled now would.
    pub fn set_timer(&mut self, timer: Timer, time: SimTime, priority: Priority, event: E) {
        let key = self.key(time, priority);
        let i = timer.0 as usize;
        self.timers[i] = (key, Some(event));
        // Only this timer moved: it is the first now, or the first is where it was, unless this
        // one was the first and moved later. A scan only then.
        if self.next_timer == i {
            self.find_next_timer();
        } else if self.next_timer == NO_TIMER || key < self.timers[self.next_timer].0 {
            self.next_timer = i;
        }
    }

    /// Arms `timer` with `event` at `time`, or disarms it for `None`, unless it already stands
    /// so: a timer left armed at the same instant keeps its place among that instant's events.
    /// Most re-plans find the same instant again.
    pub fn move_timer(&mut self, timer: Timer, time: Option<SimTime>, priority: Priority, event: E) {
        if self.timer_due(timer) == time {
            return;
        }
        match time {
            Some(time) => self.set_timer(timer, time, priority, event),
            None => self.clear_timer(timer),
        }
    }

    /// When `timer` is due, if it is armed.
    pub fn timer_due(&self, timer: Timer) -> Option<SimTime> {
        let (key, event) = &self.timers[timer.0 as usize];
        event.as_ref().map(|_| SimTime((key >> 64) as u64))
    }

    /// Disarms `timer`.
    pub fn clear_timer(&mut self, timer: Timer) {
        let i = timer.0 as usize;
        self.timers[i] = (u128::MAX, None);
        if self.next_timer == i {
            self.find_next_timer();
        }
    }

    fn find_next_timer(&mut self) {
        self.next_timer = NO_TIMER;
        let mut best = u128::MAX;
        for (i, &(key, ref event)) in self.timers.iter().enumerate() {
            if event.is_some() && key <= best {
                (best, self.next_timer) = (key, i);
            }
        }
    }

    /// Schedules `event` at `time`; it cannot be cancelled.
    #[inline]
    pub fn schedule(&mut self, time: SimTime, priority: Priority, event: E) {
        self.push(time, priority, NO_SLOT, 0, event);
    }

    /// Schedules `event` at `time` under `slot`: a later [`cancel`](Self::cancel) of the slot drops it.
    #[inline]
    pub fn schedule_in(&mut self, slot: TimerSlot, time: SimTime, priority: Priority, event: E) {
        let state = &mut self.slots[slot.0 as usize];
        state.pending += 1;
        let generation = state.generation;
        self.push(time, priority, slot.0, generation, event);
    }

    /// Cancels every event pending under `slot`, then schedules `event` there.
    #[inline]
    pub fn reschedule(&mut self, slot: TimerSlot, time: SimTime, priority: Priority, event: E) {
        self.cancel(slot);
        self.schedule_in(slot, time, priority, event);
    }

    /// Cancels every event pending under `slot`. O(1) amortized: stale entries are skipped when
    /// popped, or swept out together once they are most of the heap (a heap full of dead
    /// far-future timers makes every push and pop deeper).
    #[inline]
    pub fn cancel(&mut self, slot: TimerSlot) {
        let state = &mut self.slots[slot.0 as usize];
        state.generation = state.generation.wrapping_add(1);
        self.stale += std::mem::take(&mut state.pending) as usize;
        if self.stale >= SWEEP_MIN_STALE && 2 * self.stale >= self.heap.len() {
            self.sweep();
        }
    }

    #[cold]
    fn sweep(&mut self) {
        let slots = &self.slots;
        // Keys are unique, so the rebuilt heap pops in exactly the same order.
        self.heap
            .retain(|e| e.slot == NO_SLOT || slots[e.slot as usize].generation == e.generation);
        self.stale = 0;
    }

    /// Removes and returns the next live event, advancing [`now`](Self::now) to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            if self.next_timer != NO_TIMER && self.timer_is_first() {
                return self.pop_timer();
            }
            let entry = self.heap.pop()?;
            if entry.slot != NO_SLOT {
                let state = &mut self.slots[entry.slot as usize];
                if state.generation != entry.generation {
                    self.stale -= 1;
                    continue;
                }
                state.pending -= 1;
            }
            self.now = SimTime((entry.key >> 64) as u64);
            return Some((self.now, entry.event));
        }
    }

    /// The next armed timer comes before everything in the heap. Keys are unique (one insertion
    /// counter for both), so one of the two is first.
    fn timer_is_first(&self) -> bool {
        let key = self.timers[self.next_timer].0;
        self.heap.peek().is_none_or(|top| top.key > key)
    }

    #[cold]
    fn pop_timer(&mut self) -> Option<(SimTime, E)> {
        let (key, event) = std::mem::replace(&mut self.timers[self.next_timer], (u128::MAX, None));
        self.find_next_timer();
        self.now = SimTime((key >> 64) as u64);
        event.map(|e| (self.now, e))
    }

    /// The key of an event scheduled now at `time`: `(time, priority, insertion order)`.
    #[inline]
    fn key(&mut self, time: SimTime, priority: Priority) -> u128 {
        debug_assert!(time >= self.now, "event scheduled in the past: {time} < {}", self.now);
        let time = time.max(self.now);
        let order = ((priority.0 as u64) << 56) | (self.inserted & ((1 << 56) - 1));
        self.inserted += 1;
        (u128::from(time.0) << 64) | u128::from(order)
    }

    #[inline]
    fn push(&mut self, time: SimTime, priority: Priority, slot: u32, generation: u32, event: E) {
        let key = self.key(time, priority);
        self.heap.push(Entry {
            key,
            slot,
            generation,
            event,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pops_by_time_then_priority_then_insertion() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(5), Priority(1), "t5-p1-first");
        q.schedule(SimTime(5), Priority(0), "t5-p0");
        q.schedule(SimTime(1), Priority(9), "t1");
        q.schedule(SimTime(5), Priority(1), "t5-p1-second");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["t1", "t5-p0", "t5-p1-first", "t5-p1-second"]);
        assert_eq!(q.now(), SimTime(5));
    }

    #[test]
    fn cancelled_slot_drops_only_its_own_events() {
        let mut q = EventQueue::new();
        let a = q.new_slot();
        let b = q.new_slot();
        q.schedule_in(a, SimTime(1), Priority(0), 'a');
        q.schedule_in(b, SimTime(2), Priority(0), 'b');
        q.cancel(a);
        q.schedule_in(a, SimTime(3), Priority(0), 'A');
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ['b', 'A']);
    }

    #[test]
    fn a_timer_moved_to_where_it_stands_keeps_its_place() {
        let mut q = EventQueue::new();
        let t = q.new_timer();
        q.move_timer(t, Some(SimTime(5)), Priority(0), "timer");
        q.schedule(SimTime(5), Priority(0), "event");
        // Same instant: not re-armed, so it stays ahead of the event scheduled after it.
        q.move_timer(t, Some(SimTime(5)), Priority(0), "timer again");
        assert_eq!(q.timer_due(t), Some(SimTime(5)));
        assert_eq!(q.pop(), Some((SimTime(5), "timer")));
        assert_eq!(q.timer_due(t), None, "a popped timer is disarmed");
        q.move_timer(t, Some(SimTime(7)), Priority(0), "later");
        q.move_timer(t, None, Priority(0), "none");
        assert_eq!(q.pop(), Some((SimTime(5), "event")));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn reset_forgets_everything() {
        let mut q = EventQueue::new();
        let s = q.new_slot();
        q.schedule_in(s, SimTime(9), Priority(0), 1);
        q.pop();
        q.reset();
        assert!(q.is_empty());
        assert_eq!(q.now(), SimTime::ZERO);
        assert_eq!(q.new_slot(), TimerSlot(0));
    }

    proptest! {
        /// Whatever is pushed, pops come out sorted by (time, priority, insertion order), and a
        /// cancelled slot's events never come out.
        #[test]
        fn order_and_cancellation(
            events in proptest::collection::vec((0u64..50, 0u8..3, 0usize..4), 0..200),
            cancelled in proptest::collection::vec(any::<bool>(), 4),
        ) {
            let mut q = EventQueue::new();
            let slots: Vec<_> = (0..4).map(|_| q.new_slot()).collect();
            for (i, &(t, p, s)) in events.iter().enumerate() {
                q.schedule_in(slots[s], SimTime(t), Priority(p), i);
            }
            for (s, &c) in cancelled.iter().enumerate() {
                if c { q.cancel(slots[s]); }
            }
            let mut expected: Vec<usize> = (0..events.len()).filter(|&i| !cancelled[events[i].2]).collect();
            expected.sort_by_key(|&i| (events[i].0, events[i].1, i));
            let popped: Vec<usize> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
            prop_assert_eq!(popped, expected);
        }

        /// Any interleaving of schedules, cancels and pops (sweeps included) pops what a plain
        /// sorted list of the live events would.
        #[test]
        fn matches_a_sorted_list(ops in proptest::collection::vec((0u8..4, 0u64..30, 0u8..2, 0usize..6), 0..400)) {
            let mut q = EventQueue::new();
            let slots: Vec<_> = (0..6).map(|_| q.new_slot()).collect();
            // (time, priority, insertion, slot) of each live event.
            let mut model: Vec<(u64, u8, usize, usize)> = Vec::new();
            for (i, &(op, dt, p, s)) in ops.iter().enumerate() {
                match op {
                    0 | 1 => {
                        let t = q.now().0 + dt;
                        q.schedule_in(slots[s], SimTime(t), Priority(p), i);
                        model.push((t, p, i, s));
                    }
                    2 => {
                        q.cancel(slots[s]);
                        model.retain(|e| e.3 != s);
                    }
                    _ => {
                        model.sort();
                        let expected = (!model.is_empty()).then(|| model.remove(0));
                        prop_assert_eq!(q.pop().map(|(t, e)| (t.0, e)), expected.map(|e| (e.0, e.2)));
                    }
                }
                prop_assert!(q.stale <= q.heap.len());
            }
        }

        /// A timer pops exactly as a slot that is rescheduled (and cancelled) the same way would,
        /// among the same other events.
        #[test]
        fn timers_pop_as_rescheduled_slots(ops in proptest::collection::vec((0u8..5, 0u64..30, 0u8..2, 0usize..3), 0..400)) {
            let mut with_slots = EventQueue::new();
            let mut with_timers = EventQueue::new();
            let slots: Vec<_> = (0..3).map(|_| with_slots.new_slot()).collect();
            let timers: Vec<_> = (0..3).map(|_| with_timers.new_timer()).collect();
            for (i, &(op, dt, p, k)) in ops.iter().enumerate() {
                let t = SimTime(with_slots.now().0 + dt);
                match op {
                    0 => {
                        with_slots.schedule(t, Priority(p), i);
                        with_timers.schedule(t, Priority(p), i);
                    }
                    1 => {
                        with_slots.reschedule(slots[k], t, Priority(p), i);
                        with_timers.set_timer(timers[k], t, Priority(p), i);
                    }
                    2 => {
                        with_slots.cancel(slots[k]);
                        with_timers.clear_timer(timers[k]);
                    }
                    _ => prop_assert_eq!(with_slots.pop(), with_timers.pop()),
                }
                prop_assert_eq!(with_slots.now(), with_timers.now());
            }
            let rest = |q: &mut EventQueue<usize>| std::iter::from_fn(|| q.pop()).collect::<Vec<_>>();
            prop_assert_eq!(rest(&mut with_slots), rest(&mut with_timers));
            prop_assert!(with_timers.is_empty());
        }

        /// Events scheduled while popping (never in the past) keep the global order.
        #[test]
        fn interleaved_push_pop_is_monotone(steps in proptest::collection::vec((0u64..20, 0u8..2), 1..300)) {
            let mut q = EventQueue::new();
            let mut last = (SimTime::ZERO, 0u8);
            for &(dt, p) in &steps {
                q.schedule(q.now() + SimTime(dt), Priority(p), p);
                if dt % 3 == 0 {
                    if let Some((t, p)) = q.pop() {
                        prop_assert!(t >= last.0);
                        last = (t, p);
                    }
                }
            }
            while let Some((t, _)) = q.pop() {
                prop_assert!(t >= last.0);
                last.0 = t;
            }
        }
    }
}
