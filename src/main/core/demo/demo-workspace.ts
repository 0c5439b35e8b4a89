import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Service } from '../service.js';

export const DEMO_BUYS = 2000;

/** Opens the demo workspace, creating it with the demo data on first use. */
export async function openDemoWorkspace(service: Service, path: string): Promise<void> {
  if (existsSync(path)) {
    await service.call('workspace.open', { path });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  await service.call('workspace.create', { path });
  await service.call('demo.load', { jobId: `demo-${Date.now()}`, buys: DEMO_BUYS });
}
