import fs from 'fs';
import { PLUGIN_JSON, ROOT_DIR } from './constants';

export interface PluginJson {
  id: string;
  type: string;
  [key: string]: unknown;
}

export function readPluginJson(): PluginJson {
  return JSON.parse(fs.readFileSync(PLUGIN_JSON, 'utf8'));
}

export function readPackageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(`${ROOT_DIR}/package.json`, 'utf8'));
  return pkg.version;
}

/** YYYY-MM-DD in UTC, the form Grafana shows as the plugin's "updated" date. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Fills the placeholders that the root plugin.json carries. */
export function fillPlaceholders(text: string, version: string, date: string): string {
  return text.replace(/%VERSION%/g, version).replace(/%TODAY%/g, date);
}

/** True when a directory exists and has at least one entry (copy patterns on empty dirs are skipped). */
export function hasEntries(dir: string): boolean {
  try {
    return fs.readdirSync(dir).filter((f) => !f.startsWith('.')).length > 0;
  } catch {
    return false;
  }
}
