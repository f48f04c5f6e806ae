// ESM build (dist/esm); see ../../tsup.esm.mjs. The CLI ships as CommonJS (dist/cli.js, from tsc).
import { esmBuild } from '../../tsup.esm.mjs';

export default esmBuild({ index: 'src/index.ts' });
