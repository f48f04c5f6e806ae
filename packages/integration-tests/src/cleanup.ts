/** Things to undo after each test, run in reverse order; a failing step never prevents the others. */
export class Cleanup {
  private readonly steps: Array<() => unknown> = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} cleanup step(s) failed`);
  }
}

/** Collects unhandled promise rejections while a test file runs (a worker must never cause one). */
export function trackUnhandledRejections(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const handler = (reason: unknown): void => {
    errors.push(reason);
  };
  process.on('unhandledRejection', handler);
  return { errors, dispose: () => process.off('unhandledRejection', handler) };
}
