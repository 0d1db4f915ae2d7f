//! A cache of fetched values by key, with one fetch per key at a time
//! (single flight), a limit on fetches at once, stale-while-revalidate and
//! an event per finished fetch. `LiveService` keeps one for workspaces and
//! one for completion's lists; what a value means, when it is fresh and how
//! callers see it is the value's business ([`Fetched`]).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, broadcast};

/// A value a [`FlightCache`] holds.
pub trait Fetched: Send + 'static {
    /// What callers are told about a key.
    type State;
    /// The state for `value` (`None`: nothing fetched yet, or nothing to
    /// show while it is fetched again), `refreshing` while a fetch runs.
    fn state(value: Option<&Self>, refreshing: bool) -> Self::State;
    /// Whether a caller waiting for `state` should wait on.
    fn under_way(state: &Self::State) -> bool;
    /// How long this value stays fresh when the configured TTL is `ttl`.
    fn fresh_for(&self, ttl: Duration) -> Duration {
        ttl
    }
}

struct Slot<V> {
    value: Option<V>,
    /// When `value` arrived.
    fetched: Option<Instant>,
    /// Set by `mark_all_stale`: fetch again on the next request.
    stale: bool,
    /// The fetch under way, if any.
    flight: Option<u64>,
}

impl<V> Default for Slot<V> {
    fn default() -> Self {
        Slot {
            value: None,
            fetched: None,
            stale: false,
            flight: None,
        }
    }
}

impl<V: Fetched> Slot<V> {
    fn state(&self) -> V::State {
        V::state(self.value.as_ref(), self.flight.is_some())
    }

    fn is_fresh(&self, ttl: Duration) -> bool {
        let (Some(value), Some(fetched)) = (&self.value, self.fetched) else {
            return false;
        };
        !self.stale && fetched.elapsed() < value.fresh_for(ttl)
    }
}

pub struct FlightCache<K, V> {
    shared: Arc<Shared<K, V>>,
}

struct Shared<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
    events: broadcast::Sender<K>,
    permits: Semaphore,
    next_flight: AtomicU64,
    /// Beyond this many keys, the expired ones are dropped.
    max_entries: usize,
}

impl<K, V> Shared<K, V> {
    fn slots(&self) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V> FlightCache<K, V>
where
    K: Clone + Eq + Hash + Send + 'static,
    V: Fetched,
{
    /// At most `max_entries` keys kept (expired ones go first) and
    /// `max_concurrent` fetches at once.
    pub fn new(max_entries: usize, max_concurrent: usize) -> Self {
        FlightCache {
            shared: Arc::new(Shared {
                slots: Mutex::default(),
                events: broadcast::channel(256).0,
                permits: Semaphore::new(max_concurrent.max(1)),
                next_flight: AtomicU64::new(1),
                max_entries,
            }),
        }
    }

    /// What is known of `key` now; never starts a fetch.
    pub fn state(&self, key: &K) -> V::State {
        match self.shared.slots().get(key) {
            Some(slot) => slot.state(),
            None => V::state(None, false),
        }
    }

    /// What is known of `key` now; when nothing fresh is there and no fetch
    /// runs, spawns `fetch` (on the current tokio runtime, when there is
    /// one, after waiting for a turn) and stores what it returns.
    pub fn request<F>(&self, key: &K, ttl: Duration, fetch: impl FnOnce() -> F) -> V::State
    where
        F: Future<Output = V> + Send + 'static,
    {
        let mut slots = self.shared.slots();
        if slots.len() >= self.shared.max_entries && !slots.contains_key(key) {
            slots.retain(|_, s| s.flight.is_some() || s.is_fresh(ttl));
        }
        let slot = slots.entry(key.clone()).or_default();
        if slot.flight.is_some() || slot.is_fresh(ttl) {
            return slot.state();
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return slot.state();
        };
        let flight = self.shared.next_flight.fetch_add(1, Ordering::Relaxed);
        slot.flight = Some(flight);
        let state = slot.state();
        let claim = Claim {
            shared: self.shared.clone(),
            key: key.clone(),
            flight,
        };
        let fetch = fetch();
        runtime.spawn(async move {
            let value = {
                // Never closed, so this only waits for a turn.
                let _permit = claim.shared.permits.acquire().await;
                fetch.await
            };
            claim.finish(value);
        });
        state
    }

    /// `request`, then waits up to `timeout` for its fetch to finish.
    /// `request` and `state` are the caller's own (they check settings
    /// first); at the timeout, returns what `state` says then.
    pub async fn wait(
        &self,
        key: &K,
        timeout: Duration,
        request: impl FnOnce() -> V::State,
        state: impl Fn() -> V::State,
    ) -> V::State {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribed before the fetch starts, so its event cannot be missed.
        let mut events = self.subscribe();
        let mut now = request();
        loop {
            if !V::under_way(&now) {
                return now;
            }
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => return state(),
                Ok(Ok(done)) if &done != key => {}
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => now = state(),
                Ok(Err(broadcast::error::RecvError::Closed)) => return state(),
            }
        }
    }

    /// Notified with the key each time a fetch is stored.
    pub fn subscribe(&self) -> broadcast::Receiver<K> {
        self.shared.events.subscribe()
    }

    /// Every value is fetched again on its next request (and still served
    /// meanwhile).
    pub fn mark_all_stale(&self) {
        for slot in self.shared.slots().values_mut() {
            slot.stale = true;
        }
    }

