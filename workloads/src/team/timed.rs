//! `Timed`: a rayon iterator adapter that times each of rayon's sequential pieces (leaves) on the
//! worker that runs it, for a traced call.
//!
//! Rayon splits an indexed iterator adaptively and runs each piece it stops splitting as one
//! sequential fold (`Producer::fold_with`, called by its bridge at every leaf). Timing there, not
//! per item, costs two clock reads per leaf — a few hundred leaves for a call of 720,720 tasks at
//! j = 2, against a clock read per 100-ns task that would add half the work — and leaves
//! rayon's splitting exactly as it is: the adapter passes `split_at`, `min_len` and `max_len`
//! through. The time between a worker's leaves (stealing, splitting, joining) is the pool's own
//! work: the account's dispatch. Without a recorder (every timed sample) a leaf is the inner
//! fold itself.

use rayon::iter::plumbing::{Consumer, Folder, Producer, ProducerCallback, UnindexedConsumer, bridge};
use rayon::iter::{IndexedParallelIterator, ParallelIterator};

use super::recorder::Recorder;

/// An indexed parallel iterator whose leaves are timed on `recorder` when there is one.
pub(crate) struct Timed<'r, I> {
    base: I,
    recorder: Option<&'r Recorder>,
}

impl<'r, I> Timed<'r, I> {
    /// `base`, its leaves timed on `recorder` (none: as it is).
    pub(crate) fn new(base: I, recorder: Option<&'r Recorder>) -> Self {
        Timed { base, recorder }
    }
}

impl<I: IndexedParallelIterator> ParallelIterator for Timed<'_, I> {
    type Item = I::Item;

    fn drive_unindexed<C: UnindexedConsumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn opt_len(&self) -> Option<usize> {
        Some(self.base.len())
    }
}

impl<I: IndexedParallelIterator> IndexedParallelIterator for Timed<'_, I> {
    fn drive<C: Consumer<Self::Item>>(self, consumer: C) -> C::Result {
        bridge(self, consumer)
    }

    fn len(&self) -> usize {
        self.base.len()
    }

    fn with_producer<CB: ProducerCallback<Self::Item>>(self, callback: CB) -> CB::Output {
        return self.base.with_producer(Callback { callback, recorder: self.recorder });

        struct Callback<'r, CB> {
            callback: CB,
            recorder: Option<&'r Recorder>,
        }

        impl<T, CB: ProducerCallback<T>> ProducerCallback<T> for Callback<'_, CB> {
            type Output = CB::Output;

            fn callback<P: Producer<Item = T>>(self, base: P) -> CB::Output {
                self.callback.callback(TimedProducer { base, recorder: self.recorder })
            }
        }
    }
}

struct TimedProducer<'r, P> {
    base: P,
    recorder: Option<&'r Recorder>,
}

impl<P: Producer> Producer for TimedProducer<'_, P> {
    type Item = P::Item;
    type IntoIter = P::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.base.into_iter()
    }

    fn min_len(&self) -> usize {
        self.base.min_len()
    }

    fn max_len(&self) -> usize {
        self.base.max_len()
    }

    fn split_at(self, index: usize) -> (Self, Self) {
        let (left, right) = self.base.split_at(index);
        (TimedProducer { base: left, recorder: self.recorder }, TimedProducer { base: right, recorder: self.recorder })
    }

    fn fold_with<F: Folder<Self::Item>>(self, folder: F) -> F {
        match self.recorder {
            Some(recorder) => recorder.leaf(|| self.base.fold_with(folder)),
            None => self.base.fold_with(folder),
        }
    }
}
