import { RateLimiter } from '../../lib/dataarts/rate-limiter';
import { parseRetryAfter } from '../../lib/dataarts/transport';

/** A fake timeline: sleeping moves the clock, so spacing is exact and instant. */
function timeline() {
  let now = 0;
  const sends: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    sends,
  };
}

describe('RateLimiter', () => {
  it('spaces requests evenly at the configured rate', async () => {
    const t = timeline();
    const limiter = new RateLimiter(10, 1, t.now, t.sleep);
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      t.sends.push(t.now());
    }
    expect(t.sends).toEqual([0, 100, 200, 300, 400]);
  });

  it('allows a burst, then the rate', async () => {
    const t = timeline();
    const limiter = new RateLimiter(10, 3, t.now, t.sleep);
    for (let i = 0; i < 5; i++) {
      await limiter.acquire();
      t.sends.push(t.now());
    }
    expect(t.sends).toEqual([0, 0, 0, 100, 200]);
  });

  it('pauses everyone after a 429', async () => {
    const t = timeline();
    const limiter = new RateLimiter(100, 1, t.now, t.sleep);
    await limiter.acquire();
    limiter.pause(2000);
    await limiter.acquire();
    expect(t.now()).toBe(2000);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['3', 0, 3000],
    [' 0 ', 0, 0],
    ['Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT'), 60_000],
    ['soon', 0, undefined],
  ])('%s', (value, now, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('RateLimiter with a signal', () => {
  it('rejects a waiting caller as soon as the signal fires', async () => {
    // One request per 1000 s: the second caller would wait, on the real clock.
    const limiter = new RateLimiter(0.001);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
  });

  it('rejects at once when the signal has already fired, even with a fake sleep', async () => {
    const t = timeline();
    const limiter = new RateLimiter(10, 1, t.now, t.sleep);
    const controller = new AbortController();
    controller.abort();
    await expect(limiter.acquire(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(t.now()).toBe(0);
  });
});
