"""Rate limits shared by every worker process: GCRA token buckets and concurrency slots in Redis.

A marketplace's documented limits are data (``Limit``); the HTTP layer asks ``acquire`` before each request
and waits the time it is told. Without Redis (the embedded demo) an in-process limiter with the same semantics
is used: one worker process then owns all requests anyway.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings


@dataclass(frozen=True)
class Limit:
    """``rate`` units per ``period_s`` with bursts up to ``burst`` units (WB: 300/min, burst 20)."""

    name: str
    rate: float
    period_s: float
    burst: int = 1

    @property
    def interval_ms(self) -> float:
        return self.period_s * 1000.0 / self.rate


_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - interval * burst
if allow_at > now then return allow_at - now end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(new_tat - now) + 1000)
return 0
"""

_SLOT_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
  return 1
end
return 0
"""


class RedisLimiter:
    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)
        self._gcra = self.redis.register_script(_GCRA)
        self._slot = self.redis.register_script(_SLOT_ACQUIRE)

    def acquire(self, key: str, limit: Limit, cost: int = 1) -> float:
        """Take ``cost`` units now if the bucket allows; else return seconds to wait (nothing taken)."""
        wait_ms = self._gcra(keys=[f"{_prefix()}okno:rl:{key}"], args=[limit.interval_ms, max(limit.burst, cost), cost])
        return float(wait_ms) / 1000.0

    def acquire_slot(self, key: str, slots: int, ttl_s: float = 60.0) -> str | None:
        token = uuid.uuid4().hex
        ok = self._slot(keys=[f"{_prefix()}okno:slots:{key}"], args=[slots, int(ttl_s * 1000), token])
        return token if ok else None

    def release_slot(self, key: str, token: str) -> None:
        self.redis.zrem(f"{_prefix()}okno:slots:{key}", token)

    def reset(self, prefix: str = "") -> None:
        for pattern in (f"{_prefix()}okno:rl:{prefix}*", f"{_prefix()}okno:slots:{prefix}*"):
            for name in self.redis.scan_iter(pattern):
                self.redis.delete(name)


class LocalLimiter:
    """Same semantics within one process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}
        self._slots: dict[str, dict[str, float]] = {}

    def acquire(self, key: str, limit: Limit, cost: int = 1) -> float:
        interval = limit.interval_ms / 1000.0
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get(key, now), now)
            new_tat = tat + interval * cost
            allow_at = new_tat - interval * max(limit.burst, cost)
            if allow_at > now:
                return allow_at - now
            self._tat[key] = new_tat
            return 0.0

    def acquire_slot(self, key: str, slots: int, ttl_s: float = 60.0) -> str | None:
        with self._lock:
            now = time.monotonic()
            held = {t: exp for t, exp in self._slots.get(key, {}).items() if exp > now}
            if len(held) >= slots:
                self._slots[key] = held
                return None
            token = uuid.uuid4().hex
            held[token] = now + ttl_s
            self._slots[key] = held
            return token

    def release_slot(self, key: str, token: str) -> None:
        with self._lock:
            self._slots.get(key, {}).pop(token, None)

    def reset(self, prefix: str = "") -> None:
        with self._lock:
            self._tat = {k: v for k, v in self._tat.items() if not k.startswith(prefix)}
            self._slots = {k: v for k, v in self._slots.items() if not k.startswith(prefix)}


def _prefix() -> str:
    return getattr(settings, "OKNO_REDIS_PREFIX", "")


@lru_cache(maxsize=1)
def _local() -> LocalLimiter:
    return LocalLimiter()


@lru_cache(maxsize=4)
def _redis(url: str) -> RedisLimiter:
    return RedisLimiter(url)


def get_limiter() -> RedisLimiter | LocalLimiter:
    url = getattr(settings, "REDIS_URL", None)
    return _redis(url) if url else _local()
