import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, session, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL } from '../../shared/contract.js';
import { TieoutError } from '../../shared/error.js';
import { openDemoWorkspace } from '../core/demo/demo-workspace.js';
import { createService } from '../core/service.js';
import { denyPermissions, hardenWebContents } from './harden.js';
import { registerIpcHost } from './ipc-host.js';
import { pushRecent, readRecent } from './recent.js';
import { safeSecretStore } from './secrets.js';
import { makeTrustedSender } from './trusted-sender.js';
import { mainWindowOptions } from './window-options.js';

const here = dirname(fileURLToPath(import.meta.url));
let win: BrowserWindow | null = null;
const service = createService({
  emit: (e) => win?.webContents.send(IPC_EVENT_CHANNEL, e),
  secrets: safeSecretStore(safeStorage, join(app.getPath('userData'), 'secrets.json')),
  // A packaged app ships a better_sqlite3.node built for Electron's ABI next to the app.
  ...(app.isPackaged && { nativeBinding: join(process.resourcesPath, 'better_sqlite3.node') }),
});
const recentFile = () => join(app.getPath('userData'), 'recent-workspaces.json');

function pageUrl(): string {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && dev) return dev;
  return pathToFileURL(join(here, '../renderer/index.html')).href;
}

/** The workspace to open at start: `--workspace <file>`, or the demo workspace. */
function startupWorkspace(): { path: string; demo: boolean } {
  const i = process.argv.indexOf('--workspace');
  if (i > 0 && process.argv[i + 1]) return { path: resolve(process.argv[i + 1]!), demo: process.argv.includes('--demo') };
  return { path: join(app.getPath('userData'), 'demo.tieout'), demo: true };
}

async function openPath(path: string, mode: 'open' | 'create'): Promise<void> {
  try {
    await service.call(mode === 'open' ? 'workspace.open' : 'workspace.create', { path });
    pushRecent(recentFile(), path);
    buildMenu();
    win?.webContents.send(IPC_EVENT_CHANNEL, { type: 'workspace.changed', tables: ['workspace'] });
  } catch (err) {
    dialog.showErrorBox('Tieout', TieoutError.from(err).message);
  }
}

async function chooseWorkspace(mode: 'open' | 'create'): Promise<string | null> {
  const filters = [{ name: 'Tieout workspace', extensions: ['tieout'] }];
  if (mode === 'open') {
    const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }
  const r = await dialog.showSaveDialog(win!, { filters, defaultPath: 'reconciliation.tieout' });
  return r.canceled || !r.filePath ? null : r.filePath;
}

function buildMenu(): void {
  const recent = readRecent(recentFile());
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Workspace…', accelerator: 'CmdOrCtrl+N', click: async () => { const p = await chooseWorkspace('create'); if (p) await openPath(p, 'create'); } },
      { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: async () => { const p = await chooseWorkspace('open'); if (p) await openPath(p, 'open'); } },
      {
        label: 'Recent Workspace',
        submenu: recent.length
          ? recent.map((p) => ({ label: p, click: () => void openPath(p, 'open') }))
          : [{ label: 'None', enabled: false }],
      },
      { type: 'separator' },
      {
        label: 'Open Packet…',
        click: async () => {
          const r = await dialog.showOpenDialog(win!, { properties: ['openFile'], filters: [{ name: 'Tieout audit packet', extensions: ['tieoutpkt'] }] });
          const path = r.filePaths[0];
          if (!r.canceled && path) win?.webContents.send(IPC_EVENT_CHANNEL, { type: 'packet.open', path });
        },
      },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate([file, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }]));
}

async function createWindow(): Promise<void> {
  const url = pageUrl();
  registerIpcHost(ipcMain, service, makeTrustedSender(url));
  const trusted = makeTrustedSender(url);
  ipcMain.handle('tieout:dialog.workspace', async (event, mode: unknown) => {
    if (!trusted(event.senderFrame) || (mode !== 'open' && mode !== 'create')) return null;
    return chooseWorkspace(mode);
  });

  ipcMain.handle('tieout:dialog.import-file', async (event) => {
    if (!trusted(event.senderFrame)) return null;
    const r = await dialog.showOpenDialog(win!, {
      properties: ['openFile'],
      filters: [{ name: 'Spreadsheets and data', extensions: ['csv', 'txt', 'tsv', 'xlsx', 'xlsm', 'xls', 'ods', 'json', 'ndjson', 'jsonl'] }],
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });

  win = new BrowserWindow(mainWindowOptions(join(here, '../preload/index.cjs')));
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));

  const start = startupWorkspace();
  try {
    if (start.demo) await openDemoWorkspace(service, start.path);
    else await service.call('workspace.open', { path: start.path });
    if (existsSync(start.path)) pushRecent(recentFile(), start.path);
  } catch (err) {
    dialog.showErrorBox('Tieout', TieoutError.from(err).message);
  }
  buildMenu();
  await win.loadURL(url);
  // A packet named at launch (the OS opens .tieoutpkt files this way) opens read-only in the viewer.
  const packetArg = process.argv.find((a) => a.endsWith('.tieoutpkt'));
  if (packetArg) win.webContents.send(IPC_EVENT_CHANNEL, { type: 'packet.open', path: resolve(packetArg) });
}

app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
app.whenReady().then(async () => {
  denyPermissions(session.defaultSession);
  await createWindow();
});
app.on('window-all-closed', () => {
  service.close();
  app.quit();
});
