import { ScopedVars, TypedVariableModel } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

type Values = Record<string, string | string[]>;

function escapeRegex(v: string): string {
  return v.replace(/[\\^$*+?.()|[\]{}\/]/g, '\\$&');
}

/**
 * A small stand-in for Grafana's template service: `$name`, `${name}` and `[[name]]` are replaced from `values`
 * (scoped variables win), with the formats the data source uses (none, 'regex', a format function).
 */
export function fakeTemplateSrv(values: Values): TemplateSrv & { replace: jest.Mock } {
  const replace = jest.fn(
    (target?: string, scopedVars?: ScopedVars, format?: string | ((v: string | string[]) => string)) => {
      if (target === undefined) {
        return '';
      }
      // $name, ${name}, ${name:format} and [[name]], as Grafana's template service reads them.
      return target.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, braced, bare, old) => {
        const name = braced ?? bare ?? old;
        const scoped = scopedVars?.[name]?.value as string | string[] | undefined;
        const value = scoped ?? values[name];
        if (value === undefined) {
          return match;
        }
        if (typeof format === 'function') {
          return format(value);
        }
        if (format === 'regex') {
          return Array.isArray(value) ? `(${value.map(escapeRegex).join('|')})` : escapeRegex(value);
        }
        return Array.isArray(value) ? `{${value.join(',')}}` : value;
      });
    }
  );
  return {
    replace,
    getVariables: () => Object.keys(values).map((name) => ({ name }) as unknown as TypedVariableModel),
    containsTemplate: (t?: string) => Boolean(t && /\$/.test(t)),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv & { replace: jest.Mock };
}
