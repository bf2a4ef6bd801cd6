// Where the test harness keeps its generated files (git-ignored, wiped by `npm test`).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TMP = join(ROOT, 'tests', '.tmp');
