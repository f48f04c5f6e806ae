// ESM build (dist/esm); see ../../tsup.esm.mjs.
import { esmBuild } from '../../tsup.esm.mjs';

export default esmBuild({ index: 'src/index.ts' });
