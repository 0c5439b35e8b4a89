// Runs one import and prints its progress, so a test can kill it part-way.
import { runImport } from '../../src/main/core/import/index.js';
import { openWorkspace } from '../../src/main/core/workspace/index.js';

const [workspace, source, file] = process.argv.slice(2) as [string, string, string];
const ws = openWorkspace(workspace);
await runImport(ws, { source, path: file, actor: 'child' }, {
  cancelled: () => false,
  progress: (p) => process.stdout.write(`progress ${p.message ?? ''}\n`),
});
process.stdout.write('finished\n');
