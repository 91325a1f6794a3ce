/**
 * The OData query options of the emulated Graph collections: `$top` (1 to 300), `$select` (the
 * resource's properties), and a `$filter` subset: `eq`, `ne` and `in` on string properties, joined
 * by `and`, `or` and parentheses (docs/graph-gdap.md, "Query options"). A filter is kept as its
 * text in skip tokens and parsed again, so a token never carries a structure it could smuggle.
 */
import { BadRequestError } from '../server/bad-request.js';

export type FilterNode =
  | { op: 'or' | 'and'; items: FilterNode[] }
  | { op: 'eq' | 'ne'; path: string; value: string }
  | { op: 'in'; path: string; values: string[] };

type Token = { kind: 'word' | 'string' | 'punct'; text: string; at: number };

/** Graph's documented page maximum for these collections. */
export const MAX_TOP = 300;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (/\s/.test(char)) {
      at++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'punct', text: char, at });
      at++;
    } else if (char === "'") {
      let value = '';
      let end = at + 1;
      for (;;) {
        if (end >= text.length)
          throw new BadRequestError(`Invalid $filter: unterminated string at ${at}.`);
        if (text[end] === "'") {
          if (text[end + 1] === "'") {
            value += "'";
            end += 2;
            continue;
          }
          break;
        }
        value += text[end++];
      }
      tokens.push({ kind: 'string', text: value, at });
      at = end + 1;
    } else {
      const word = /^[A-Za-z0-9_./@-]+/.exec(text.slice(at))?.[0];
      if (!word) throw new BadRequestError(`Invalid $filter: unexpected '${char}' at ${at}.`);
      tokens.push({ kind: 'word', text: word, at });
      at += word.length;
    }
  }
  return tokens;
}

class FilterParser {
  private next = 0;

  constructor(
    private readonly tokens: Token[],
    /** Filterable paths by their lower-case spelling. */
    private readonly paths: ReadonlyMap<string, string>,
  ) {}

  parse(): FilterNode {
    const node = this.or();
    const extra = this.tokens[this.next];
    if (extra)
      throw new BadRequestError(`Invalid $filter: unexpected '${extra.text}' at ${extra.at}.`);
    return node;
  }

  private keyword(word: string): boolean {
    const token = this.tokens[this.next];
    if (token?.kind === 'word' && token.text.toLowerCase() === word) {
      this.next++;
      return true;
    }
    return false;
  }

  private punct(text: string): boolean {
    if (this.tokens[this.next]?.kind === 'punct' && this.tokens[this.next].text === text) {
      this.next++;
      return true;
    }
    return false;
  }

  private or(): FilterNode {
    const items = [this.and()];
    while (this.keyword('or')) items.push(this.and());
    return items.length === 1 ? items[0] : { op: 'or', items };
  }

  private and(): FilterNode {
    const items = [this.primary()];
    while (this.keyword('and')) items.push(this.primary());
    return items.length === 1 ? items[0] : { op: 'and', items };
  }

  private string(): string {
    const token = this.tokens[this.next];
    if (token?.kind !== 'string')
      throw new BadRequestError(
        `Invalid $filter: expected a quoted string at ${token?.at ?? 'the end'}.`,
      );
    this.next++;
    return token.text;
  }

  private primary(): FilterNode {
    if (this.punct('(')) {
      const inner = this.or();
      if (!this.punct(')')) throw new BadRequestError("Invalid $filter: missing ')'.");
      return inner;
    }
    const token = this.tokens[this.next];
    if (token?.kind !== 'word')
      throw new BadRequestError(
        `Invalid $filter: expected a property at ${token?.at ?? 'the end'}.`,
      );
    this.next++;
    const path = this.paths.get(token.text.toLowerCase());
    if (!path)
      throw new BadRequestError(
        `Invalid $filter: '${token.text}' cannot be filtered on; use ${[...this.paths.values()].join(', ')}.`,
      );
    if (this.keyword('eq')) return { op: 'eq', path, value: this.string() };
    if (this.keyword('ne')) return { op: 'ne', path, value: this.string() };
    if (this.keyword('in')) {
      if (!this.punct('(')) throw new BadRequestError("Invalid $filter: 'in' needs a list in ( ).");
      const values = [this.string()];
      while (this.punct(',')) values.push(this.string());
      if (!this.punct(')'))
        throw new BadRequestError("Invalid $filter: missing ')' after the 'in' list.");
      return { op: 'in', path, values };
    }
    throw new BadRequestError(
      `Invalid $filter: after '${token.text}' use eq, ne or in (the operators the emulator supports).`,
    );
  }
}

