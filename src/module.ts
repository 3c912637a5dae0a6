import { DataSourcePlugin } from '@grafana/data';

import { ConfigEditor } from './components/ConfigEditor';
import { withMapSettings } from './components/MapSettings';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import { KumaDataSourceOptions, KumaQuery, KumaSecureJsonData } from './types';

// Variable support (dashboard variables from this data source) is set on the DataSource instance (`variables`).
export const plugin = new DataSourcePlugin<DataSource, KumaQuery, KumaDataSourceOptions, KumaSecureJsonData>(DataSource)
  .setConfigEditor(withMapSettings(ConfigEditor))
  .setQueryEditor(QueryEditor);
