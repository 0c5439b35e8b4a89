import { userInfo } from 'node:os';
import { calls, type CallName, type CallOutput, type CoreEvent, type ParsedInput } from '../../shared/contract.js';
import { TieoutError } from '../../shared/error.js';
import { runInWorker } from './jobs/index.js';
import { verifyWorkspaceAudit } from './audit/index.js';
import { openPacket, PACKET_TABLES, replayPacket, type PacketTable, type PacketTableName } from './packet/index.js';
import { packetKeyDir } from './packet/keys.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  applyBulk,
  BulkAction,
  BulkSelection,
  candidatesFor,
  claim,
  addComment,
  createUser,
  currentUser,
  ensureDefaultUser,
  findItem,
  listUsers,
  ownershipSettings,
  queryItems,
  saveOwnershipSettings,
  setSlaHours,
  slaSettings,
  previewBulk,
  release,
  setStatus,
  switchUser,
  timeline,
} from './triage/index.js';
import { addFxRates, importFxFile } from './fx/index.js';
import {
  approve,
  decideSuggestions,
  decideUnlock,
  ensureDefaultReasonCodes,
  listOverrides,
  listPeriods,
  listReasonCodes,
  requestUnlock,
  retireReasonCode,
  saveReasonCode,
  makeOverride,
  overrideHistory,
  pendingApprovals,
  pendingOverrideFor,
  reject,
  reverse,
  reverseBulk,
  signOff,
} from './overrides/index.js';
import { envSecretStore, parseConnector, secretNames, testConnection, type SecretStore } from './pull/index.js';
import { previewImport } from './import/preview.js';
import {
  createReconciliation,
  deleteView,
  getRules,
  listViews,
  reconciliationInfos,
  reviewCount,
  reviewDetail,
  reviewFacets,
  reviewPage,
  reviewRunList,
  runInfos,
  saveRules,
  saveView,
  suggestRulesFor,
} from './reconcile/index.js';
import {
  appendAuditEvent,
  countRejectedRows,
  findReconciliation,
  listAuditEvents,
  listBatches,
  listFxRates,
  listRejectedRows,
  openWorkspace,
  pageRecords,
  workspaceInfo,
  type Workspace,
} from './workspace/index.js';

export interface ServiceOptions {
  /** Pushes an event to every connected view (IPC send, SSE, or a test's array). */
  emit?: (e: CoreEvent) => void;
  /** A better_sqlite3.node built for Electron's ABI, when the app is packaged. */
  nativeBinding?: string;
  actor?: string;
  /** The user's profile folder for the packet signing key. */
  keyDir?: string;
  /** Where connector secrets come from: safeStorage in the app, the environment elsewhere. */
  secrets?: WritableSecretStore;
}

/** A secret store the app can also write to (the OS keychain via safeStorage). */
export interface WritableSecretStore extends SecretStore {
  set?(name: string, value: string): Promise<void>;
  names?(): string[];
  warning?(): string | null;
}

type Handlers = { [N in CallName]: (input: ParsedInput<N>) => Promise<CallOutput<N>> };

export interface Service {
  /** Validates the raw input against the contract, then runs the call. Throws TieoutError. */
  call<N extends CallName>(name: N, rawInput: unknown): Promise<CallOutput<N>>;
  workspace(): Workspace | null;
  close(): void;
}

