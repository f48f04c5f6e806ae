import { ensureBuilt } from './support';

/** Jest globalSetup: runs once in the main jest process, so parallel test files never race to build dist/. */
export default function globalSetup(): void {
  ensureBuilt();
}
