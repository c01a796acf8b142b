//! A short-lived cache of public, token-free answers (the public API and the public pages),
//! kept in this instance's memory.
//!
//! A popular event draws crowds to the same few public URLs; answering them from memory for a
//! moment spares the database. The cache is safe to lose and never needed by another instance:
//! an entry lives at most `ttl` (one second by default), and any write through this instance
//! empties it at once, so a change made here shows immediately and a change made on another
//! instance shows within `ttl`. Only `200` answers to anonymous `GET`s are kept, with their
//! headers; pages are kept per language.

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use poem::{Response, http::HeaderMap};

/// Bounds on what the cache holds (public URLs are few; these stop a crawler walking every
/// page, or junk query strings, from growing it): past either, expired entries go first, and
/// if that is not enough the cache starts over.
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: usize = 8 * 1024 * 1024;

struct Entry {
    stored: Instant,
    generation: u64,
    headers: HeaderMap,
    body: Bytes,
}

pub struct PublicCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

impl PublicCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, generation: AtomicU64::new(0), entries: Mutex::new(Entries::default()) }
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Something changed through this instance: nothing cached may be served any more.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    pub fn get(&self, key: &str) -> Option<Response> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.map.get(key)?;
        if entry.generation != generation || entry.stored.elapsed() >= self.ttl {
            return None;
        }
        let mut resp = Response::builder().body(entry.body.clone());
        *resp.headers_mut() = entry.headers.clone();
        Some(resp)
    }

    /// Keeps `body` for `key`, if nothing was written since `generation` was read (an answer
    /// computed before a write must not outlive it).
    pub fn put(&self, key: String, generation: u64, headers: HeaderMap, body: Bytes) {
        if generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        let key_len = key.len();
        let size = key_len + body.len();
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.map.len() >= MAX_ENTRIES || entries.bytes + size > MAX_BYTES {
            let ttl = self.ttl;
            entries.map.retain(|_, e| e.generation == generation && e.stored.elapsed() < ttl);
            entries.bytes = entries.map.iter().map(|(k, e)| k.len() + e.body.len()).sum();
            if entries.map.len() >= MAX_ENTRIES || entries.bytes + size > MAX_BYTES {
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        if let Some(old) =
            entries.map.insert(key, Entry { stored: Instant::now(), generation, headers, body })
        {
            entries.bytes -= key_len + old.body.len();
        }
        entries.bytes += size;
    }

    /// The generation to pass to [`PublicCache::put`]; read it before computing the answer.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            poem::http::header::CONTENT_TYPE,
            poem::http::HeaderValue::from_static("application/json"),
        );
        headers
    }

    #[test]
    fn entries_expire_and_writes_empty_the_cache() {
        let cache = PublicCache::new(Duration::from_millis(50));
        let generation = cache.generation();
        cache.put("/a".into(), generation, json(), Bytes::from_static(b"[]"));
        assert!(cache.get("/a").is_some());
        cache.invalidate();
        assert!(cache.get("/a").is_none(), "a write empties the cache");

        let generation = cache.generation();
        cache.put("/a".into(), generation, json(), Bytes::from_static(b"[]"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("/a").is_none(), "entries expire");
    }

    #[test]
    fn the_cache_stays_within_its_bounds() {
        let cache = PublicCache::new(Duration::from_secs(60));
        let page = Bytes::from(vec![b'x'; 100 * 1024]);
        for i in 0..200 {
            cache.put(format!("/e/event-{i}"), cache.generation(), json(), page.clone());
        }
        cache.put("/e/event-0".into(), cache.generation(), json(), page.clone());
        let entries = cache.entries.lock().unwrap();
        assert!(entries.bytes <= MAX_BYTES, "{} bytes", entries.bytes);
        assert_eq!(entries.bytes, entries.map.iter().map(|(k, e)| k.len() + e.body.len()).sum::<usize>());
    }

    #[test]
    fn an_answer_computed_before_a_write_is_not_kept() {
        let cache = PublicCache::new(Duration::from_secs(1));
        let generation = cache.generation();
        cache.invalidate();
        cache.put("/a".into(), generation, json(), Bytes::from_static(b"[]"));
        assert!(cache.get("/a").is_none());
    }
}
