// ESM build (dist/esm); see ../../tsup.esm.mjs. The `kcl` bin is the CommonJS build (dist/bin.js, from tsc).
import { esmBuild } from '../../tsup.esm.mjs';

export default esmBuild({ index: 'src/index.ts' });
