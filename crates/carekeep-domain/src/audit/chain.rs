//! Tamper evidence for the audit trail (164.312(c)(1) integrity, 164.312(b) audit controls).
//!
//! Event `n` stores `hash_n = MAC(hash_{n-1} || canonical(event_n, n))` and `hash_{n-1}` itself.
//! The MAC is keyed, so write access to the database alone cannot recompute it. Verification
//! walks the events in sequence order and names the first problem: a changed event, a deleted
//! one (a gap, or later events renumbered down), an inserted one (later events renumbered up),
//! two swapped, or events missing after the last one a checkpoint or the recorded head vouches
//! for. A checkpoint signed elsewhere also catches a rewrite by someone holding the MAC key.

/// The MAC the chain uses; the crypto crate supplies HMAC-SHA-256.
pub trait ChainMac {
    fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32];
}

/// The hash before the first event.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// One stored event, as verification sees it: its sequence number, its stored hashes, and
/// a way to encode its content as if it stood at any position.
pub struct StoredLink<'a> {
    pub seq: i64,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
    pub canonical_at: &'a dyn Fn(i64) -> Vec<u8>,
}

/// What was done to the trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tampering {
    Changed,
    Deleted,
    Inserted,
    Reordered,
    /// Events missing after the last one a checkpoint or the recorded head vouches for.
    Truncated,
    /// The chain is internally consistent but differs from a signed checkpoint: rewritten by
    /// someone who held the MAC key.
    Rewritten,
}

impl Tampering {
    pub fn as_str(self) -> &'static str {
        match self {
            Tampering::Changed => "changed",
            Tampering::Deleted => "deleted",
            Tampering::Inserted => "inserted",
            Tampering::Reordered => "reordered",
            Tampering::Truncated => "truncated after a checkpoint",
            Tampering::Rewritten => "rewritten before a signed checkpoint",
        }
    }
}

/// The first problem found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem {
    pub seq: i64,
    pub kind: Tampering,
}

/// A point the trail must reach with this hash (a signed checkpoint, or the recorded head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: [u8; 32],
}

/// Streaming verifier: feed events in sequence order with [`Verifier::push`], then
/// [`Verifier::finish`]. Holds one event back, since telling a swap from a deletion needs the
/// next event.
pub struct Verifier<'m, M: ChainMac> {
    mac: &'m M,
    expected: i64,
    prev: [u8; 32],
    anchors: Vec<Anchor>,
    /// The first anchor not yet passed: events arrive in sequence order, so the anchors are
    /// walked once rather than searched for every event.
    next_anchor: usize,
    held: Option<Held>,
    problem: Option<Problem>,
    checked: u64,
    /// A verifier of the part after a split ([`Verifier::after`]): the stored previous hash
    /// of its first event, taken on trust until [`Span::joins`] holds it to the part before.
    joint: Joint,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Joint {
    /// The trail from its first event: the chain starts at [`GENESIS`].
    Genesis,
    /// A later part whose first event has not arrived yet.
    Awaited,
    Taken([u8; 32]),
}

/// What a verifier of one part of the trail proved: how many events, the stored previous
/// hash its first event linked to (the genesis for the trail's first part), and the last
/// event's number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub checked: u64,
    pub first_prev: Option<[u8; 32]>,
    pub last: Anchor,
}

impl Span {
    /// Whether `after` continues this part: its first event is the next number and links to
    /// this part's last hash. Two parts that each verify and join verify as one trail
    /// (164.312(c)(1)): the chain rule at the joint is the rule at every other event.
    pub fn joins(&self, after: &Span) -> bool {
        after.checked > 0
            && after.last.seq - i64::try_from(after.checked).unwrap_or(i64::MAX) == self.last.seq
            && after.first_prev == Some(self.last.hash)
    }
}

/// The anchors a verifier of the events up to `mid` holds the trail to, and those for the
/// events after it.
pub fn split_anchors(anchors: &[Anchor], mid: i64) -> (Vec<Anchor>, Vec<Anchor>) {
    anchors.iter().partition(|a| a.seq <= mid)
}

/// A failing event kept until the next one shows what happened.
struct Held {
    seq: i64,
    /// Its content verifies as the event that belongs one later (renumbered down).
    authentic_next: bool,
}

impl<'m, M: ChainMac> Verifier<'m, M> {
    /// `anchors`: signed checkpoints and the recorded head.
    pub fn new(mac: &'m M, mut anchors: Vec<Anchor>) -> Self {
        anchors.sort_by_key(|a| a.seq);
        Verifier {
            mac,
            expected: 1,
            prev: GENESIS,
            anchors,
            next_anchor: 0,
            held: None,
            problem: None,
            checked: 0,
            joint: Joint::Genesis,
        }
    }