function defaultActor(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

/** The core behind the contract: every host (Electron IPC, HTTP bridge, CLI, tests) calls this. */
export function createService(opts: ServiceOptions = {}): Service {
  const emit = opts.emit ?? (() => {});
  const actor = opts.actor ?? defaultActor();
  const jobs = new Map<string, AbortController>();
  const env = envSecretStore(process.env);
  const secrets: WritableSecretStore = opts.secrets
    ? { ...opts.secrets, get: async (n) => (await opts.secrets!.get(n)) ?? env.get(n) }
    : env;
  let ws: Workspace | null = null;

  const open = (path: string, create: boolean): Workspace => {
    const next = openWorkspace(path, { create, ...(opts.nativeBinding && { nativeBinding: opts.nativeBinding }) });
    // Every action needs an actor and every override a reason code: make sure both exist.
    ensureDefaultUser(next.db);
    ensureDefaultReasonCodes(next.db);
    if (create) {
      next.db.transaction(() =>
        appendAuditEvent(next.db, { actor, action: 'workspace.create', target: 'workspace', after: { path } }),
      )();
    }
    ws?.close();
    ws = next;
    return next;
  };
  /** The acting user: the workspace's current profile, else the OS user. */
  const who = (): string => (ws ? currentUser(ws.db)?.id : undefined) ?? actor;
  const recId = (name: string): number => {
    const r = findReconciliation(current().db, name);
    if (!r) throw new TieoutError('not_found', `No reconciliation named "${name}"`);
    return r.id;
  };
  const changed = (...tables: string[]) => emit({ type: 'workspace.changed', tables });
  const current = (): Workspace => {
    if (!ws) throw new TieoutError('not_found', 'No workspace is open. Create or open one first.');
    return ws;
  };

  async function job<T>(jobId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (jobs.has(jobId)) throw new TieoutError('conflict', `Job ${jobId} is already running`);
    const controller = new AbortController();
    jobs.set(jobId, controller);
    try {
      return await run(controller.signal);
    } finally {
      jobs.delete(jobId);
    }
  }

  const handlers: Handlers = {
    'workspace.create': async ({ path }) => workspaceInfo(open(path, true)),
    'workspace.open': async ({ path }) => workspaceInfo(open(path, false)),
    'workspace.info': async () => (ws ? workspaceInfo(ws) : null),
    'records.page': async (q) => pageRecords(current().db, q),
    'demo.load': async ({ jobId, buys, seed }) => {
      const w = current();
      const result = await job(jobId, (signal) =>
        runInWorker('demo', w.path, { buys, seed, actor: who() }, {
          signal,
          onProgress: (p) => emit({ type: 'job.progress', progress: { jobId, ...p } }),
        }),
      );
      emit({ type: 'workspace.changed', tables: ['source', 'batch', 'record'] });
      return { ...result, info: workspaceInfo(w) };
    },
    'import.preview': async (req) => previewImport(current(), req),
    'import.run': async ({ jobId, ...req }) => {
      const w = current();
      const result = await job(jobId, (signal) =>
        runInWorker('import', w.path, { ...req, actor: who() }, {
          signal,
          onProgress: (p) => emit({ type: 'job.progress', progress: { jobId, ...p } }),
        }),
      );
      emit({ type: 'workspace.changed', tables: ['source', 'batch', 'record'] });
      return result;
    },
    'sources.batches': async ({ sourceId }) => listBatches(current().db, sourceId),
    'batches.rejected': async ({ batchId, offset, limit }) => ({
      total: countRejectedRows(current().db, batchId),
      rows: listRejectedRows(current().db, batchId, limit, offset),
    }),
    'reconciliations.list': async () => reconciliationInfos(current().db),
    'reconciliations.create': async (req) => {
      const result = createReconciliation(current().db, req, who());
      emit({ type: 'workspace.changed', tables: ['reconciliation'] });
      return result;
    },
    'rules.get': async ({ reconciliation }) => getRules(current().db, reconciliation),
    'rules.save': async ({ reconciliation, rules }) => {
      const result = saveRules(current().db, reconciliation, rules, who());
      emit({ type: 'workspace.changed', tables: ['rule_set_version'] });
      return result;
    },
    'rules.suggest': async ({ left, right }) => suggestRulesFor(current().db, left, right),
    'match.run': async ({ jobId, reconciliation, draftRules }) => {
      const w = current();
      const result = await job(jobId, (signal) =>
        runInWorker('match', w.path, { reconciliation, actor: who(), ...(draftRules !== undefined && { draftRules }) }, {
          signal,
          onProgress: (p) => emit({ type: 'job.progress', progress: { jobId, ...p } }),
        }),
      );
      if (!result.dryRun) emit({ type: 'workspace.changed', tables: ['run'] });
      return result;
    },
    'runs.list': async ({ reconciliation }) => runInfos(current().db, reconciliation),
    'review.page': async (q) => reviewPage(current().db, q),
    'review.detail': async ({ runId, rowId }) => reviewDetail(current().db, runId, rowId),
    'pull.test': async ({ connector }) => testConnection(parseConnector(connector), secrets),
    'pull.run': async ({ jobId, source, connector, mapping, resume }) => {
      const w = current();
      const parsed = parseConnector(connector);
      const secretValues: Record<string, string> = {};
      for (const name of secretNames(parsed)) {
        const value = await secrets.get(name);
        if (value !== undefined) secretValues[name] = value;
      }
      const result = await job(jobId, (signal) =>
        runInWorker('pull', w.path, { source, connector: parsed, actor: who(), resume, secretValues, ...(mapping && { mapping }) }, {
          signal,
          onProgress: (p) => emit({ type: 'job.progress', progress: { jobId, ...p } }),
        }),
      );
      emit({ type: 'workspace.changed', tables: ['source', 'batch', 'record'] });
      return result;
    },
    'users.list': async () => {
      const db = current().db;
      return { users: listUsers(db), current: currentUser(db)?.id ?? null };
    },
    'users.create': async (u) => {
      const created = createUser(current().db, u, who());
      changed('app_user');
      return created;
    },
    'users.switch': async ({ userId }) => {
      const user = switchUser(current().db, userId, who());
      changed('app_user');
      return user;
    },
    'items.page': async ({ reconciliation, filter, sort, offset, limit }) =>
      queryItems(current().db, recId(reconciliation), (filter ?? {}) as never, (sort ?? {}) as never, { offset, limit }) as never,
    'items.get': async ({ reconciliation, itemId }) => {
      const db = current().db;
      const ref = { reconciliationId: recId(reconciliation), itemId };
      return { item: (findItem(db, ref) ?? null) as never, timeline: timeline(db, ref) as never, pending: (pendingOverrideFor(db, ref.reconciliationId, itemId) ?? null) as never };
    },
    'items.claim': async ({ reconciliation, itemId, reassign, note }) => {
      const r = claim(current().db, { reconciliationId: recId(reconciliation), itemId }, who(), { reassign, ...(note && { note }) });
      changed('review_item');
      return r as never;
    },
    'items.release': async ({ reconciliation, itemId }) => {
      const r = release(current().db, { reconciliationId: recId(reconciliation), itemId }, who());
      changed('review_item');
      return r as never;
    },
    'items.status': async ({ reconciliation, itemId, to, note }) => {
      const r = setStatus(current().db, { reconciliationId: recId(reconciliation), itemId }, to, who(), note);
      changed('review_item');
      return r as never;
    },
    'items.comment': async ({ reconciliation, itemId, text }) => {
      const r = addComment(current().db, { reconciliationId: recId(reconciliation), itemId }, who(), text);
      changed('comment');
      return r as never;
    },
    'items.bulkPreview': async ({ reconciliation, selection, action }) =>
      previewBulk(current().db, {
        selection: BulkSelection.parse({ ...(selection as object), reconciliationId: recId(reconciliation) }),
        action: BulkAction.parse(action),
        actor: who(),
      }) as never,
    'items.bulkApply': async ({ reconciliation, selection, action, justification, expectCount }) => {
      const r = applyBulk(
        current().db,
        { selection: BulkSelection.parse({ ...(selection as object), reconciliationId: recId(reconciliation) }), action: BulkAction.parse(action), actor: who() },
        justification,
        expectCount === undefined ? {} : { expectCount },
      );
      changed('review_item');
      return r as never;
    },
    'candidates.list': async ({ reconciliation, recordId, limit }) => candidatesFor(current().db, recId(reconciliation), recordId, limit) as never,
    'reasonCodes.list': async (q) => listReasonCodes(current().db, q as never) as never,
    'reasonCodes.save': async ({ code }) => {
      const r = saveReasonCode(current().db, code, who());
      changed('reason_code');
      return r as never;
    },
    'reasonCodes.retire': async ({ code }) => {
      const r = retireReasonCode(current().db, code, who());
      changed('reason_code');
      return r as never;
    },
    'overrides.make': async ({ reconciliation, request }) => {
      const r = makeOverride(current().db, { ...request, reconciliationId: recId(reconciliation) }, who());
      changed('override', 'review_item');
      return r as never;
    },
    'suggestions.decide': async ({ reconciliation, groupIds, decision, note, reasonCode }) => {
      const r = decideSuggestions(current().db, { reconciliationId: recId(reconciliation), groupIds, decision, note, reasonCode }, who());
      changed('override', 'review_item');
      return { decided: r.decided, overrideIds: r.overrides.map((o) => o.id), bulkId: r.bulkId, skipped: r.skipped };
    },
    'overrides.pending': async ({ reconciliation }) => pendingApprovals(current().db, recId(reconciliation)) as never,
    'overrides.decide': async ({ overrideId, decision, note }) => {
      const r = decision === 'approve' ? approve(current().db, overrideId, who(), note) : reject(current().db, overrideId, who(), note);
      changed('override', 'review_item');
      return r as never;
    },
    'overrides.reverse': async ({ overrideId, reasonCode, note }) => {
      const r = reverse(current().db, overrideId, who(), reasonCode, note);
      changed('override', 'review_item');
      return r as never;
    },
    'overrides.list': async ({ reconciliation, itemId, bulkId, latest }) => {
      const db = current().db;
      const id = recId(reconciliation);
      const list = itemId ? overrideHistory(db, id, itemId) : listOverrides(db, id, bulkId ? { bulkId } : {});
      const mine = bulkId && itemId ? list.filter((o) => o.bulkId === bulkId) : list;
      return (latest === undefined ? mine : mine.slice(-latest)) as never;
    },
    'overrides.reverseBulk': async ({ bulkId, reasonCode, note }) => {
      const r = reverseBulk(current().db, bulkId, who(), reasonCode, note);
      changed('override', 'review_item');
      return r as never;
    },
    'periods.list': async ({ reconciliation }) => listPeriods(current().db, recId(reconciliation)) as never,
    'periods.signOff': async ({ reconciliation, period, note }) => {
      const r = signOff(current().db, recId(reconciliation), period, who(), note);
      changed('period_lock_event');
      return r as never;
    },
    'periods.requestUnlock': async ({ reconciliation, period, reason }) => {
      const r = requestUnlock(current().db, recId(reconciliation), period, who(), reason);
      changed('audit_event');
      return r as never;
    },
    'periods.decideUnlock': async ({ reconciliation, period, decision, note }) => {
      const event = decideUnlock(current().db, recId(reconciliation), period, who(), decision, note);
      changed('period_lock_event');
      return { unlocked: event !== null, event: event as never };
    },
    // On a worker: a million-line run's packet reads the workspace for a minute or more.
    'packet.export': async ({ jobId, scope, includeSources, out }) => {
      const w = current();
      const user = currentUser(w.db);
      const input = { scope, includeSources, exporter: { userId: user?.id ?? who(), name: user?.name ?? who() }, keyDir: opts.keyDir ?? packetKeyDir(), now: new Date(), out };
      const r = await job(jobId, (signal) => runInWorker('packet', w.path, input, { signal, onProgress: (p) => emit({ type: 'job.progress', progress: { jobId, ...p } }) }));
      changed('audit_event');
      return { path: r.path, bytes: r.bytes, sha256: r.sha256, fingerprint: r.fingerprint };
    },
    // The viewer needs no workspace: a packet is read on its own, read-only.
    'packet.open': async ({ path }) => {
      const p = await openPacket(path);
      const tables: Record<string, PacketTable> = {};
      for (const name of Object.keys(PACKET_TABLES) as PacketTableName[]) {
        if (p.entries.includes(PACKET_TABLES[name])) tables[name] = await p.table(name);
      }
      const notesFile = `${path}.review-notes.txt`;
      return { path, manifest: p.manifest, verification: p.verification, tables, rules: p.entries.includes('rules.json') ? p.rules() : null, notes: existsSync(notesFile) ? readFileSync(notesFile, 'utf8') : '' };
    },
    // Review notes live next to the packet, never inside it: the packet stays exactly as signed.
    'packet.saveNotes': async ({ path, notes }) => {
      const file = `${path}.review-notes.txt`;
      writeFileSync(file, notes);
      return { file };
    },
    'packet.replay': async ({ path }) => replayPacket(path) as never,
    'secrets.list': async () => ({
      names: secrets.names?.() ?? [],
      store: secrets.set ? 'keychain' : 'environment',
      warning: secrets.warning?.() ?? null,
    }),
    // Values go into the OS keychain only; nothing is written to a workspace or a log.
    'secrets.set': async ({ name, value }) => {
      if (!secrets.set) throw new TieoutError('forbidden', `Secrets come from environment variables here: set ${name} before starting Tieout`);
      await secrets.set(name, value);
      return { saved: true };
    },
    'audit.verify': async () => verifyWorkspaceAudit(current().db),
    'audit.list': async (q) => listAuditEvents(current().db, q),
    // ---- review grid, saved views, triage settings
    'review.count': async (q) => reviewCount(current().db, q),
    'review.facets': async ({ runId }) => reviewFacets(current().db, runId),
    'review.runs': async ({ reconciliation }) => reviewRunList(current().db, reconciliation),
    'views.list': async ({ reconciliation }) => listViews(current().db, reconciliation),
    'views.save': async ({ reconciliation, name, state }) => {
      const v = saveView(current().db, reconciliation, name, state, who());
      changed('saved_view');
      return v;
    },
    'views.delete': async ({ reconciliation, name }) => {
      const r = deleteView(current().db, reconciliation, name, who());
      changed('saved_view');
      return r;
    },
    'ownership.get': async ({ reconciliation }) => ownershipSettings(current().db, recId(reconciliation)),
    'ownership.save': async ({ reconciliation, rules, fallbackOwner }) => {
      const r = saveOwnershipSettings(current().db, recId(reconciliation), rules as never, fallbackOwner, who());
      changed('ownership_rule');
      return { rules: r.rules, fallbackOwner: r.fallbackOwner };
    },
    'sla.get': async () => slaSettings(current().db),
    'sla.save': async ({ class: cls, hours }) => {
      const r = setSlaHours(current().db, cls, hours, who());
      changed('sla_policy', 'review_item');
      return r;
    },
    'fx.list': async () => ({ rates: listFxRates(current().db) }),
    'fx.add': async ({ rates }) => {
      const r = addFxRates(current().db, rates.map((rate, i) => ({ rate, origin: { row: i + 1 } })), who());
      changed('fx_rate');
      return r;
    },
    'fx.import': async ({ path, sheet }) => {
      const r = await importFxFile(current().db, path, { ...(sheet && { sheet }) }, who());
      changed('fx_rate');
      return r;
    },
    'job.cancel': async ({ jobId }) => {
      const c = jobs.get(jobId);
      c?.abort();
      return { cancelled: c !== undefined };
    },
  };

  return {
    async call(name, rawInput) {
      const spec = calls[name];
      if (!spec) throw new TieoutError('bad_input', `Unknown call "${String(name)}"`);
      const parsed = spec.input.safeParse(rawInput ?? {});
      if (!parsed.success) throw TieoutError.fromZod(parsed.error, 'bad_input', `input to ${name}`);
      const handler = handlers[name] as (i: unknown) => Promise<CallOutput<typeof name>>;
      return handler(parsed.data);
    },
    workspace: () => ws,
    close() {
      for (const c of jobs.values()) c.abort();
      ws?.close();
      ws = null;
    },
  };
}
