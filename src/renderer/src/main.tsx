import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import {
  CellStyleModule,
  ClientSideRowModelModule,
  ColumnApiModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  RowSelectionModule,
  RowStyleModule,
  ScrollApiModule,
  TooltipModule,
} from 'ag-grid-community';
import { pickTransport } from './api/index.js';
import { App } from './app/App.js';
import './app/app.css';

// Community modules only, and only those we use: Server-Side rows, grouping and master/detail
// are Enterprise, so sorting and filtering are pushed down to SQLite instead.
ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  ClientSideRowModelModule,
  CellStyleModule,
  RowStyleModule,
  TooltipModule,
  RowSelectionModule,
  ColumnApiModule,
  ScrollApiModule,
]);

const transport = pickTransport();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {'error' in transport ? <p className="fatal">{transport.error}</p> : <App transport={transport} />}
  </StrictMode>,
);