    /// A verifier of the events after `after` only, so two parts of a long trail are checked
    /// at once (issue 31). Its first event's stored previous hash is taken as given, and
    /// [`Span::joins`] must then hold it to the part before: only the two together prove the
    /// trail. The problem a part names is not always the one the whole walk names (a part
    /// cannot see across the joint); a caller names a problem by walking the whole trail.
    pub fn after(mac: &'m M, anchors: Vec<Anchor>, after: i64) -> Self {
        let mut v = Verifier::new(mac, anchors);
        v.expected = after.saturating_add(1);
        v.joint = Joint::Awaited;
        v
    }

    fn authentic_at(&self, link: &StoredLink<'_>, seq: i64) -> bool {
        self.mac.link(&link.prev_hash, &(link.canonical_at)(seq)) == link.hash
    }

    /// Feeds the next stored event. Returns false once a problem is known (stop feeding).
    pub fn push(&mut self, link: &StoredLink<'_>) -> bool {
        self.push_with(link, |v| v.authentic_at(link, link.seq))
    }

    /// [`Verifier::push`] for an event whose MAC at its own sequence number was already
    /// checked (`authentic`: `MAC(prev_hash, canonical(seq)) == hash`), as a verification
    /// that computes the MACs of many events at once on several cores does. Only an event
    /// that fails is encoded again, at its neighbours' numbers, to tell what was done.
    pub fn push_checked(&mut self, link: &StoredLink<'_>, authentic: bool) -> bool {
        self.push_with(link, |_| authentic)
    }

