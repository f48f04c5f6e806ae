import { TimerWheel } from '../src/internal/timer-wheel';

describe('TimerWheel', () => {
  let clock = 0;
  const now = (): number => clock;

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 1_000;
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  /** Advances the wheel's clock and Node's fake timers together. */
  function advance(ms: number): void {
    clock += ms;
    jest.advanceTimersByTime(ms);
  }

  it('calls back no earlier than asked and at most one slot later', () => {
    const wheel = new TimerWheel(10, now);
    const calls: number[] = [];
    wheel.schedule(23, () => calls.push(clock));
    advance(22);
    expect(calls).toEqual([]);
    advance(1);
    expect(calls).toEqual([]);
    advance(7);
    expect(calls).toEqual([1_030]);
  });

  it('shares one timer between waits ending in the same slot', () => {
    const wheel = new TimerWheel(10, now);
    const calls: string[] = [];
    wheel.schedule(21, () => calls.push('a'));
    wheel.schedule(25, () => calls.push('b'));
    wheel.schedule(30, () => calls.push('c'));
    wheel.schedule(31, () => calls.push('d'));
    expect(wheel.pendingSlots).toBe(2);
    expect(jest.getTimerCount()).toBe(2);
    advance(30);
    expect(calls).toEqual(['a', 'b', 'c']);
    advance(10);
    expect(calls).toEqual(['a', 'b', 'c', 'd']);
    expect(wheel.pendingSlots).toBe(0);
  });

  it('moves callbacks on when the timer fires before the slot is due on its clock', () => {
    const wheel = new TimerWheel(10, now);
    const calls: number[] = [];
    wheel.schedule(10, () => calls.push(clock));
    // The timer fires while the wheel's clock has not reached the slot end yet: nothing is called, it waits again.
    jest.advanceTimersByTime(10);
    expect(calls).toEqual([]);
    expect(wheel.pendingSlots).toBe(1);
    clock += 10;
    jest.runOnlyPendingTimers();
    expect(calls).toEqual([1_010]);
  });

  it('resolves wait() promises', async () => {
    const wheel = new TimerWheel(10, now);
    let done = false;
    const waiting = wheel.wait(5).then(() => {
      done = true;
    });
    advance(10);
    await waiting;
    expect(done).toBe(true);
  });
});
