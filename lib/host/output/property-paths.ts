/**
 * Dotted property paths (`companyProfile.domain`) for -Property, views and CSV headers. Only own
 * properties are read and new objects have no prototype, so a key such as `__proto__` in the data
 * is just a key.
 */
import type { ViewColumn } from '../../cmdlet-support/cmdlet.js';

const hasOwn = (object: object, key: string) => Object.hasOwn(object, key);

/**
 * The value at a dotted path; names match case-insensitively when no exact key exists. A path that
 * goes on through an array reads that path in each element (`servicePlans.serviceName` is the list
 * of the plans' names), so a view column can show a nested list in one cell.
 */
export function valueAtPath(value: unknown, path: string): unknown {
  return path === '' ? value : valueAtSegments(value, path.split('.'), 0);
}

function valueAtSegments(value: unknown, segments: readonly string[], from: number): unknown {
  let current = value;
  for (let index = from; index < segments.length; index++) {
    if (Array.isArray(current)) {
      return current
        .map((element) => valueAtSegments(element, segments, index))
        .filter((found) => found !== undefined);
    }
    const segment = segments[index];
    if (segment === undefined || current === null || typeof current !== 'object') return undefined;
    const key = ownKey(current, segment);
    if (key === undefined) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function ownKey(object: object, segment: string): string | undefined {
  if (hasOwn(object, segment)) return segment;
  const lower = segment.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** A new object holding only the given paths, nested as in the original (missing ones are null). */
export function selectPaths(value: unknown, paths: readonly string[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = Object.create(null);
  for (const path of paths) {
    let source: unknown = value;
    let target = result;
    const segments = path.split('.');
    segments.forEach((segment, index) => {
      const key =
        source !== null && typeof source === 'object'
          ? (ownKey(source, segment) ?? segment)
          : segment;
      source =
        source !== null && typeof source === 'object' && hasOwn(source, key)
          ? (source as Record<string, unknown>)[key]
          : undefined;
      if (index === segments.length - 1) {
        target[key] = source === undefined ? null : source;
      } else {
        const next = target[key];
        if (next !== null && typeof next === 'object') {
          target = next as Record<string, unknown>;
        } else {
          const created: Record<string, unknown> = Object.create(null);
          target[key] = created;
          target = created;
        }
      }
    });
  }
  return result;
}

/**
 * Dotted paths of every leaf of an object (arrays are leaves), for a header when nothing else names
 * columns.
 */
export function leafPaths(value: unknown, maxColumns = 200, maxDepth = 8): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, prefix: string, depth: number) => {
    for (const key of Object.keys(node as object)) {
      if (paths.length >= maxColumns) return;
      const child = (node as Record<string, unknown>)[key];
      const path = prefix ? `${prefix}.${key}` : key;
      if (
        child !== null &&
        typeof child === 'object' &&
        !Array.isArray(child) &&
        depth < maxDepth &&
        Object.keys(child).length > 0
      ) {
        walk(child, path, depth + 1);
      } else {
        paths.push(path);
      }
    }
  };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value, '', 0);
  return paths;
}

/** A column of Csv, Table or List output: its heading, its path, and the view's declarations. */
export interface Column extends Omit<ViewColumn, 'name' | 'path'> {
  heading: string;
  path: string;
}

/** Columns for Csv and Table: -Property, else the cmdlet's view, else the first object's leaves. */
export function columnsFor(
  first: unknown,
  property: readonly string[] | undefined,
  view: readonly ViewColumn[] | undefined,
): Column[] {
  if (property && property.length > 0) return property.map((path) => ({ heading: path, path }));
  if (view && view.length > 0) return view.map(({ name, ...rest }) => ({ ...rest, heading: name }));
  return leafColumns(first);
}

/** A column per leaf of the object (the Value itself when it has none). */
export function leafColumns(value: unknown): Column[] {
  const leaves = leafPaths(value);
  return leaves.length > 0
    ? leaves.map((path) => ({ heading: path, path }))
    : [{ heading: 'Value', path: '' }];
}

/** A value as one cell of text: scalars as they are, objects and arrays as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