    fn push_with(&mut self, link: &StoredLink<'_>, authentic_here: impl FnOnce(&Self) -> bool) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if let Some(held) = self.held.take() {
            let shifted_up = self.authentic_at(link, link.seq - 1);
            let kind = match (held.authentic_next, shifted_up) {
                (true, true) => Tampering::Reordered,
                (true, false) => Tampering::Deleted,
                (false, true) => Tampering::Inserted,
                (false, false) => Tampering::Changed,
            };
            self.problem = Some(Problem { seq: held.seq, kind });
            return false;
        }
        if link.seq != self.expected {
            self.problem = Some(Problem {
                seq: self.expected,
                kind: Tampering::Deleted,
            });
            return false;
        }
        if authentic_here(self) {
            if self.joint == Joint::Awaited {
                self.joint = Joint::Taken(link.prev_hash);
                self.prev = link.prev_hash;
            }
            if link.prev_hash != self.prev {
                self.problem = Some(Problem {
                    seq: link.seq,
                    kind: Tampering::Changed,
                });
                return false;
            }
            while self.anchors.get(self.next_anchor).is_some_and(|a| a.seq < link.seq) {
                self.next_anchor += 1;
            }
            let rewritten = self
                .anchors
                .iter()
                .skip(self.next_anchor)
                .take_while(|a| a.seq == link.seq)
                .any(|a| a.hash != link.hash);
            if rewritten {
                self.problem = Some(Problem {
                    seq: link.seq,
                    kind: Tampering::Rewritten,
                });
                return false;
            }
            self.prev = link.hash;
            self.expected += 1;
            self.checked += 1;
            return true;
        }
        let authentic_next = self.authentic_at(link, link.seq + 1);
        self.held = Some(Held {
            seq: link.seq,
            authentic_next,
        });
        true
    }

    /// Ends the walk: the first problem, or how many events verified.
    pub fn finish(self) -> Result<u64, Problem> {
        self.finish_span().map(|s| s.checked)
    }

    /// Ends the walk of one part: the first problem, or what the part proved.
    pub fn finish_span(mut self) -> Result<Span, Problem> {
        if let Some(p) = self.problem {
            return Err(p);
        }
        if let Some(held) = self.held.take() {
            let kind = if held.authentic_next {
                Tampering::Deleted
            } else {
                Tampering::Changed
            };
            return Err(Problem { seq: held.seq, kind });
        }
        let last = self.expected - 1;
        if self.anchors.iter().any(|a| a.seq > last) {
            return Err(Problem {
                seq: last + 1,
                kind: Tampering::Truncated,
            });
        }
        Ok(Span {
            checked: self.checked,
            first_prev: match self.joint {
                Joint::Genesis => Some(GENESIS),
                Joint::Awaited => None,
                Joint::Taken(h) => Some(h),
            },
            last: Anchor {
                seq: last,
                hash: self.prev,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy keyed mixer standing in for HMAC: the classification logic is what is tested
    /// here; the real MAC is tested in the crypto crate.
    struct ToyMac;
    impl ChainMac for ToyMac {
        fn link(&self, prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
            let mut out = *prev;
            let mut acc: u64 = 0xcbf2_9ce4_8422_2325;
            for (i, b) in canonical.iter().enumerate() {
                acc = (acc ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
                out[i % 32] ^= (acc >> 24) as u8;
            }
            for (i, o) in out.iter_mut().enumerate() {
                acc = (acc ^ i as u64).wrapping_mul(0x100_0000_01b3);
                *o ^= (acc >> 32) as u8;
            }
            out
        }
    }

    #[derive(Clone)]
    struct Row {
        seq: i64,
        body: String,
        prev: [u8; 32],
        hash: [u8; 32],
    }

    fn canonical(body: &str, seq: i64) -> Vec<u8> {
        let mut v = seq.to_be_bytes().to_vec();
        v.extend_from_slice(body.as_bytes());
        v
    }

    fn chain(n: i64) -> Vec<Row> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let body = format!("event {seq}");
                let hash = ToyMac.link(&prev, &canonical(&body, seq));
                let row = Row { seq, body, prev, hash };
                prev = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[Row], anchors: Vec<Anchor>) -> Result<u64, Problem> {
        let one_by_one = walk(rows, anchors.clone(), false);
        // The same verdict when the MACs at each event's own number were computed beforehand
        // (on other cores), as the verification of a whole stored trail does.
        assert_eq!(
            walk(rows, anchors.clone(), true),
            one_by_one,
            "push_checked disagrees with push"
        );
        // Split anywhere, each part verified on its own and the parts joined: intact exactly
        // when the whole walk is (issue 31's two-part verification).
        let last = rows.iter().map(|r| r.seq).max().unwrap_or(0);
        for mid in 1..last {
            assert_eq!(
                split(rows, &anchors, mid),
                one_by_one.is_ok(),
                "split at {mid} disagrees with the whole walk ({one_by_one:?})"
            );
        }
        one_by_one
    }

    fn part(v: &mut Verifier<'_, ToyMac>, rows: &[&Row]) {
        for r in rows {
            let body = r.body.clone();
            let enc = move |seq: i64| canonical(&body, seq);
            let link = StoredLink {
                seq: r.seq,
                prev_hash: r.prev,
                hash: r.hash,
                canonical_at: &enc,
            };
            if !v.push_checked(&link, ToyMac.link(&r.prev, &canonical(&r.body, r.seq)) == r.hash) {
                break;
            }
        }
    }

    fn split(rows: &[Row], anchors: &[Anchor], mid: i64) -> bool {
        let (before, after): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| r.seq <= mid);
        let (a_anchors, b_anchors) = split_anchors(anchors, mid);
        let mut a = Verifier::new(&ToyMac, a_anchors);
        part(&mut a, &before);
        let mut b = Verifier::after(&ToyMac, b_anchors, mid);
        part(&mut b, &after);
        match (a.finish_span(), b.finish_span()) {
            (Ok(a), Ok(b)) => a.joins(&b),
            _ => false,
        }
    }

    /// The second part's first event is taken as it links, so it is the joint that has to
    /// hold: a part after the split that links to anything else does not join.
    #[test]
    fn parts_join_only_where_the_chain_links() {
        let base = chain(8);
        assert!(split(&base, &[], 4));
        let mut relinked = base.clone();
        relinked[4].prev = [3; 32];
        relinked[4].hash = ToyMac.link(&relinked[4].prev, &canonical(&relinked[4].body, 5));
        for i in 5..8 {
            let prev = relinked[i - 1].hash;
            relinked[i].prev = prev;
            relinked[i].hash = ToyMac.link(&prev, &canonical(&relinked[i].body, relinked[i].seq));
        }
        assert!(!split(&relinked, &[], 4), "the second part is a chain of its own");
        assert_eq!(
            verify(&relinked, vec![]),
            Err(Problem {
                seq: 5,
                kind: Tampering::Changed
            })
        );
        // An empty second part proves nothing past the split.
        assert!(!split(&base[..4], &[], 4));
    }

    fn walk(rows: &[Row], anchors: Vec<Anchor>, checked_beforehand: bool) -> Result<u64, Problem> {
        let mut v = Verifier::new(&ToyMac, anchors);
        for r in rows {
            let body = r.body.clone();
            let enc = move |seq: i64| canonical(&body, seq);
            let link = StoredLink {
                seq: r.seq,
                prev_hash: r.prev,
                hash: r.hash,
                canonical_at: &enc,
            };
            let more = if checked_beforehand {
                v.push_checked(&link, ToyMac.link(&r.prev, &canonical(&r.body, r.seq)) == r.hash)
            } else {
                v.push(&link)
            };
            if !more {
                break;
            }
        }
        v.finish()
    }

    fn renumber(rows: &mut [Row], from: usize, by: i64) {
        rows.iter_mut().skip(from).for_each(|r| r.seq += by);
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(10), vec![]), Ok(10));
        assert_eq!(verify(&[], vec![]), Ok(0));
    }

    #[test]
    fn each_kind_of_tampering_is_named_at_the_first_bad_event() {
        let base = chain(10);
        let mut cases: Vec<(&str, Vec<Row>, Vec<Anchor>, Problem)> = Vec::new();

        let mut changed = base.clone();
        changed[4].body = "event 5, edited".into();
        cases.push((
            "changed",
            changed,
            vec![],
            Problem {
                seq: 5,
                kind: Tampering::Changed,
            },
        ));

        let mut gap = base.clone();
        gap.remove(3);
        cases.push((
            "deleted, gap left",
            gap,
            vec![],
            Problem {
                seq: 4,
                kind: Tampering::Deleted,
            },
        ));

        let mut renumbered = base.clone();
        renumbered.remove(3);
        renumber(&mut renumbered, 3, -1);
        cases.push((
            "deleted, renumbered",
            renumbered,
            vec![],
            Problem {
                seq: 4,
                kind: Tampering::Deleted,
            },
        ));

        let mut inserted = base.clone();
        renumber(&mut inserted, 6, 1);
        inserted.insert(
            6,
            Row {
                seq: 7,
                body: "forged".into(),
                prev: base[5].hash,
                hash: [7; 32],
            },
        );
        cases.push((
            "inserted",
            inserted,
            vec![],
            Problem {
                seq: 7,
                kind: Tampering::Inserted,
            },
        ));

        let mut swapped = base.clone();
        let (a, b) = (swapped[2].clone(), swapped[3].clone());
        swapped[2] = Row { seq: 3, ..b };
        swapped[3] = Row { seq: 4, ..a };
        cases.push((
            "reordered",
            swapped,
            vec![],
            Problem {
                seq: 3,
                kind: Tampering::Reordered,
            },
        ));

        let truncated = base[..7].to_vec();
        let anchor = vec![Anchor {
            seq: 9,
            hash: base[8].hash,
        }];
        cases.push((
            "truncated after a checkpoint",
            truncated,
            anchor,
            Problem {
                seq: 8,
                kind: Tampering::Truncated,
            },
        ));

        let mut last_changed = base.clone();
        last_changed[9].body = "edited last".into();
        cases.push((
            "changed last",
            last_changed,
            vec![],
            Problem {
                seq: 10,
                kind: Tampering::Changed,
            },
        ));

        // Someone with the key rebuilt a consistent chain from event 6 on; the signed
        // checkpoint at 8 still holds the original hash.
        let mut rebuilt = base.clone();
        rebuilt[5].body = "event 6, rewritten".into();
        for i in 5..10 {
            let prev = rebuilt[i - 1].hash;
            rebuilt[i].prev = prev;
            rebuilt[i].hash = ToyMac.link(&prev, &canonical(&rebuilt[i].body, rebuilt[i].seq));
        }
        let anchor = vec![Anchor {
            seq: 8,
            hash: base[7].hash,
        }];
        cases.push((
            "rewritten with the key",
            rebuilt,
            anchor,
            Problem {
                seq: 8,
                kind: Tampering::Rewritten,
            },
        ));

        for (name, rows, anchors, want) in cases {
            assert_eq!(verify(&rows, anchors), Err(want), "{name}");
        }
    }

    #[test]
    fn anchors_that_hold_pass() {
        let base = chain(5);
        let anchors = vec![
            Anchor {
                seq: 3,
                hash: base[2].hash,
            },
            Anchor {
                seq: 5,
                hash: base[4].hash,
            },
        ];
        assert_eq!(verify(&base, anchors), Ok(5));
    }

    /// The same event vouched for twice (a checkpoint in the database and one from the file
    /// kept elsewhere, or a checkpoint at the head): every one of them must hold.
    #[test]
    fn every_anchor_at_an_event_is_held_to_it() {
        let base = chain(6);
        let good = Anchor {
            seq: 4,
            hash: base[3].hash,
        };
        let bad = Anchor { seq: 4, hash: [9; 32] };
        let head = Anchor {
            seq: 6,
            hash: base[5].hash,
        };
        assert_eq!(verify(&base, vec![good, good, head]), Ok(6));
        for anchors in [vec![good, bad, head], vec![bad, good, head], vec![head, good, bad]] {
            assert_eq!(
                verify(&base, anchors),
                Err(Problem {
                    seq: 4,
                    kind: Tampering::Rewritten
                })
            );
        }
    }
}
