/**
 * One AbortSignal that fires when any of several fires, with listeners that can be removed. Used instead of
 * `AbortSignal.any` so a consumer that ended leaves no listener on the worker-wide shutdown signal (a worker creates
 * a consumer for every lease it takes over its lifetime).
 * @internal
 */
export interface LinkedAbortSignal {
  readonly signal: AbortSignal;
  /** Removes the listeners from the source signals. Idempotent. */
  dispose(): void;
}

export function linkAbortSignals(sources: readonly AbortSignal[]): LinkedAbortSignal {
  const controller = new AbortController();
  const listeners: { source: AbortSignal; listener: () => void }[] = [];
  const dispose = (): void => {
    for (const { source, listener } of listeners) source.removeEventListener('abort', listener);
    listeners.length = 0;
  };
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', listener, { once: true });
    listeners.push({ source, listener });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
