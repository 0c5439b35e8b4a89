// Runs a TypeScript worker entry from source (tests, CLI, browser mode) by registering tsx first.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(workerData.entry).href);