    /// Drops everything; fetches under way finish into nothing.
    pub fn clear(&self) {
        self.shared.slots().clear();
    }

    pub fn len(&self) -> usize {
        self.shared.slots().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A fetch's claim on its slot. Dropped without `finish` (the task
/// panicked, or its runtime shut down), it lets the next request start
/// over instead of waiting forever.
struct Claim<K: Clone + Eq + Hash, V> {
    shared: Arc<Shared<K, V>>,
    key: K,
    flight: u64,
}

impl<K: Clone + Eq + Hash, V> Claim<K, V> {
    fn finish(self, value: V) {
        let stored = {
            let mut slots = self.shared.slots();
            match slots.get_mut(&self.key) {
                // Not ours when the cache was cleared meanwhile.
                Some(slot) if slot.flight == Some(self.flight) => {
                    slot.value = Some(value);
                    slot.fetched = Some(Instant::now());
                    slot.stale = false;
                    slot.flight = None;
                    true
                }
                _ => false,
            }
        };
        if stored {
            let _ = self.shared.events.send(self.key.clone());
        }
    }
}

impl<K: Clone + Eq + Hash, V> Drop for Claim<K, V> {
    fn drop(&mut self) {
        let mut slots = self.shared.slots();
        if let Some(slot) = slots.get_mut(&self.key)
            && slot.flight == Some(self.flight)
        {
            slot.flight = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A value that is what it says: a number, fresh for the TTL.
    #[derive(Debug, Clone, PartialEq)]
    struct Number(u32);

    impl Fetched for Number {
        type State = (Option<u32>, bool);

        fn state(value: Option<&Self>, refreshing: bool) -> Self::State {
            (value.map(|n| n.0), refreshing)
        }

        fn under_way(state: &Self::State) -> bool {
            state.0.is_none() || state.1
        }
    }

    const TTL: Duration = Duration::from_secs(60);
    const WAIT: Duration = Duration::from_secs(5);

    fn counting(
        cache: &FlightCache<&'static str, Number>,
        key: &'static str,
        fetches: &Arc<AtomicUsize>,
        ttl: Duration,
    ) -> (Option<u32>, bool) {
        let fetches = fetches.clone();
        cache.request(&key, ttl, move || async move {
            let n = fetches.fetch_add(1, Ordering::SeqCst) as u32 + 1;
            Number(n)
        })
    }

    #[tokio::test]
    async fn one_fetch_per_key_at_a_time_then_served_while_fresh() {
        let cache = FlightCache::new(8, 2);
        let fetches = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            assert_eq!(counting(&cache, "a", &fetches, TTL), (None, true));
        }
        let request = || counting(&cache, "a", &fetches, TTL);
        let state = || cache.state(&"a");
        assert_eq!(
            cache.wait(&"a", WAIT, request, state).await,
            (Some(1), false)
        );
        assert_eq!(counting(&cache, "a", &fetches, TTL), (Some(1), false));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Stale: fetched again, the old value served meanwhile.
        cache.mark_all_stale();
        assert_eq!(counting(&cache, "a", &fetches, TTL), (Some(1), true));
        let request = || cache.state(&"a");
        let state = || cache.state(&"a");
        assert_eq!(
            cache.wait(&"a", WAIT, request, state).await,
            (Some(2), false)
        );
    }

    #[tokio::test]
    async fn a_fetch_that_dies_releases_its_key() {
        let cache: FlightCache<&str, Number> = FlightCache::new(8, 2);
        let state = cache.request(&"a", TTL, || async { panic!("the fetch task dies") });
        assert_eq!(state, (None, true));
        let mut events = cache.subscribe();
        // Without its claim released, every later request would wait on a
        // fetch that never ends.
        let deadline = Instant::now() + WAIT;
        while cache.state(&"a").1 {
            assert!(Instant::now() < deadline, "the claim was never released");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(cache.state(&"a"), (None, false));
        let fetches = Arc::new(AtomicUsize::new(0));
        assert_eq!(counting(&cache, "a", &fetches, TTL), (None, true));
        assert_eq!(
            events.recv().await.unwrap(),
            "a",
            "only the fetch that ended"
        );
        assert_eq!(cache.state(&"a"), (Some(1), false));
    }

    #[tokio::test]
    async fn a_fetch_finishing_after_clear_stores_nothing() {
        let cache: FlightCache<&str, Number> = FlightCache::new(8, 2);
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        cache.request(&"a", TTL, || async move {
            let _ = wait.await;
            Number(7)
        });
        let mut events = cache.subscribe();
        cache.clear();
        go.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(events.try_recv().is_err(), "no event for a dropped key");
        assert_eq!(cache.state(&"a"), (None, false));
        assert!(cache.is_empty());
    }

    #[tokio::test]
    async fn expired_keys_make_room_beyond_the_limit() {
        let cache = FlightCache::new(3, 4);
        let fetches = Arc::new(AtomicUsize::new(0));
        let keys = ["a", "b", "c", "d", "e"];
        for key in keys {
            // A zero TTL: everything is expired once fetched.
            counting(&cache, key, &fetches, Duration::ZERO);
            let request = || cache.state(&key);
            let state = || cache.state(&key);
            cache.wait(&key, WAIT, request, state).await;
        }
        assert!(cache.len() <= 3, "{} keys kept", cache.len());
        assert_eq!(fetches.load(Ordering::SeqCst), keys.len());
    }
}
