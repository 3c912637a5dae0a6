// Shared jest settings for the plugin; the root jest.config.js extends this.
const path = require('path');

// Packages published as ES modules only; jest must transform them.
const ESM_PACKAGES = [
  'ol',
  'd3',
  'd3-[a-z-]+',
  'internmap',
  'delaunator',
  'robust-predicates',
  'react-colorful',
  'react-calendar',
  'get-user-locale',
  'memoize',
  'mimic-function',
  'rxjs',
  'uuid',
  'marked',
  'yaml',
  '@wojtekmaj/date-utils',
  '@grafana/[a-z-]+',
  '@kusto/monaco-kusto',
  'monaco-promql',
  'quickselect',
  'rbush',
  'earcut',
  'pbf',
  'color-space',
  'color-rgba',
  'color-parse',
  'color-name',
  'geotiff',
  'zarrita',
  '@zarrita/[a-z-]+',
  '@react-hookz/[a-z-]+',
  '@ver0/deep-equal',
];

module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'jsdom',
  setupFilesAfterEnv: ['<rootDir>/jest-setup.js'],
  testMatch: ['<rootDir>/src/**/*.{spec,test}.{js,jsx,ts,tsx}'],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': 'identity-obj-proxy',
    'react-inlinesvg': path.resolve(__dirname, 'jest', 'mocks', 'react-inlinesvg.tsx'),
  },
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': [
      '@swc/jest',
      {
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
          transform: { react: { runtime: 'classic' } },
        },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  watchPathIgnorePatterns: ['<rootDir>/node_modules', '<rootDir>/dist'],
};
