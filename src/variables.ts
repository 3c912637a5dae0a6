import { CustomVariableSupport, DataQueryRequest, DataQueryResponse } from '@grafana/data';
import { from, Observable } from 'rxjs';

import { VariableQueryEditor } from './components/VariableQueryEditor';
import { toKumaQuery } from './query';
import { KumaDataSourceOptions, KumaEditorDataSource, KumaQuery, KumaVariableQuery, QueryType } from './types';

/**
 * Dashboard variables (`$mesh`, `$zone`, `$service`, …) from this data source: the backend answers the
 * list query types with frames whose first text field is the value.
 */
export class KumaVariableSupport extends CustomVariableSupport<
  KumaEditorDataSource,
  KumaVariableQuery,
  KumaQuery,
  KumaDataSourceOptions
> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: KumaEditorDataSource) {
    super();
  }

  getDefaultQuery(): Partial<KumaQuery> {
    return { queryType: QueryType.Meshes };
  }

  query(request: DataQueryRequest<KumaVariableQuery>): Observable<DataQueryResponse> {
    const targets = request.targets.map((t, i) => toKumaQuery(t, `variable-${i}`));
    return from(this.datasource.query({ ...request, targets }));
  }
}
