/**
 * One lookup table per cmdlet over its own parameters and the common ones, in the order help and
 * error messages list them (the cmdlet's first, in declaration order). A cmdlet parameter that
 * shares a common parameter's name shadows it.
 */
import type { CmdletDefinition, ParameterDeclaration } from '../cmdlet-support/cmdlet.js';
import { commonParametersOf } from './common-parameters.js';

export interface ParameterEntry {
  name: string;
  declaration: ParameterDeclaration;
  common: boolean;
}

export interface ParameterTable {
  entries: readonly ParameterEntry[];
  /** Lower-cased name or alias → entry. */
  byExactName: ReadonlyMap<string, ParameterEntry>;
  get(name: string): ParameterEntry | undefined;
}

const tables = new WeakMap<CmdletDefinition<any>, ParameterTable>();

export function parameterTable(definition: CmdletDefinition<any>): ParameterTable {
  let table = tables.get(definition);
  if (!table) {
    table = buildTable(definition);
    tables.set(definition, table);
  }
  return table;
}

function buildTable(definition: CmdletDefinition<any>): ParameterTable {
  const entries: ParameterEntry[] = [];
  const byName = new Map<string, ParameterEntry>();
  for (const [name, declaration] of Object.entries(definition.parameters)) {
    entries.push({ name, declaration, common: false });
  }
  const own = new Set(entries.map((entry) => entry.name.toLowerCase()));
  for (const [name, declaration] of commonParametersOf(definition)) {
    if (!own.has(name.toLowerCase())) entries.push({ name, declaration, common: true });
  }
  // Aliases first, names last: a name always wins over another parameter's alias.
  for (const entry of entries) {
    for (const alias of entry.declaration.aliases ?? []) {
      if (!byName.has(alias.toLowerCase())) byName.set(alias.toLowerCase(), entry);
    }
  }
  for (const entry of entries) byName.set(entry.name.toLowerCase(), entry);
  return {
    entries,
    byExactName: byName,
    get: (name) => byName.get(name.toLowerCase()),
  };
}
