import path from 'path';

export const ROOT_DIR = path.resolve(__dirname, '..', '..');
export const SOURCE_DIR = path.join(ROOT_DIR, 'src');
export const DIST_DIR = path.join(ROOT_DIR, 'dist');
// plugin.json lives at the repository root (the Go backend and packaging share it).
export const PLUGIN_JSON = path.join(ROOT_DIR, 'plugin.json');
