import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

import { DIST_DIR, PLUGIN_JSON, ROOT_DIR, SOURCE_DIR } from './constants';
import { fillPlaceholders, readPackageVersion, readPluginJson, today } from './utils';

type Env = Record<string, unknown> & { production?: boolean; development?: boolean };

// Modules that Grafana provides to plugins at runtime; they must not be bundled.
const EXTERNALS: Configuration['externals'] = [
  'lodash',
  'jquery',
  'moment',
  'slate',
  'prismjs',
  'slate-plain-serializer',
  '@grafana/slate-react',
  'react',
  'react-dom',
  'react-redux',
  'redux',
  'rxjs',
  'rxjs/operators',
  'react-router',
  'react-router-dom',
  'd3',
  'angular',
  'emotion',
  /^@emotion\//,
  /^@grafana\/(data|ui|runtime|schema|e2e-selectors|i18n)(\/.*)?$/,
];

const config = (env: Env): Configuration => {
  const production = Boolean(env.production);
  const pluginJson = readPluginJson();
  const version = readPackageVersion();
  const date = today();
  const publicPath = `public/plugins/${pluginJson.id}/`;

  return {
    mode: production ? 'production' : 'development',
    devtool: production ? 'source-map' : 'eval-source-map',
    context: ROOT_DIR,
    entry: { module: path.join(SOURCE_DIR, 'module.ts') },
    externals: EXTERNALS,
    output: {
      path: DIST_DIR,
      filename: '[name].js',
      // Grafana loads plugin modules with SystemJS, which understands AMD.
      library: { type: 'amd' },
      publicPath,
      uniqueName: pluginJson.id,
      clean: { keep: /^(gpx_|go_plugin_build_manifest)/ }, // keep what mage builds into dist/
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx'],
      modules: [SOURCE_DIR, 'node_modules'],
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                baseUrl: SOURCE_DIR,
                target: 'es2018',
                loose: false,
                parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
                transform: { react: { runtime: 'classic' } },
              },
            },
          },
        },
        {
          test: /\.(png|jpe?g|gif|svg)$/,
          type: 'asset/resource',
          generator: { publicPath: `${publicPath}img/`, outputPath: 'img/', filename: '[name][ext]' },
        },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          {
            from: PLUGIN_JSON,
            to: 'plugin.json',
            transform: (content: Buffer) => fillPlaceholders(content.toString(), version, date),
          },
          { from: 'README.md', to: '.', noErrorOnMissing: true },
          { from: 'CHANGELOG.md', to: '.', noErrorOnMissing: true },
          { from: 'LICENSE', to: '.', noErrorOnMissing: true },
          { from: 'src/img', to: 'img', noErrorOnMissing: true },
          { from: 'dashboards', to: 'dashboards', noErrorOnMissing: true, globOptions: { dot: false } },
        ],
      }),
    ],
    performance: { hints: false },
    stats: production ? 'normal' : 'minimal',
    watchOptions: { ignored: ['**/node_modules', '**/dist', '**/.git'] },
  };
};

export default config;
