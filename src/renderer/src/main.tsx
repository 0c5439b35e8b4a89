import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AllCommunityModule, ModuleRegistry } from 'ag-grid-community';
import { pickTransport } from './api/index.js';
import { App } from './app/App.js';
import './app/app.css';

// Community modules only: Infinite and Client-Side row models. Server-side and master/detail are Enterprise.
ModuleRegistry.registerModules([AllCommunityModule]);

const transport = pickTransport();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {'error' in transport ? <p className="fatal">{transport.error}</p> : <App transport={transport} />}
  </StrictMode>,
);
