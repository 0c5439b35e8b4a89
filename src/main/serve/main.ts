import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeLocation, TieoutError } from '../../shared/error.js';
import { openDemoWorkspace } from '../core/demo/demo-workspace.js';
import { createService } from '../core/service.js';
import { startServer, type RunningServer } from './server.js';

/** `npm run serve`: the renderer and the core on 127.0.0.1, for any Chromium-based browser. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      demo: { type: 'boolean', default: false },
      renderer: { type: 'string' },
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, got "${values.port}"`);
    process.exit(2);
  }
  let server: RunningServer | null = null;
  const service = createService({ emit: (e) => server?.broadcast(e) });
  const rendererDir = resolve(values.renderer ?? join(process.cwd(), 'out', 'renderer'));
  server = await startServer({ service, rendererDir, port });

  if (values.workspace) {
    const path = resolve(values.workspace);
    if (values.demo) await openDemoWorkspace(service, path);
    else await service.call('workspace.open', { path });
  }
  console.log(`Tieout is running in browser mode. Open this URL in Chromium or Chrome:\n\n  ${server.pageUrl}\n`);
  console.log('Press Ctrl+C to stop.');
  const stop = async () => {
    await server?.close();
    service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  const e = TieoutError.from(err);
  const where = describeLocation(e.details);
  console.error(`tieout serve: ${e.message}${where && !e.message.includes(where) ? ` (${where})` : ''}`);
  process.exit(1);
});
