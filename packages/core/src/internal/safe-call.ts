/**
 * Calls `fn` and swallows what it throws: for calls into code the worker does not control (the application's logger,
 * metrics sink, event listeners, error reporters) that must never break a loop of the worker or become an unhandled
 * rejection. The one place such failures are dropped.
 * @internal
 */
export function callSafely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Dropped on purpose: the callee is a reporter of last resort (logger, metrics, error sink).
  }
}
