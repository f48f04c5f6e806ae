import { join } from 'node:path';

/** A compiled script of this package, resolved through dist/ also when this module runs from src/ under ts-jest. */
export function benchScript(name: string): string {
  return join(__dirname, '..', 'dist', name);
}
