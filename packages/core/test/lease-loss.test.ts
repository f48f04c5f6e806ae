/**
 * LeaseLoss: the "lease lost" notice a held lease gives its consumer - a flag and plain listeners, with the
 * AbortSignal made only when something reads it.
 */
import { LeaseLoss } from '../src/leases/lease-loss';

describe('LeaseLoss', () => {
  test('tells each listener once, with the reason, and the flag turns true', () => {
    const loss = new LeaseLoss();
    const heard: string[] = [];
    loss.on((reason) => heard.push(`a:${reason.message}`));
    loss.on((reason) => heard.push(`b:${reason.message}`));
    expect(loss.lost).toBe(false);
    expect(loss.declare(new Error('taken'))).toBe(true);
    expect(loss.declare(new Error('again'))).toBe(false);
    expect(loss.lost).toBe(true);
    expect(loss.reason?.message).toBe('taken');
    expect(heard).toEqual(['a:taken', 'b:taken']);
  });

  test('a listener added after the loss is told at once; a removed one is not told', () => {
    const loss = new LeaseLoss();
    const heard: string[] = [];
    const removed = (): number => heard.push('removed');
    loss.on(removed);
    loss.off(removed);
    loss.declare(new Error('expired'));
    loss.on((reason) => heard.push(`late:${reason.message}`));
    expect(heard).toEqual(['late:expired']);
  });

  test('the signal, whenever it is read, is aborted with the reason once the lease is lost', () => {
    const early = new LeaseLoss();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    const reason = new Error('taken');
    early.declare(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);

    const late = new LeaseLoss();
    late.declare(reason);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
    expect(late.signal).toBe(late.signal);
  });

  test('a listener that throws neither stops the others nor reaches the caller', () => {
    const loss = new LeaseLoss();
    const heard: string[] = [];
    loss.on(() => {
      throw new Error('broken listener');
    });
    loss.on(() => heard.push('second'));
    expect(() => loss.declare(new Error('lost'))).not.toThrow();
    expect(heard).toEqual(['second']);
  });
});