export function parseFilter(text: string, paths: readonly string[]): FilterNode {
  if (!text.trim()) throw new BadRequestError('Invalid $filter: it is empty.');
  const byLower = new Map(paths.map((path) => [path.toLowerCase(), path]));
  return new FilterParser(tokenize(text), byLower).parse();
}

function valueAt(item: Record<string, unknown>, path: string): string | undefined {
  let value: unknown = item;
  for (const part of path.split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/** Strings compare ignoring case (enum members and GUIDs alike). */
export function matches(node: FilterNode, item: Record<string, unknown>): boolean {
  switch (node.op) {
    case 'or':
      return node.items.some((inner) => matches(inner, item));
    case 'and':
      return node.items.every((inner) => matches(inner, item));
    case 'eq':
      return valueAt(item, node.path) === node.value.toLowerCase();
    case 'ne':
      return valueAt(item, node.path) !== node.value.toLowerCase();
    case 'in': {
      const value = valueAt(item, node.path);
      return node.values.some((candidate) => candidate.toLowerCase() === value);
    }
  }
}

/** The one value every match must have at `path` (an `eq` the whole filter requires), if any. */
export function requiredValue(node: FilterNode, path: string): string | undefined {
  if (node.op === 'eq' && node.path === path) return node.value;
  if (node.op === 'in' && node.path === path && node.values.length === 1) return node.values[0];
  if (node.op === 'and')
    for (const inner of node.items) {
      const value = requiredValue(inner, path);
      if (value !== undefined) return value;
    }
  return undefined;
}

export function parseTop(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > MAX_TOP)
    throw new BadRequestError(
      `Invalid value '${text}' for $top: it must be an integer from 1 to ${MAX_TOP}.`,
    );
  return Number(text);
}

/** The selected properties in their canonical spelling, or undefined for all of them. */
export function parseSelect(
  text: string | null,
  properties: readonly string[],
  typeName: string,
): string[] | undefined {
  if (text === null) return undefined;
  const byLower = new Map(properties.map((property) => [property.toLowerCase(), property]));
  const selected: string[] = [];
  for (const part of text.split(',').map((item) => item.trim())) {
    const property = byLower.get(part.toLowerCase());
    if (!property)
      throw new BadRequestError(
        `Could not find a property named '${part}' on type '${typeName}' for $select.`,
      );
    if (!selected.includes(property)) selected.push(property);
  }
  return selected;
}

/** An item with only the selected properties (and its OData annotations). */
export function project(
  item: Record<string, unknown>,
  selected: readonly string[] | undefined,
): Record<string, unknown> {
  if (!selected) return item;
  const projected: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item))
    if (key.startsWith('@odata.') || selected.includes(key)) projected[key] = value;
  return projected;
}

/** A request Graph refuses as a query it does not support (`Request_UnsupportedQuery`, 400). */
export class UnsupportedQueryError extends BadRequestError {}

/** `$orderby` as the emulator reads it: one property, ascending unless `desc`. */
export interface OrderBy {
  property: string;
  desc: boolean;
}

/**
 * `$orderby=property [asc|desc]` on one of `orderable` (their canonical spelling, matched in any
 * case). Graph answers a property it cannot sort by with `Request_UnsupportedQuery`
 * (docs/graph-gdap.md, "Query options"); `UnsupportedQueryError` carries that code.
 */
export function parseOrderBy(
  text: string | null,
  orderable: readonly string[],
): OrderBy | undefined {
  if (text === null) return undefined;
  const parts = text.trim().split(/\s+/);
  const property = orderable.find((name) => name.toLowerCase() === parts[0]?.toLowerCase());
  const direction = parts[1]?.toLowerCase() ?? 'asc';
  if (!property || parts.length > 2 || (direction !== 'asc' && direction !== 'desc'))
    throw new UnsupportedQueryError(
      `$orderby '${text}' is not supported: an unsupported property was specified; ` +
        (orderable.length === 0
          ? 'nothing here can be sorted.'
          : `sort by ${orderable.join(', ')}, optionally followed by asc or desc.`),
    );
  return { property, desc: direction === 'desc' };
}

/** `$count`: `true` asks for `@odata.count`, `false` (or none) does not. */
export function parseCount(text: string | null): boolean {
  if (text === null) return false;
  const value = text.trim().toLowerCase();
  if (value !== 'true' && value !== 'false')
    throw new BadRequestError(`Invalid value '${text}' for $count: it must be true or false.`);
  return value === 'true';
}
