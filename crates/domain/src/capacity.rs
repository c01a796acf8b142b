//! Seats (DESIGN invariant 1) as plain decisions, without a database: whether a party fits, and
//! which waiting parties a freed seat promotes. The RSVP use cases load the counts inside their
//! write transaction and ask these functions; the property tests below hold them to the rules.
//!
//! A party is the person plus their guests. Seats taken in a slot are the parties holding or
//! confirmed in it; a party fits when its slot and the whole event both have room for it.

use std::collections::HashMap;

use crate::ids::SlotId;

/// Seats of an event and of each of its slots, and how many are taken.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seats {
    pub event_seats: i32,
    pub slots: HashMap<SlotId, SlotSeats>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotSeats {
    pub seats: i32,
    pub taken: i32,
}

/// A party waiting for seats, in waitlist order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting<Id> {
    pub id: Id,
    pub slot: SlotId,
    pub party: i32,
}

impl Seats {
    pub fn taken(&self) -> i32 {
        self.slots.values().map(|s| s.taken).sum()
    }

    /// Seats still free in `slot`, counting the event's limit too.
    pub fn free_in(&self, slot: SlotId) -> i32 {
        let Some(s) = self.slots.get(&slot) else { return 0 };
        (s.seats - s.taken).min(self.event_seats - self.taken()).max(0)
    }

    pub fn fits(&self, slot: SlotId, party: i32) -> bool {
        party > 0 && self.free_in(slot) >= party
    }

    /// Takes seats for a party, if it fits.
    pub fn take(&mut self, slot: SlotId, party: i32) -> bool {
        if !self.fits(slot, party) {
            return false;
        }
        if let Some(s) = self.slots.get_mut(&slot) {
            s.taken += party;
        }
        true
    }

    /// Gives seats back (a cancellation, an expired hold, fewer guests).
    pub fn release(&mut self, slot: SlotId, party: i32) {
        if let Some(s) = self.slots.get_mut(&slot) {
            s.taken = (s.taken - party).max(0);
        }
    }

    /// Whether the event could shrink to `event_seats` and each slot to its new seats without
    /// dropping below what is taken (cutting below is refused, never oversold).
    pub fn can_resize(&self, event_seats: i32, slot_seats: &HashMap<SlotId, i32>) -> bool {
        event_seats >= self.taken()
            && self.slots.iter().all(|(id, s)| slot_seats.get(id).is_none_or(|&new| new >= s.taken))
    }

    /// Fair promotion (DESIGN invariant 2): walks the waitlist in order and promotes every party
    /// that fits in what is free, taking its seats; a party too big for what is left keeps its
    /// place while a smaller one behind it takes the seat.
    pub fn promote<Id: Copy>(&mut self, waitlist: &[Waiting<Id>]) -> Vec<Id> {
        let mut promoted = Vec::new();
        for waiting in waitlist {
            if self.free_in(waiting.slot) == 0 && self.event_seats <= self.taken() {
                break;
            }
            if self.take(waiting.slot, waiting.party) {
                promoted.push(waiting.id);
            }
        }
        promoted
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn seats(event_seats: i32, slots: &[(SlotId, i32)]) -> Seats {
        Seats {
            event_seats,
            slots: slots.iter().map(|&(id, seats)| (id, SlotSeats { seats, taken: 0 })).collect(),
        }
    }

    #[test]
    fn a_party_needs_room_in_its_slot_and_in_the_event() {
        let (alumni, staff) = (SlotId::new(), SlotId::new());
        let mut s = seats(10, &[(alumni, 8), (staff, 8)]);
        assert!(s.take(alumni, 8));
        assert!(!s.fits(alumni, 1), "the slot is full");
        assert!(s.fits(staff, 2));
        assert!(!s.fits(staff, 3), "the event is nearly full");
        assert!(!s.fits(SlotId::new(), 1), "an unknown slot has no seats");
        assert!(!s.fits(staff, 0), "a party is at least one person");
    }

    #[test]
    fn a_party_of_three_waits_while_a_single_takes_the_last_seat() {
        let slot = SlotId::new();
        let mut s = seats(5, &[(slot, 5)]);
        assert!(s.take(slot, 4));
        let waitlist = [
            Waiting { id: 1, slot, party: 3 },
            Waiting { id: 2, slot, party: 1 },
            Waiting { id: 3, slot, party: 1 },
        ];
        assert_eq!(s.promote(&waitlist), vec![2]);
        s.release(slot, 4);
        assert_eq!(s.promote(&[waitlist[0], waitlist[2]]), vec![1, 3]);
    }

    #[test]
    fn seats_cannot_be_cut_below_those_taken() {
        let slot = SlotId::new();
        let mut s = seats(10, &[(slot, 10)]);
        s.take(slot, 6);
        assert!(!s.can_resize(5, &HashMap::new()));
        assert!(!s.can_resize(10, &HashMap::from([(slot, 5)])));
        assert!(s.can_resize(6, &HashMap::from([(slot, 6)])));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Book { slot: usize, party: i32 },
        Cancel { index: usize },
        Promote,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..3, 1i32..4).prop_map(|(slot, party)| Op::Book { slot, party }),
            (0usize..64).prop_map(|index| Op::Cancel { index }),
            Just(Op::Promote),
        ]
    }

    proptest! {
        /// Any sequence of bookings, cancellations and promotions keeps every slot and the event
        /// within their seats, and never promotes past a waiting party that would have fit.
        #[test]
        fn no_sequence_oversells_or_skips_the_queue(
            event_seats in 1i32..20,
            slot_seats in proptest::collection::vec(1i32..12, 3),
            ops in proptest::collection::vec(op(), 1..80),
        ) {
            let ids: Vec<SlotId> = (0..3).map(|_| SlotId::new()).collect();
            let mut s = seats(event_seats, &ids.iter().copied().zip(slot_seats.iter().copied()).collect::<Vec<_>>());
            let mut holding: Vec<(usize, SlotId, i32)> = Vec::new();
            let mut waitlist: Vec<Waiting<usize>> = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                match op {
                    Op::Book { slot, party } => {
                        if s.take(ids[slot], party) {
                            holding.push((n, ids[slot], party));
                        } else {
                            waitlist.push(Waiting { id: n, slot: ids[slot], party });
                        }
                    }
                    Op::Cancel { index } if !holding.is_empty() => {
                        let (_, slot, party) = holding.remove(index % holding.len());
                        s.release(slot, party);
                    }
                    Op::Cancel { .. } => {}
                    Op::Promote => {
                        let before = s.clone();
                        let promoted = s.promote(&waitlist);
                        // Replaying in order: each waiting party either fits in what the earlier
                        // ones left (and is promoted) or does not (and stays).
                        let mut replay = before;
                        for w in &waitlist {
                            let fits = replay.take(w.slot, w.party);
                            prop_assert_eq!(fits, promoted.contains(&w.id), "waitlist order broken");
                        }
                        for id in &promoted {
                            let w = waitlist.iter().position(|w| w.id == *id).unwrap();
                            let w = waitlist.remove(w);
                            holding.push((w.id, w.slot, w.party));
                        }
                    }
                }
                prop_assert!(s.taken() <= event_seats);
                for (i, id) in ids.iter().enumerate() {
                    prop_assert!(s.slots[id].taken <= slot_seats[i]);
                    let held: i32 = holding.iter().filter(|h| h.1 == *id).map(|h| h.2).sum();
                    prop_assert_eq!(held, s.slots[id].taken);
                }
            }
        }
    }
}
