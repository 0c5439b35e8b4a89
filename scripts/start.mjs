#!/usr/bin/env node
// `npm start`: build if needed, then launch Electron on the demo workspace.
// Where the Electron binary is missing, say so and run browser mode instead (`npm run serve` forces it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const browserOnly = args.includes('--browser');
const passThrough = args.filter((a) => a !== '--browser');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const marker = join(root, 'out', 'renderer', 'index.html');
  const srcNewest = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'electron.vite.config.ts')).mtimeMs);
  if (existsSync(marker) && statSync(marker).mtimeMs >= srcNewest) return;
  console.log('Building Tieout (electron-vite build)…');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** The Electron binary's path, checked on disk (requiring 'electron' would try to download it). */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

buildIfNeeded();
const demoPath = join(root, '.tieout-demo', 'demo.tieout');
const electron = browserOnly ? null : electronBinary();
if (electron) {
  const child = spawn(electron, [root, '--workspace', demoPath, '--demo', ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!browserOnly) {
    console.log('The Electron binary is not installed on this machine (node_modules/electron/dist is missing), so Tieout starts in browser mode instead.');
  }
  const serveArgs = ['--import', 'tsx', join(root, 'src', 'main', 'serve', 'main.ts'), '--renderer', join(root, 'out', 'renderer')];
  if (!passThrough.includes('--workspace')) serveArgs.push('--workspace', demoPath, '--demo');
  const child = spawn(process.execPath, [...serveArgs, ...passThrough], { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
