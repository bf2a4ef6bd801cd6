// Where the test harness keeps its generated files (git-ignored, wiped by `npm test`).
import { join } from 'node:path';
import { ROOT } from '../../scripts/setup.mjs';

export { ROOT };
export const TMP = join(ROOT, 'tests', '.tmp');
