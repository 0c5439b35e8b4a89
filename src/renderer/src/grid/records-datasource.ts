import type { IDatasource, IGetRowsParams } from 'ag-grid-community';
import type { Transport } from '../api/index.js';

/**
 * Feeds ag-grid's Infinite Row Model from `records.page`: the grid asks for blocks,
 * sort and the quick-filter text are pushed down to SQLite, and the renderer never
 * holds more than the blocks in its cache.
 */
export function recordsDatasource(transport: Transport, sourceId: number, text: string, onError: (e: unknown) => void): IDatasource {
  return {
    getRows(params: IGetRowsParams) {
      const sort = (params.sortModel as { colId: string; sort: 'asc' | 'desc' }[]).slice(0, 3).map((s) => ({
        field: s.colId.replace(/^fields\./, ''),
        dir: s.sort,
      }));
      transport
        .call('records.page', {
          sourceId,
          offset: params.startRow,
          limit: params.endRow - params.startRow,
          sort,
          filter: text ? { text } : {},
        })
        .then((page) => params.successCallback(page.rows, page.total))
        .catch((e: unknown) => {
          params.failCallback();
          onError(e);
        });
    },
  };
}
