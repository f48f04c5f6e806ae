import { execFileSync } from 'node:child_process';
import { publicPackages } from './public-packages';

// publint (package.json / exports correctness) and @arethetypeswrong/cli (types resolve for node16 CJS and ESM
// consumers) must pass on every public package.
describe.each(publicPackages)('$name', ({ dir }) => {
  it('passes publint --strict', () => {
    const out = execFileSync('pnpm', ['exec', 'publint', '--strict'], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('All good');
  });

  it('passes attw (node16 CJS and ESM)', () => {
    const out = execFileSync('pnpm', ['exec', 'attw', '--pack', '.', '--profile', 'node16', '--format', 'table-flipped'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(out).not.toMatch(/❌|💀 Resolution failed.*node16/);
  });
});
